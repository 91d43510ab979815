import type { PgBoss, SendOptions } from 'pg-boss';
import { JOB_NAMES, JOBS, type JobInput, type JobName } from './catalog.ts';
import { parsePayload } from './validate.ts';

/**
 * Where pg-boss copies a job's payload once it has failed for good, including when the worker
 * of its last attempt died: the worker settles the job's records from there, so no Job row
 * stays `running` forever.
 */
export const DEAD_LETTER_QUEUE = 'job-failed';

/**
 * Creates every catalog queue with its policy. pg-boss needs a queue before send/work, and
 * createQueue leaves an existing queue as it is, so every process may call this at start.
 */
export async function createQueues(boss: PgBoss, names: readonly JobName[] = JOB_NAMES): Promise<void> {
  await boss.createQueue(DEAD_LETTER_QUEUE, { retryLimit: 5, retryDelay: 5, retryBackoff: true });
  for (const name of names) {
    await boss.createQueue(name, { ...JOBS[name].queue, deadLetter: DEAD_LETTER_QUEUE });
  }
}

export interface EnqueueOptions {
  /** Enqueue inside a caller's transaction (e.g. `fromPrisma(tx)`), so the job exists iff the Job row does. */
  readonly db?: SendOptions['db'];
  readonly startAfter?: SendOptions['startAfter'];
  readonly singletonKey?: string;
  readonly priority?: number;
}

/** Validates the payload against the catalog, then sends it; returns pg-boss' job id. */
export async function enqueue<Name extends JobName>(
  boss: PgBoss,
  name: Name,
  payload: JobInput<Name>,
  options: EnqueueOptions = {},
): Promise<string> {
  const data = parsePayload(name, payload);
  const send: SendOptions = {};
  if (options.db !== undefined) send.db = options.db;
  if (options.startAfter !== undefined) send.startAfter = options.startAfter;
  if (options.singletonKey !== undefined) send.singletonKey = options.singletonKey;
  if (options.priority !== undefined) send.priority = options.priority;
  const id = await boss.send(name, data as object, send);
  // send() answers null only when a singleton/throttle rule dropped the job.
  if (id === null) throw new Error(`the ${name} job was not queued: an identical singleton job is already waiting`);
  return id;
}
