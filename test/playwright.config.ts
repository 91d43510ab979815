// End-to-end tests: the whole platform (embedded PostgreSQL, worker, API, dashboard) started by
// the README's own command, driven through Debian's Chromium. Run with `pnpm test:e2e`.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.MODELSEAL_E2E_PORT ?? 3310);
export const E2E_DATA_DIR = '.modelseal/e2e';

export default defineConfig({
  testDir: './e2e',
  outputDir: '../test-results/e2e',
  // One platform, one story per file; files share the database, so keep them sequential.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 240_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: '../out/e2e-results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.MODELSEAL_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    // A fresh data folder each run; webhooks may reach the test's local receiver.
    command: `rm -rf ${E2E_DATA_DIR} && pnpm --silent platform --port ${port} --data-dir ${E2E_DATA_DIR} --allow-private-webhooks`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/sign-in`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
  },
});
