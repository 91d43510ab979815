import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_KEY_ENV, encryptionKeyFromEnv, keyId, parseEncryptionKey } from './key.ts';

describe('parseEncryptionKey', () => {
  const raw = randomBytes(32);

  it('accepts 64 hex digits, standard base64 and URL-safe base64', () => {
    expect(parseEncryptionKey(raw.toString('hex')).equals(raw)).toBe(true);
    expect(parseEncryptionKey(raw.toString('base64')).equals(raw)).toBe(true);
    expect(parseEncryptionKey(raw.toString('base64url')).equals(raw)).toBe(true);
    expect(parseEncryptionKey(new Uint8Array(raw)).equals(raw)).toBe(true);
  });

  it('refuses keys of the wrong length without echoing them', () => {
    const short = randomBytes(16).toString('hex');
    const error = (() => {
      try {
        parseEncryptionKey(short);
      } catch (e) {
        return e as Error & { code?: string };
      }
      return undefined;
    })();
    expect(error?.code).toBe('INVALID_CONFIG');
    expect(error?.message).not.toContain(short);
    expect(() => parseEncryptionKey(randomBytes(31))).toThrow(/32 bytes/);
    expect(() => parseEncryptionKey('not a key!')).toThrow(/64 hex digits or as base64/);
  });
});

describe('encryptionKeyFromEnv', () => {
  it('reads MODELSEAL_ARTIFACT_KEY and treats unset or empty as no key', () => {
    const raw = randomBytes(32);
    expect(encryptionKeyFromEnv({ [ARTIFACT_KEY_ENV]: raw.toString('hex') })?.equals(raw)).toBe(true);
    expect(encryptionKeyFromEnv({})).toBeUndefined();
    expect(encryptionKeyFromEnv({ [ARTIFACT_KEY_ENV]: '  ' })).toBeUndefined();
    expect(() => encryptionKeyFromEnv({ [ARTIFACT_KEY_ENV]: 'abc' })).toThrow(ARTIFACT_KEY_ENV);
  });
});

describe('keyId', () => {
  it('is stable per key and differs between keys', () => {
    const a = randomBytes(32);
    expect(keyId(a).equals(keyId(Buffer.from(a)))).toBe(true);
    expect(keyId(a).equals(keyId(randomBytes(32)))).toBe(false);
    expect(keyId(a)).toHaveLength(8);
  });
});
