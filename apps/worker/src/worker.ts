// One worker process: pulls catalog jobs from the shared pg-boss queues and runs them.
// Any number of these, on one machine or many, may point at the same database.
import { resolve } from 'node:path';
import { AddressGuard } from '@modelseal/adapter-http';
import { createPrismaClient } from '@modelseal/db';
import { createQueues, DEAD_LETTER_QUEUE, JOB_NAMES, JOBS, parsePayload, syncAuditSchedules, type JobName } from '@modelseal/jobs';
import { PgBoss, type JobWithMetadata } from 'pg-boss';
import { createArtifactStore, encryptionKeyFromEnv, modelRootsFromEnv, privateEndpointsFromEnv } from '@modelseal/artifacts';
import { createAdapterRegistry } from './adapters.ts';
import type { WorkerContext } from './context.ts';
import { messageOf } from './errors.ts';
import { runAuditJob } from './handlers/audit.ts';
import { runDeadLetterJob } from './handlers/deadLetter.ts';
import { runFragilizeJob } from './handlers/fragilize.ts';
import { runEvaluateJob } from './handlers/evaluate.ts';
import { runWebhookJob } from './handlers/webhook.ts';
import { Slots } from './slots.ts';
import { runTracked, type AttemptOutcome } from './tracked.ts';

export interface WorkerOptions {
  readonly databaseUrl: string;
  readonly artifactsDir: string;
  /** Base folder for dataset specs naming a path (default: the current folder). */
  readonly datasetsDir?: string;
  /**
   * Model-heavy jobs (fragilize and evaluate together) run at once in this process; default 1,
   * one GPU job at a time.
   */
  readonly concurrency?: number;
  /** Audits run at once in this process (they only query the model); default 2. */
  readonly auditConcurrency?: number;
  /** Third-party adapter packages (or files) to load, by name. */
  readonly plugins?: readonly string[];
  readonly signingKey?: Uint8Array;
  /**
   * AES-256 key for trigger sets at rest (32 bytes, hex or base64); default MODELSEAL_ARTIFACT_KEY.
   * Without one, trigger sets are stored unencrypted and the worker says so at start.
   */
  readonly artifactKey?: string | Uint8Array;
  readonly log?: (line: string) => void;
  /** How often an idle worker looks for jobs (pg-boss minimum 0.5; default 2). */
  readonly pollingIntervalSeconds?: number;
  /**
   * How often pg-boss looks for jobs whose heartbeat stopped (default 10). A dead worker's job
   * is taken over after its queue's heartbeatSeconds plus up to this long.
   */
  readonly superviseIntervalSeconds?: number;
  readonly progressIntervalMs?: number;
  readonly cancelPollMs?: number;
  /** How long stop() lets running jobs finish before handing them back to the queue (default 30 s). */
  readonly shutdownTimeoutMs?: number;
  /**
   * Let webhooks reach loopback and private-network receivers. Off by default: a webhook URL
   * comes from a project member and the worker sits inside the platform's network (SSRF).
   */
  readonly webhookAllowPrivate?: boolean;
  /** Folders models registered by absolute path may live in (default: MODELSEAL_MODEL_ROOTS). */
  readonly modelRoots?: readonly string[];
  /** Let model configs reach internal addresses (default: MODELSEAL_ALLOW_PRIVATE_ENDPOINTS). */
  readonly allowPrivateEndpoints?: boolean;
  /** How often AuditSchedule rows are copied into pg-boss cron schedules (default 60 s; 0: only at start). */
  readonly scheduleSyncSeconds?: number;
}

export interface RunningWorker {
  readonly boss: PgBoss;
  /** Copies enabled AuditSchedule rows into pg-boss cron schedules now (also done periodically). */
  syncSchedules(): Promise<{ scheduled: number; removed: number }>;
  /** Stops taking jobs, lets running ones finish (up to shutdownTimeoutMs), then releases the rest. */
  stop(): Promise<void>;
}

