/**
 * Runs tasks one at a time in arrival order. Adapters are not re-entrant (one
 * session, one set of buffers), so concurrent HTTP requests must queue.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    // The chain must survive a failed task; the caller still sees the rejection.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
