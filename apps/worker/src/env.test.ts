import { describe, expect, it } from 'vitest';
import { readWorkerEnv } from './env.ts';

describe('readWorkerEnv', () => {
  it('applies defaults and converts units', () => {
    const env = readWorkerEnv({ DATABASE_URL: 'postgres://x/y', MODELSEAL_WORKER_SHUTDOWN_SECONDS: '5', MODELSEAL_WORKER_POLL_SECONDS: '' });
    expect(env).toEqual({ databaseUrl: 'postgres://x/y', artifactsDir: 'data/artifacts', concurrency: 1, auditConcurrency: 2, shutdownTimeoutMs: 5000 });
  });

  it('reads the webhook private-address switch', () => {
    expect(readWorkerEnv({ DATABASE_URL: 'postgres://x/y', MODELSEAL_WEBHOOK_ALLOW_PRIVATE: '1' }).webhookAllowPrivate).toBe(true);
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => readWorkerEnv({})).toThrow(/DATABASE_URL/);
    expect(() => readWorkerEnv({ DATABASE_URL: 'postgres://x/y', MODELSEAL_WORKER_CONCURRENCY: '0' })).toThrow(/MODELSEAL_WORKER_CONCURRENCY/);
    expect(() => readWorkerEnv({ DATABASE_URL: 'postgres://x/y', MODELSEAL_WORKER_POLL_SECONDS: '0.1' })).toThrow(/MODELSEAL_WORKER_POLL_SECONDS/);
    expect(() => readWorkerEnv({ DATABASE_URL: 'postgres://x/y', MODELSEAL_WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(/MODELSEAL_WEBHOOK_ALLOW_PRIVATE/);
  });
});
