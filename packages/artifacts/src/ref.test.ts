import { describe, expect, it } from 'vitest';
import { assertKind, formatRef, parseRef } from './ref.ts';

const hex = 'ab'.repeat(32);

describe('refs', () => {
  it('round-trips a digest', () => {
    expect(parseRef(formatRef(hex))).toBe(hex);
  });

  it.each([
    ['path traversal', 'sha256:../../etc/passwd'],
    ['traversal after a digest', `sha256:${hex}/../../x`],
    ['uppercase hex', `sha256:${hex.toUpperCase()}`],
    ['short digest', 'sha256:abcd'],
    ['other algorithm', `md5:${hex}`],
    ['bare digest', hex],
    ['trailing newline', `sha256:${hex}\n`],
    ['empty', ''],
  ])('refuses %s', (_name, ref) => {
    expect(() => parseRef(ref)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses unknown kinds (they become folder names)', () => {
    expect(assertKind('model')).toBe('model');
    expect(() => assertKind('../model')).toThrow(/unknown artifact kind/);
  });
});
