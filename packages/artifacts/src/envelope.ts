import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CipherGCM } from 'node:crypto';
import { ModelSealError } from '@modelseal/core';
import { keyId } from './key.ts';

/**
 * On-disk layout of an encrypted artifact:
 *
 *   magic "MSAE" (4) | version 1 (1) | key id (8) | nonce (12) | GCM tag (16) | ciphertext
 *
 * Everything before the tag is bound as additional authenticated data, so a
 * changed version or key id fails authentication rather than being trusted.
 * The tag sits in the header (not at the end) so a reader knows the layout from
 * the first 41 bytes; the writer patches it in after streaming the ciphertext.
 */
export const MAGIC = Buffer.from('MSAE', 'ascii');
export const FORMAT_VERSION = 1;
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 12; // the GCM standard nonce size; random per file, never reused with a key in practice
const TAG_BYTES = 16;
export const AAD_LENGTH = MAGIC.length + 1 + KEY_ID_BYTES + NONCE_BYTES;
export const TAG_OFFSET = AAD_LENGTH;
export const HEADER_LENGTH = AAD_LENGTH + TAG_BYTES;

export interface Encryptor {
  /** The header with a zero tag; write it first, then patch the tag at TAG_OFFSET. */
  readonly header: Buffer;
  update(chunk: Uint8Array): Buffer;
  /** Flushes the cipher; returns the remaining ciphertext and the tag. */
  final(): { rest: Buffer; tag: Buffer };
}

export function createEncryptor(key: Uint8Array): Encryptor {
  const nonce = randomBytes(NONCE_BYTES);
  const aad = Buffer.concat([MAGIC, Buffer.of(FORMAT_VERSION), keyId(key), nonce]);
  const cipher: CipherGCM = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return {
    header: Buffer.concat([aad, Buffer.alloc(TAG_BYTES)]),
    update: (chunk) => cipher.update(chunk),
    final: () => {
      const rest = cipher.final();
      return { rest, tag: cipher.getAuthTag() };
    },
  };
}

/**
 * Decrypts a whole encrypted file with whichever of `keys` wrote it (matched by
 * key id, so old keys can stay readable during a rotation). `ref` only names the
 * artifact in errors. A wrong key is INVALID_CONFIG (an operator problem, fixed by
 * configuration); any other authentication failure is CORRUPT_FILE (the bytes
 * were altered).
 */
export function decryptEnvelope(file: Uint8Array, keys: readonly Uint8Array[], ref: string): Buffer {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.length < HEADER_LENGTH || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ModelSealError('CORRUPT_FILE', `artifact ${ref}: encrypted file has no valid header (truncated or altered)`);
  }
  const version = bytes[MAGIC.length];
  if (version !== FORMAT_VERSION) {
    throw new ModelSealError('UNSUPPORTED', `artifact ${ref}: encrypted file format version ${version} is not supported (this build reads ${FORMAT_VERSION})`);
  }
  if (keys.length === 0) {
    throw new ModelSealError('INVALID_CONFIG', `artifact ${ref} is encrypted but no artifact key is configured (MODELSEAL_ARTIFACT_KEY)`);
  }
  const storedKeyId = bytes.subarray(MAGIC.length + 1, MAGIC.length + 1 + KEY_ID_BYTES);
  const key = keys.find((candidate) => timingSafeEqual(keyId(candidate), storedKeyId));
  if (key === undefined) {
    throw new ModelSealError(
      'INVALID_CONFIG',
      `artifact ${ref} was encrypted with another key (key id ${storedKeyId.toString('hex')}); ` +
        `the configured key ids are ${keys.map((k) => keyId(k).toString('hex')).join(', ')}`,
    );
  }
  const nonce = bytes.subarray(MAGIC.length + 1 + KEY_ID_BYTES, AAD_LENGTH);
  const tag = bytes.subarray(TAG_OFFSET, HEADER_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(bytes.subarray(0, AAD_LENGTH));
  decipher.setAuthTag(tag);
  try {
    // Nothing is returned before final() has checked the tag: no unauthenticated plaintext escapes.
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_LENGTH)), decipher.final()]);
  } catch (cause) {
    throw new ModelSealError('CORRUPT_FILE', `artifact ${ref}: encrypted file failed authentication (AES-GCM tag mismatch): its bytes were altered`, { cause });
  }
}
