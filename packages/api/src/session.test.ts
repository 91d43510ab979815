import { describe, expect, it } from 'vitest';
import { issueSessionToken, readSessionToken, SESSION_PREFIX } from './session.ts';

const SECRET = 'unit-test-secret-0123456789abcdef';
const USER = '6f1c1f8e-8d7a-4e43-9b3c-2a0a4b1f0c11';
const VERSION = new Date('2026-01-01T00:00:00Z');

describe('session tokens', () => {
  it('round-trips the user and the user-row version while unexpired', () => {
    const token = issueSessionToken(SECRET, USER, VERSION, 60, 1_000_000);
    expect(token.startsWith(SESSION_PREFIX)).toBe(true);
    expect(readSessionToken(SECRET, token, 1_000_000 + 59_000)).toEqual({ userId: USER, version: VERSION.getTime() });
  });

  it('rejects an expired token, another secret, and an edited payload', () => {
    const token = issueSessionToken(SECRET, USER, VERSION, 60, 1_000_000);
    expect(readSessionToken(SECRET, token, 1_000_000 + 60_000)).toBeUndefined();
    expect(readSessionToken('another-secret-0123456789abcdef!!', token, 1_000_000)).toBeUndefined();
    const [body, signature] = token.slice(SESSION_PREFIX.length).split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), u: 'someone-else' })).toString('base64url');
    expect(readSessionToken(SECRET, `${SESSION_PREFIX}${forged}.${signature}`, 1_000_000)).toBeUndefined();
  });

  it('rejects malformed tokens without throwing', () => {
    for (const bad of ['', 'mss_', 'mss_a', 'mss_a.b.c', 'msk_x.y', `${SESSION_PREFIX}!!.??`]) {
      expect(readSessionToken(SECRET, bad)).toBeUndefined();
    }
  });
});
