import { createHash, randomBytes } from 'node:crypto';
import { ModelSealError } from '@modelseal/core';
import { constantTimeEqual } from './compare.ts';

export const API_KEY_PREFIX = 'msk_';
const SECRET_BYTES = 32;
/** base64url of 32 bytes, no padding. */
const SECRET_CHARS = 43;
/** msk_ plus 8 secret characters: enough to tell keys apart in a list, far too few to guess the rest. */
const DISPLAY_PREFIX_LENGTH = 12;

export interface GeneratedApiKey {
  /** The whole key: show it once, never store it. */
  key: string;
  /** The first characters, stored in clear to let people recognise the key. */
  prefix: string;
  /** What the database keeps (hex sha256); see hashApiKey. */
  hash: string;
}

export function generateApiKey(prefix: string = API_KEY_PREFIX): GeneratedApiKey {
  if (!/^[a-z][a-z0-9]{0,15}_$/.test(prefix)) {
    throw new ModelSealError('INVALID_ARGUMENT', `API key prefix ${JSON.stringify(prefix)} must be lowercase letters/digits ending in "_"`);
  }
  const key = prefix + randomBytes(SECRET_BYTES).toString('base64url');
  return { key, prefix: displayPrefix(key, prefix), hash: hashApiKey(key) };
}

function displayPrefix(key: string, prefix: string): string {
  return key.slice(0, Math.max(DISPLAY_PREFIX_LENGTH, prefix.length + 8));
}

/** True when the text has the shape of a key we issue (cheap rejection before any lookup). */
export function isApiKeyFormat(key: string, prefix: string = API_KEY_PREFIX): boolean {
  return (
    typeof key === 'string' &&
    key.startsWith(prefix) &&
    key.length === prefix.length + SECRET_CHARS &&
    /^[A-Za-z0-9_-]+$/.test(key.slice(prefix.length))
  );
}

/**
 * Plain SHA-256, not HMAC with a server pepper, and not a slow password hash.
 * The key carries 256 random bits, so its hash cannot be brute-forced whatever
 * leaks; the slowness of argon2 or the secrecy of a pepper only help low-entropy
 * secrets (passwords). A pepper would add a second secret to manage, and losing
 * or rotating it would invalidate every key at once. A deterministic hash also
 * lets the database find a key by an indexed equality lookup.
 */
export function hashApiKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new ModelSealError('INVALID_ARGUMENT', 'API key must be a non-empty string');
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares a presented key with a stored hash in constant time. */
export function verifyApiKey(key: string, storedHash: string): boolean {
  if (typeof key !== 'string' || key.length === 0) return false;
  return constantTimeEqual(hashApiKey(key), storedHash);
}
