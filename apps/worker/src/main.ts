// The worker process: configuration from the environment, graceful stop on SIGTERM/SIGINT.
import { signingKeyFromEnv } from '@modelseal/core';
import { PLUGINS_ENV } from './adapters.ts';
import { readWorkerEnv } from './env.ts';
import { startWorker } from './worker.ts';

const env = readWorkerEnv(process.env);
const signingKey = signingKeyFromEnv();
const worker = await startWorker({
  ...env,
  plugins: (process.env[PLUGINS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  ...(signingKey ? { signingKey } : {}),
});

let signals = 0;
const shutdown = (signal: string): void => {
  signals += 1;
  // A second signal means the operator will not wait: in-flight jobs are retried elsewhere.
  if (signals > 1) process.exit(1);
  process.stderr.write(`${signal}: finishing running jobs, then stopping\n`);
  worker.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
