import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from './context.ts';
import { createCaller } from './router.ts';
import { SignInLimiter } from './signInLimiter.ts';
import { expectCode, startHarness, type Harness } from './testing/harness.ts';

describe('SignInLimiter', () => {
  it('blocks after the allowed failures and lets the window expire', () => {
    let now = 0;
    const limiter = new SignInLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.retryAfterSeconds('a@x')).toBe(0);
      limiter.recordFailure('a@x');
      now += 1_000;
    }
    expect(limiter.retryAfterSeconds('a@x')).toBe(57);
    expect(limiter.retryAfterSeconds('b@x')).toBe(0);
    now = 60_001;
    expect(limiter.retryAfterSeconds('a@x')).toBe(0);
  });

  it('forgets failures after a successful sign-in', () => {
    const limiter = new SignInLimiter({ maxFailures: 2 });
    limiter.recordFailure('a@x');
    limiter.recordSuccess('a@x');
    limiter.recordFailure('a@x');
    expect(limiter.retryAfterSeconds('a@x')).toBe(0);
  });
});

describe('auth.signIn rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('signin-limit');
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  }, 60_000);

  it('answers TOO_MANY_REQUESTS after repeated wrong passwords, even with the right one', async () => {
    const api = createCaller(await createContext({ ...h.deps, signInLimiter: new SignInLimiter({ maxFailures: 3 }), headers: {} }));
    await api.auth.signUp({ email: 'guess@example.com', password: 'correct horse battery' });
    for (let i = 0; i < 3; i += 1) await expectCode(api.auth.signIn({ email: 'guess@example.com', password: `wrong guess ${i}` }), 'UNAUTHORIZED');
    await expectCode(api.auth.signIn({ email: 'guess@example.com', password: 'correct horse battery' }), 'TOO_MANY_REQUESTS');
  });
});
