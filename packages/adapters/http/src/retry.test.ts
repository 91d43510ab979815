import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs } from './retry.ts';

describe('retry timing', () => {
  it('draws full-jitter delays under an exponentially growing, capped ceiling', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 0 };
    expect(backoffDelay(0, policy, () => 0.999)).toBeCloseTo(99.9);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(DEFAULT_BACKOFF.baseDelayMs).toBeGreaterThan(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
