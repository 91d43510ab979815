import { ModelSealError, describeIssues } from '@modelseal/core';
import { z } from 'zod';

const seconds = z.coerce.number().positive();

const envSchema = z.object({
  DATABASE_URL: z.string().min(1, 'is required: the worker needs the shared PostgreSQL holding the queue'),
  MODELSEAL_ARTIFACTS_DIR: z.string().min(1).default('data/artifacts'),
  MODELSEAL_DATASETS_DIR: z.string().min(1).optional(),
  MODELSEAL_WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(1),
  MODELSEAL_WORKER_AUDIT_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  MODELSEAL_WORKER_POLL_SECONDS: seconds.min(0.5).optional(),
  MODELSEAL_WORKER_SUPERVISE_SECONDS: seconds.min(1).optional(),
  MODELSEAL_WORKER_PROGRESS_MS: z.coerce.number().int().min(50).optional(),
  MODELSEAL_WORKER_SHUTDOWN_SECONDS: seconds.optional(),
  MODELSEAL_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false', '1', '0']).optional(),
});

export interface WorkerEnv {
  databaseUrl: string;
  artifactsDir: string;
  datasetsDir?: string;
  concurrency: number;
  auditConcurrency: number;
  pollingIntervalSeconds?: number;
  superviseIntervalSeconds?: number;
  progressIntervalMs?: number;
  shutdownTimeoutMs?: number;
  webhookAllowPrivate?: boolean;
}

/** Reads the worker's settings; an unusable value fails at start with the variable's name. */
export function readWorkerEnv(env: Readonly<Record<string, string | undefined>>): WorkerEnv {
  // Empty variables count as unset, as shells and compose files often leave them.
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(defined);
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ModelSealError('INVALID_CONFIG', `worker configuration: ${details}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    artifactsDir: e.MODELSEAL_ARTIFACTS_DIR,
    concurrency: e.MODELSEAL_WORKER_CONCURRENCY,
    auditConcurrency: e.MODELSEAL_WORKER_AUDIT_CONCURRENCY,
    ...(e.MODELSEAL_DATASETS_DIR !== undefined ? { datasetsDir: e.MODELSEAL_DATASETS_DIR } : {}),
    ...(e.MODELSEAL_WORKER_POLL_SECONDS !== undefined ? { pollingIntervalSeconds: e.MODELSEAL_WORKER_POLL_SECONDS } : {}),
    ...(e.MODELSEAL_WORKER_SUPERVISE_SECONDS !== undefined ? { superviseIntervalSeconds: e.MODELSEAL_WORKER_SUPERVISE_SECONDS } : {}),
    ...(e.MODELSEAL_WORKER_PROGRESS_MS !== undefined ? { progressIntervalMs: e.MODELSEAL_WORKER_PROGRESS_MS } : {}),
    ...(e.MODELSEAL_WEBHOOK_ALLOW_PRIVATE !== undefined ? { webhookAllowPrivate: e.MODELSEAL_WEBHOOK_ALLOW_PRIVATE === 'true' || e.MODELSEAL_WEBHOOK_ALLOW_PRIVATE === '1' } : {}),
    ...(e.MODELSEAL_WORKER_SHUTDOWN_SECONDS !== undefined ? { shutdownTimeoutMs: e.MODELSEAL_WORKER_SHUTDOWN_SECONDS * 1000 } : {}),
  };
}