async function settle(context: WorkerContext, name: JobName, job: JobWithMetadata<unknown>): Promise<AttemptOutcome | { auditId: string; intact: boolean } | { status: string }> {
  try {
    parsePayload(name, job.data);
  } catch (error) {
    // A malformed payload will not parse on a retry either: record why and drop it.
    context.log(`${name} job ${job.id}: ${messageOf(error)}`);
    return { status: 'failed', detail: messageOf(error) };
  }
  if (name === 'fragilize') {
    const p = parsePayload('fragilize', job.data);
    return runTracked(context, p.jobId, job, (reporter, signal) => runFragilizeJob(context, p, reporter, signal));
  }
  if (name === 'audit') {
    const p = parsePayload('audit', job.data);
    if (p.jobId) {
      return runTracked(context, p.jobId, job, async (reporter, signal) => {
        // No progress writes here (verification is one pass), so none can land after the result.
        await reporter.stage('verifying');
        await runAuditJob(context, p, signal);
      });
    }
    // Scheduled audits have no Job row: pg-boss' own retries and state are their record.
    const { auditId, report } = await runAuditJob(context, p, job.signal);
    return { auditId, intact: report.intact };
  }
  if (name === 'evaluate') {
    const p = parsePayload('evaluate', job.data);
    return runTracked(context, p.jobId, job, (reporter, signal) => runEvaluateJob(context, p, reporter, signal));
  }
  if (name === 'webhook') return runWebhookJob(context, parsePayload('webhook', job.data), job);
  throw new Error(`this worker has no handler for ${name} jobs`);
}

/** Queues whose jobs run heavy model computation (catalog `gpu`); they share one pool of slots. */
const HEAVY_QUEUES = JOB_NAMES.filter((name) => JOBS[name].gpu);

const jobIdOf = (data: unknown): string | undefined => {
  const id = typeof data === 'object' && data !== null ? (data as { jobId?: unknown }).jobId : undefined;
  return typeof id === 'string' ? id : undefined;
};

/**
 * Runs a model-heavy job once this worker has a free slot for it.
 *
 * Why the wait happens inside the handler, after pg-boss has fetched the job, rather than
 * before the fetch: pg-boss' work() has no hook between "a slot is free" and "claim a job",
 * so acquiring first would mean replacing work() for these queues with our own fetch loop and
 * re-implementing what it does for a claimed job (heartbeats, the expiry race, aborting a
 * handler whose claim was lost, failing in-flight jobs when the shutdown grace runs out).
 * Waiting inside the handler keeps all of that: pg-boss heartbeats a job from the moment it
 * hands it to the handler, so a job that waits is never taken over as dead. The costs, accepted:
 * - a waiting job is held by this worker (at most `concurrency` per heavy queue) although an
 *   idle worker could have run it;
 * - the wait counts against the queue's expireInSeconds (6 h for fragilize, 24 h for evaluate);
 *   a job that outwaits it is failed and retried like any expired attempt.
 * The Job row stays `queued` while it waits (stage "waiting for a free slot"), so startedAt
 * is when the work really began. When the worker stops, waiting jobs give up at once and go
 * back to the queue (pg-boss counts that as an attempt) instead of starting during shutdown.
 */
