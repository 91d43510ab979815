// Starts the whole platform in one process: database (embedded unless DATABASE_URL), migrations,
// queue, optionally an in-process worker, the tRPC API and the Next.js dashboard.
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import type { Server, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpHandler, type ApiDeps } from '@modelseal/api';
import { createArtifactStore, modelRootsFromEnv, privateEndpointsFromEnv } from '@modelseal/artifacts';
import { ModelSealError, signingKeyFromEnv } from '@modelseal/core';
import { openDatabase, type Database } from '@modelseal/db';
import { createQueues } from '@modelseal/jobs';
import { createAdapterRegistry, startWorker, type RunningWorker } from '@modelseal/worker';
import next from 'next';
import { PgBoss } from 'pg-boss';
import { API_PREFIX, createPlatformServer, listen } from './http.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import { startWorkerProcess } from './workerProcess.ts';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface PlatformOptions {
  /** Data folder: embedded PostgreSQL, artifacts, generated secrets. */
  readonly dataDir: string;
  /** Use this PostgreSQL instead of an embedded one. */
  readonly databaseUrl?: string | undefined;
  readonly port?: number;
  readonly host?: string;
  /**
   * Where this platform's worker runs: a child process (default), inside this process (tests
   * that need to reach it), or nowhere (workers run elsewhere: `pnpm worker`).
   */
  readonly worker?: 'process' | 'inline' | false;
  /** Third-party adapter packages to load (worker and API). */
  readonly plugins?: readonly string[];
  /** Folder that dataset specs naming a path are resolved from. */
  readonly datasetsDir?: string;
  /** Environment for secrets (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Let webhooks reach private addresses (local receivers in tests and demos). */
  readonly webhookAllowPrivate?: boolean;
  /** Embedded PostgreSQL without durability (tests). */
  readonly fast?: boolean;
  /** Serve the API only, without the Next.js pages (API tests need no build). */
  readonly withoutPages?: boolean;
  readonly log?: (line: string) => void;
}

export interface RunningPlatform {
  readonly url: string;
  readonly port: number;
  readonly db: Database;
  readonly deps: ApiDeps;
  /** The in-process worker, when `worker: 'inline'`. */
  readonly worker: RunningWorker | undefined;
  stop(): Promise<void>;
}

async function nextHandler(log: (line: string) => void) {
  // Same variable as next.config.ts's distDir.
  const distDir = join(WEB_DIR, process.env.MODELSEAL_WEB_DIST ?? '.next');
  if (!existsSync(join(distDir, 'BUILD_ID'))) {
    throw new ModelSealError('INVALID_CONFIG', `the dashboard is not built: run "pnpm build:web" first (looked in ${distDir})`);
  }
  const app = next({ dev: false, dir: WEB_DIR, quiet: true });
  await app.prepare();
  log('dashboard ready');
  return app.getRequestHandler();
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = options.env ?? process.env;
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  // The embedded server runs as the `postgres` user when we are root: it must enter this folder.
  await chmod(dataDir, 0o755);
  const secrets = await loadOrCreateSecrets(dataDir, env);
  const artifactsDir = join(dataDir, 'artifacts');

  const db = await openDatabase({ dataDir, databaseUrl: options.databaseUrl, log, ...(options.fast ? { fast: true } : {}) });
  const cleanups: (() => Promise<unknown>)[] = [() => db.close()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`while stopping: ${(error as Error).message}`));
  };
  try {
    const boss = new PgBoss({ connectionString: db.url });
    boss.on('error', (error) => log(`pg-boss: ${error.message}`));
    await boss.start();
    cleanups.push(() => boss.stop({ graceful: false }));
    await createQueues(boss);

    const plugins = options.plugins ?? [];
    const signingKey = signingKeyFromEnv(env);
    const modelRoots = modelRootsFromEnv(env);
    const allowPrivateEndpoints = privateEndpointsFromEnv(env);
    const mode = options.worker ?? 'process';
    let worker: RunningWorker | undefined;
    if (mode === 'inline') {
      const inline = await startWorker({
        databaseUrl: db.url,
        artifactsDir,
        artifactKey: secrets.artifactKey,
        plugins,
        modelRoots,
        allowPrivateEndpoints,
        log: (line) => log(`[worker] ${line}`),
        ...(signingKey ? { signingKey } : {}),
        ...(options.datasetsDir ? { datasetsDir: options.datasetsDir } : {}),
        ...(options.webhookAllowPrivate ? { webhookAllowPrivate: true } : {}),
      });
      worker = inline;
      cleanups.push(() => inline.stop());
    } else if (mode === 'process') {
      const child = startWorkerProcess({
        env: {
          ...env,
          DATABASE_URL: db.url,
          MODELSEAL_ARTIFACTS_DIR: artifactsDir,
          MODELSEAL_ARTIFACT_KEY: secrets.artifactKey,
          MODELSEAL_ADAPTER_PLUGINS: plugins.join(','),
          ...(options.datasetsDir ? { MODELSEAL_DATASETS_DIR: options.datasetsDir } : {}),
          ...(options.webhookAllowPrivate ? { MODELSEAL_WEBHOOK_ALLOW_PRIVATE: 'true' } : {}),
        },
        log,
      });
      cleanups.push(() => child.stop());
    }

    const deps: ApiDeps = {
      prisma: db.prisma,
      boss,
      artifactsDir,
      artifacts: createArtifactStore({ root: artifactsDir, encryptionKey: secrets.artifactKey }),
      sessionSecret: secrets.sessionSecret,
      adapters: await createAdapterRegistry(plugins, process.cwd()),
      modelRoots,
      allowPrivateEndpoints,
    };
    const api = createHttpHandler({
      endpoint: API_PREFIX,
      deps,
      onError: (error, path) => {
        const code = (error as { code?: string }).code;
        // Expected answers (bad input, no access) are the caller's business, not the operator's.
        if (code === 'INTERNAL_SERVER_ERROR') log(`api ${path ?? '?'}: ${(error as Error).message}`);
      },
    });
    const pages = options.withoutPages ? (_req: unknown, res: ServerResponse) => void res.writeHead(404).end('not found') : await nextHandler(log);
    const server: Server = createPlatformServer({ api, next: pages, log });
    const host = options.host ?? '127.0.0.1';
    const port = await listen(server, options.port ?? 3000, host);
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );
    const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    return { url: `http://${shownHost}:${port}`, port, db, deps, worker, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
