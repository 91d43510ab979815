/**
 * Checksums and HMAC signatures for trigger sets. A trigger set is a secret and a
 * security artefact: the checksum catches damage, the HMAC catches deliberate
 * edits by anyone who does not hold the signing key.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ModelSealError } from '../errors.ts';

/** A signing key: raw bytes, or a string used as its UTF-8 bytes. */
export type SigningKey = Uint8Array | string;

export const SIGNATURE_ALGORITHM = 'HMAC-SHA256';
export const SIGNING_KEY_ENV = 'MODELSEAL_SIGNING_KEY';
/** Shorter keys are rejected: an HMAC is only as strong as its key is hard to guess. */
export const MIN_SIGNING_KEY_BYTES = 16;

const HEX_KEY = /^(?:[0-9a-fA-F]{2}){16,}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function hmacSha256Hex(key: SigningKey, bytes: Uint8Array): string {
  return createHmac('sha256', signingKeyBytes(key)).update(bytes).digest('hex');
}

/** Constant-time check of a hex HMAC against the bytes it claims to sign. */
export function hmacMatches(key: SigningKey, bytes: Uint8Array, signatureHex: string): boolean {
  const expected = createHmac('sha256', signingKeyBytes(key)).update(bytes).digest();
  if (!/^[0-9a-f]*$/.test(signatureHex) || signatureHex.length !== expected.length * 2) return false;
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}

/** Validates a key and returns its bytes. */
export function signingKeyBytes(key: SigningKey): Uint8Array {
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  if (bytes.length < MIN_SIGNING_KEY_BYTES) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `signing key is ${bytes.length} bytes; use at least ${MIN_SIGNING_KEY_BYTES} (e.g. 64 hex digits from a random source)`,
    );
  }
  return bytes;
}

/**
 * The signing key configured in the environment variable MODELSEAL_SIGNING_KEY,
 * or `undefined` when it is unset or empty.
 *
 * Surrounding whitespace is ignored (keys often come from files with a trailing
 * newline). A value made only of hex digits, of even length and at least 32
 * digits long (e.g. the output of `openssl rand -hex 32`) is decoded as hex;
 * any other value is used as its UTF-8 bytes. The key must be at least
 * 16 bytes either way.
 */
export function signingKeyFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Uint8Array | undefined {
  const raw = env[SIGNING_KEY_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const bytes = HEX_KEY.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'utf8');
  try {
    return signingKeyBytes(new Uint8Array(bytes));
  } catch (error) {
    throw new ModelSealError('INVALID_CONFIG', `${SIGNING_KEY_ENV}: ${(error as Error).message}`, { cause: error });
  }
}
