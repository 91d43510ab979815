import { createHmac } from 'node:crypto';
import { ModelSealError } from '@modelseal/core';

/** The environment variable that carries the artifact encryption key. */
export const ARTIFACT_KEY_ENV = 'MODELSEAL_ARTIFACT_KEY';

const KEY_BYTES = 32;

/**
 * Parses a 32-byte AES-256 key given as 64 hex digits or as base64 (standard or
 * URL-safe). Errors never echo the value: it is a secret, and error messages end
 * up in logs.
 */
export function parseEncryptionKey(value: string | Uint8Array, source = 'encryption key'): Buffer {
  if (typeof value !== 'string') {
    if (value.length !== KEY_BYTES) {
      throw new ModelSealError('INVALID_CONFIG', `${source} must be ${KEY_BYTES} bytes, got ${value.length}`);
    }
    return Buffer.from(value);
  }
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  // Strict alphabet check first: Buffer.from(…, 'base64') silently skips junk characters.
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new ModelSealError(
    'INVALID_CONFIG',
    `${source} must be ${KEY_BYTES} random bytes written as 64 hex digits or as base64 ` +
      `(for example: node -e "console.log(require('crypto').randomBytes(32).toString('hex'))")`,
  );
}

/**
 * Reads the key from MODELSEAL_ARTIFACT_KEY; undefined when unset or empty, so the
 * caller decides whether a missing key is acceptable (it is not for trigger sets).
 */
export function encryptionKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const value = env[ARTIFACT_KEY_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  return parseEncryptionKey(value, ARTIFACT_KEY_ENV);
}

/**
 * A short, non-secret identifier of a key, stored in each encrypted file's header.
 * It lets a read with the wrong key say "wrong key" instead of "corrupt file",
 * which matters during key rotation. An HMAC output reveals nothing of the key.
 */
export function keyId(key: Uint8Array): Buffer {
  return createHmac('sha256', key).update('modelseal artifact key id v1').digest().subarray(0, 8);
}
