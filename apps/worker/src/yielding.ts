import type { ModelAdapter } from '@modelseal/core';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Wraps an adapter so every model call first yields a full event-loop turn. A fragilize run
 * is a long chain of awaits that can resolve as microtasks only (in-process runtimes), which
 * starves timers: without this, pg-boss heartbeats, cancellation polls and progress writes
 * would not run until the job ends, and another worker would take over a healthy job.
 */
export function yieldingAdapter(adapter: ModelAdapter): ModelAdapter {
  const vjp = adapter.vjp?.bind(adapter);
  const queryCount = adapter.queryCount?.bind(adapter);
  const fineTune = adapter.fineTune?.bind(adapter);
  return {
    kind: adapter.kind,
    describe: () => adapter.describe(),
    predict: async (batch, options) => {
      await nextTurn();
      return adapter.predict(batch, options);
    },
    ...(vjp
      ? {
          vjp: async (batch, cotangent, options) => {
            await nextTurn();
            return vjp(batch, cotangent, options);
          },
        }
      : {}),
    ...(adapter.weights ? { weights: adapter.weights } : {}),
    // Yields between SGD steps by itself (the runtimes' fine-tunes await each step).
    ...(fineTune ? { fineTune } : {}),
    ...(queryCount ? { queryCount } : {}),
    dispose: () => adapter.dispose(),
  };
}
