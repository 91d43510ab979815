import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, isApiKeyFormat, verifyApiKey } from './apiKey.ts';
import { constantTimeEqual } from './compare.ts';

describe('API keys', () => {
  it('generates msk_ keys with a display prefix and a sha256 hash; the key is not derivable from what is stored', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^msk_[A-Za-z0-9_-]{43}$/);
    expect(prefix).toBe(key.slice(0, 12));
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hash).not.toContain(key.slice(4));
    expect(isApiKeyFormat(key)).toBe(true);
  });

  it('gives every key different secret bits', () => {
    const keys = new Set(Array.from({ length: 50 }, () => generateApiKey().key));
    expect(keys.size).toBe(50);
  });

  it('verifies the right key and rejects others', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(verifyApiKey(a.key, a.hash)).toBe(true);
    expect(verifyApiKey(b.key, a.hash)).toBe(false);
    expect(verifyApiKey('', a.hash)).toBe(false);
    expect(verifyApiKey(a.key, 'not-a-hash')).toBe(false);
    expect(hashApiKey(a.key)).toBe(a.hash);
  });

  it('checks the key shape', () => {
    const { key } = generateApiKey();
    expect(isApiKeyFormat(key.slice(0, -1))).toBe(false);
    expect(isApiKeyFormat(`xxx_${key.slice(4)}`)).toBe(false);
    expect(isApiKeyFormat(`${key.slice(0, -1)}!`)).toBe(false);
    expect(isApiKeyFormat(generateApiKey('mst_').key, 'mst_')).toBe(true);
  });

  it('refuses odd prefixes and empty keys', () => {
    expect(() => generateApiKey('MSK')).toThrow(/prefix/);
    expect(() => hashApiKey('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('constantTimeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'a', false],
  ])('%j vs %j is %s', (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
  });
});
