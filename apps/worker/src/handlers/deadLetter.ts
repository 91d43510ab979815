import type { WorkerContext } from '../context.ts';

const GAVE_UP = 'gave up: every attempt failed or its worker stopped responding';

/**
 * Settles the records of a job pg-boss has given up on. Attempts that fail in a handler
 * record their own failure; this catches the last attempt's worker dying (heartbeat lost),
 * which would otherwise leave a Job row `running` and a delivery `pending` forever.
 */
export async function runDeadLetterJob(context: WorkerContext, data: unknown): Promise<{ settled: string }> {
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  if (typeof record.jobId === 'string') {
    const updated = await context.prisma.job.updateMany({
      where: { id: record.jobId, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', error: GAVE_UP, finishedAt: new Date() },
    });
    return { settled: updated.count > 0 ? `job ${record.jobId}` : 'nothing' };
  }
  if (typeof record.deliveryId === 'string') {
    const updated = await context.prisma.webhookDelivery.updateMany({
      where: { id: record.deliveryId, status: 'pending' },
      data: { status: 'failed', error: GAVE_UP },
    });
    return { settled: updated.count > 0 ? `delivery ${record.deliveryId}` : 'nothing' };
  }
  return { settled: 'nothing' };
}
