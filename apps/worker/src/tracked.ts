// Runs one attempt of a job that has a Job row: status transitions, progress, cancellation,
// and the retry decision, the same for every kind of job.
import type { JobWithMetadata } from 'pg-boss';
import type { WorkerContext } from './context.ts';
import { isPermanent, messageOf } from './errors.ts';
import { anySignal, jobRowReporter, type JobRowReporter } from './jobRow.ts';

export interface AttemptOutcome {
  readonly status: 'succeeded' | 'cancelled' | 'skipped' | 'failed';
  readonly detail?: string;
}

export type TrackedWork = (reporter: JobRowReporter, signal: AbortSignal) => Promise<void>;

/**
 * Resolves when the attempt is settled for good (done, cancelled, skipped, or failed with an
 * error no retry can fix); throws when pg-boss should retry it (or record its final failure).
 */
export async function runTracked(context: WorkerContext, jobId: string, job: JobWithMetadata<unknown>, work: TrackedWork): Promise<AttemptOutcome> {
  const { prisma, log } = context;
  const row = await prisma.job.findUnique({ where: { id: jobId }, select: { status: true, startedAt: true } });
  if (!row) {
    log(`job ${jobId}: no Job row; dropping queue job ${job.id}`);
    return { status: 'skipped', detail: 'no Job row' };
  }
  // A retry after the work was committed, or a job cancelled while it waited: nothing to do.
  if (row.status === 'succeeded' || row.status === 'cancelled' || row.status === 'failed') {
    return { status: 'skipped', detail: `Job row is ${row.status}` };
  }
  const claimed = await prisma.job.updateMany({
    where: { id: jobId, status: { in: ['queued', 'running'] } },
    data: { status: 'running', startedAt: row.startedAt ?? new Date(), progress: 0, stage: 'starting', error: null },
  });
  if (claimed.count === 0) return { status: 'skipped', detail: 'Job row changed before start' };
  if (job.retryCount > 0) log(`job ${jobId}: attempt ${job.retryCount + 1} (taken over or retried)`);

  const reporter = jobRowReporter(prisma, jobId, context);
  const signal = anySignal([reporter.cancelled, job.signal]);
  try {
    await work(reporter, signal);
    return { status: 'succeeded' };
  } catch (error) {
    await reporter.close();
    if (reporter.cancelled.aborted) {
      await prisma.job.update({ where: { id: jobId }, data: { finishedAt: new Date(), stage: 'cancelled' } });
      log(`job ${jobId}: cancelled`);
      return { status: 'cancelled' };
    }
    const message = messageOf(error);
    const final = isPermanent(error) || job.retryCount >= job.retryLimit;
    // Only a row still ours is updated: a cancellation that landed meanwhile wins.
    await prisma.job.updateMany({
      where: { id: jobId, status: 'running' },
      data: final ? { status: 'failed', error: message, finishedAt: new Date() } : { status: 'queued', error: message, stage: 'waiting to retry' },
    });
    log(`job ${jobId}: ${final ? 'failed' : 'will retry'}: ${message}`);
    if (isPermanent(error)) return { status: 'failed', detail: message };
    throw error;
  } finally {
    await reporter.close();
  }
}
