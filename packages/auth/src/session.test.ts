import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionToken, hashSessionToken, verifySessionToken } from './session.ts';

describe('session tokens', () => {
  it('creates 32 random bytes (base64url) and keeps only a sha256 of them', () => {
    const { token, hash } = createSessionToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashSessionToken(token)).toBe(hash);
    expect(createSessionToken().token).not.toBe(token);
  });

  it('verifies only the matching token', () => {
    const a = createSessionToken();
    expect(verifySessionToken(a.token, a.hash)).toBe(true);
    expect(verifySessionToken(createSessionToken().token, a.hash)).toBe(false);
    expect(verifySessionToken('', a.hash)).toBe(false);
    expect(() => hashSessionToken('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
