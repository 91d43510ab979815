import { describe, expect, it } from 'vitest';
import { generateApiKey } from './apiKey.ts';
import { parseBearer } from './bearer.ts';

describe('parseBearer', () => {
  it('returns the token, scheme case-insensitive, surrounding spaces ignored', () => {
    const { key } = generateApiKey();
    expect(parseBearer(`Bearer ${key}`)).toBe(key);
    expect(parseBearer(`bearer ${key}`)).toBe(key);
    expect(parseBearer(`  BEARER   ${key}  `)).toBe(key);
    expect(parseBearer('Bearer abc.def~ghi+/==')).toBe('abc.def~ghi+/==');
  });

  it.each([
    ['missing', undefined, /missing Authorization header/],
    ['null', null, /missing Authorization header/],
    ['blank', '   ', /missing Authorization header/],
    ['Basic scheme', 'Basic dXNlcjpwYXNz', /uses "Basic"; expected "Bearer/],
    ['token without scheme', 'msk_abcdef', /expected "Bearer/],
    ['scheme without token', 'Bearer', /no token/],
    ['scheme and spaces only', 'Bearer    ', /no token/],
    ['two tokens', 'Bearer abc def', /exactly one token/],
    ['comma-separated credentials', 'Bearer abc,def', /not allowed/],
    ['quotes', 'Bearer "abc"', /not allowed/],
    ['padding in the middle', 'Bearer ab=c', /not allowed/],
    ['too long', `Bearer ${'a'.repeat(513)}`, /longer than 512/],
  ])('refuses %s with a clear message', (_name, header, message) => {
    expect(() => parseBearer(header)).toThrow(message);
    expect(() => parseBearer(header)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('does not echo a credential sent under another scheme', () => {
    const secret = 'dXNlcjpzM2NyZXQ=';
    let message = '';
    try {
      parseBearer(`Basic ${secret}`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Basic/);
    expect(message).not.toContain(secret);
    expect(() => parseBearer(`${secret}`)).toThrow(/unrecognised scheme/);
  });
});
