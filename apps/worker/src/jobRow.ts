// How a running handler talks to its Job row: progress (throttled), stage, cancellation.
import type { PrismaClient } from '@modelseal/db';

export interface JobRowReporter {
  /** Records a stage name at once (stages are few). */
  stage(stage: string): Promise<void>;
  /** Records a fraction done, at most once per interval; the latest value wins. */
  progress(fraction: number): void;
  /** Waits for queued progress writes, so a final status is not overwritten by a late one. */
  flush(): Promise<void>;
  /** Aborted when the Job row's status becomes `cancelled` (someone cancelled it in the API). */
  readonly cancelled: AbortSignal;
  close(): Promise<void>;
}

export interface JobRowOptions {
  readonly progressIntervalMs: number;
  readonly cancelPollMs: number;
  readonly log: (line: string) => void;
}

export function jobRowReporter(prisma: PrismaClient, jobId: string, options: JobRowOptions): JobRowReporter {
  const controller = new AbortController();
  let pending: number | undefined;
  let lastWrite = 0;
  let timer: NodeJS.Timeout | undefined;
  // Writes are chained so two never race and an older fraction never lands last.
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const write = (): void => {
    timer = undefined;
    if (pending === undefined || closed) return;
    const fraction = pending;
    pending = undefined;
    lastWrite = Date.now();
    chain = chain
      .then(async () => {
        await prisma.job.update({ where: { id: jobId }, data: { progress: fraction } });
      })
      .catch((error: unknown) => options.log(`job ${jobId}: cannot record progress: ${(error as Error).message}`));
  };

  const poll = setInterval(() => {
    prisma.job
      .findUnique({ where: { id: jobId }, select: { status: true } })
      .then((row) => {
        if (row?.status === 'cancelled' && !controller.signal.aborted) controller.abort(new Error('cancelled by request'));
      })
      .catch((error: unknown) => options.log(`job ${jobId}: cannot poll for cancellation: ${(error as Error).message}`));
  }, options.cancelPollMs);

  return {
    cancelled: controller.signal,
    async stage(stage) {
      await prisma.job.update({ where: { id: jobId }, data: { stage } });
    },
    progress(fraction) {
      pending = Math.min(1, Math.max(0, fraction));
      if (timer) return;
      const wait = Math.max(0, lastWrite + options.progressIntervalMs - Date.now());
      timer = setTimeout(write, wait);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      write();
      await chain;
    },
    async close() {
      closed = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      await chain;
    },
  };
}

/** One signal that fires when any of the given ones does. */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  return AbortSignal.any([...signals]);
}
