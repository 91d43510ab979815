import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = dirname(fileURLToPath(import.meta.url));

const config: NextConfig = {
  // The pages are client components talking to the tRPC API that server/ mounts beside Next;
  // the browser bundle only imports the router's type, never server code.
  reactStrictMode: true,
  poweredByHeader: false,
  // Lets several builds live side by side (parallel development, tests); the server reads the same variable.
  distDir: process.env.MODELSEAL_WEB_DIST ?? '.next',
  // `turbo run typecheck` checks this app with the rest of the workspace.
  typescript: { ignoreBuildErrors: true },
  turbopack: { root: resolve(here, '../..') },
};

export default config;
