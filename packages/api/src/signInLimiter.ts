// Slows down password guessing: after too many failed sign-ins for one email within a window,
// further attempts are refused until the window has passed. Kept in memory, per API process —
// several web processes each count on their own, which still bounds guessing per process.
export interface SignInLimiterOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

export class SignInLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: SignInLimiterOptions = {}) {
    this.#max = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#windowMs;
    const kept = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, kept);
    return kept;
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfterSeconds(key: string): number {
    const recent = this.#recent(key);
    if (recent.length < this.#max) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.#max]! + this.#windowMs - this.#now()) / 1000));
  }

  recordFailure(key: string): void {
    this.#failures.set(key, [...this.#recent(key), this.#now()]);
  }

  /** A successful sign-in clears the count: the owner should not stay locked out by a guesser. */
  recordSuccess(key: string): void {
    this.#failures.delete(key);
  }
}

/** Used when the host passes none (one per process). */
export const defaultSignInLimiter = new SignInLimiter();