async function inHeavySlot<T>(
  context: WorkerContext,
  slots: Slots,
  stopping: AbortSignal,
  name: JobName,
  job: JobWithMetadata<unknown>,
  run: () => Promise<T>,
): Promise<T> {
  let release = slots.tryAcquire();
  if (!release) {
    const jobId = jobIdOf(job.data);
    const setStage = async (stage: string) => {
      if (!jobId) return;
      await context.prisma.job
        .updateMany({ where: { id: jobId, status: 'queued' }, data: { stage } })
        .catch((error: unknown) => context.log(`job ${jobId}: cannot record stage "${stage}": ${messageOf(error)}`));
    };
    await setStage('waiting for a free slot');
    try {
      release = await slots.acquire(AbortSignal.any([job.signal, stopping]));
    } catch (error) {
      await setStage('waiting to retry');
      throw new Error(`${name} job ${job.id} stopped waiting for a free model slot: ${messageOf(error)}`, { cause: error });
    }
  }
  try {
    return await run();
  } finally {
    release();
  }
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const supervise = options.superviseIntervalSeconds ?? 10;
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    superviseIntervalSeconds: supervise,
    monitorIntervalSeconds: supervise,
  });
  boss.on('error', (error) => log(`pg-boss: ${messageOf(error)}`));
  const prisma = createPrismaClient(options.databaseUrl);
  const artifactKey = options.artifactKey ?? encryptionKeyFromEnv();
  if (artifactKey === undefined) {
    log('warning: no artifact key (MODELSEAL_ARTIFACT_KEY): trigger sets will be stored unencrypted');
  }
  const artifactsDir = resolve(options.artifactsDir);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError(`worker concurrency must be a positive integer, got ${concurrency}`);
  const slots = new Slots(concurrency);
  const heavy = new Set<JobName>(HEAVY_QUEUES);
  const shutdown = new AbortController();
  const context: WorkerContext = {
    prisma,
    boss,
    registry: await createAdapterRegistry(options.plugins ?? [], process.cwd()),
    artifactsDir,
    artifacts: createArtifactStore({
      root: artifactsDir,
      encryptionKey: artifactKey,
      allowUnencryptedTriggerSets: artifactKey === undefined,
    }),
    datasetsDir: resolve(options.datasetsDir ?? process.cwd()),
    signingKey: options.signingKey,
    webhookGuard: new AddressGuard({ allowPrivate: options.webhookAllowPrivate ?? false, allowHosts: [] }),
    modelRoots: options.modelRoots ?? modelRootsFromEnv(),
    allowPrivateEndpoints: options.allowPrivateEndpoints ?? privateEndpointsFromEnv(),
    progressIntervalMs: options.progressIntervalMs ?? 1000,
    cancelPollMs: options.cancelPollMs ?? 2000,
    log,
  };
  try {
    await boss.start();
    await createQueues(boss);
    const polling = { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, includeMetadata: true as const, batchSize: 1 };
    const handle = (name: JobName) => async (jobs: JobWithMetadata<unknown>[]) => {
      const outcomes = [];
      for (const job of jobs) {
        const run = () => settle(context, name, job);
        outcomes.push(await (heavy.has(name) ? inHeavySlot(context, slots, shutdown.signal, name, job, run) : run()));
      }
      return outcomes;
    };
    // Each heavy queue may use every slot when the other one is empty; the slots keep their sum in bounds.
    for (const name of heavy) await boss.work(name, { ...polling, localConcurrency: slots.size }, handle(name));
    await boss.work('audit', { ...polling, localConcurrency: options.auditConcurrency ?? 2 }, handle('audit'));
    await boss.work('webhook', { ...polling, localConcurrency: 4 }, handle('webhook'));
    await boss.work(DEAD_LETTER_QUEUE, polling, async (jobs: JobWithMetadata<unknown>[]) => Promise.all(jobs.map((job) => runDeadLetterJob(context, job.data))));
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    await prisma.$disconnect();
    throw error;
  }
  const syncSchedules = async () => syncAuditSchedules(boss, await prisma.auditSchedule.findMany());
  await syncSchedules();
  const syncEvery = options.scheduleSyncSeconds ?? 60;
  // The API also syncs when a schedule changes; this catches changes made any other way.
  const syncTimer =
    syncEvery > 0 ? setInterval(() => void syncSchedules().catch((error: unknown) => log(`schedule sync: ${messageOf(error)}`)), syncEvery * 1000) : undefined;
  log('worker ready');

  let stopping: Promise<void> | undefined;
  return {
    boss,
    syncSchedules,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(syncTimer);
        shutdown.abort(new Error('the worker is stopping'));
        await boss.stop({ graceful: true, timeout: options.shutdownTimeoutMs ?? 30_000 });
        await prisma.$disconnect();
      })()),
  };
}
