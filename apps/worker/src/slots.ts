// A counting semaphore: the model-heavy queues of one worker (fragilize, evaluate) draw from
// one pool of slots, so a worker with one GPU runs one such job at a time whichever queue it
// came from.

/** Gives the slot back; calling it again does nothing, so a finally block may always call it. */
export type ReleaseSlot = () => void;

interface Waiter {
  readonly grant: (release: ReleaseSlot) => void;
}

export class Slots {
  readonly size: number;
  #free: number;
  // First come, first served: a job that has waited longest gets the next free slot, so a busy
  // queue cannot starve the other one.
  readonly #waiters: Waiter[] = [];

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`slots: size must be a positive integer, got ${size}`);
    this.size = size;
    this.#free = size;
  }

  /** Slots nobody holds. */
  get free(): number {
    return this.#free;
  }

  /** Callers waiting in acquire(). */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** A slot now, or undefined when all are taken (never queues). */
  tryAcquire(): ReleaseSlot | undefined {
    // Waiters come first, even when a slot is free for a moment between a release and their grant.
    if (this.#free === 0 || this.#waiters.length > 0) return undefined;
    this.#free -= 1;
    return this.#lease();
  }

  /** Waits for a slot; rejects with the signal's reason if it is aborted first. */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #lease(): ReleaseSlot {
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      // Handed straight to the next waiter, so nobody can take it in between.
      const next = this.#waiters.shift();
      if (next) next.grant(this.#lease());
      else this.#free += 1;
    };
  }
}
