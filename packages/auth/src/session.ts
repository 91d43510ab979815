import { createHash, randomBytes } from 'node:crypto';
import { ModelSealError } from '@modelseal/core';
import { constantTimeEqual } from './compare.ts';

export interface SessionToken {
  /** Goes to the browser (an HttpOnly cookie); never stored server-side. */
  token: string;
  /** What the sessions table keeps: a database leak then yields no usable session. */
  hash: string;
}

/** 32 random bytes, base64url: 256 bits, so a plain SHA-256 is enough to store it (same argument as API keys). */
export function createSessionToken(): SessionToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSessionToken(token) };
}

export function hashSessionToken(token: string): string {
  if (typeof token !== 'string' || token.length === 0) throw new ModelSealError('INVALID_ARGUMENT', 'session token must be a non-empty string');
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function verifySessionToken(token: string, storedHash: string): boolean {
  if (typeof token !== 'string' || token.length === 0) return false;
  return constantTimeEqual(hashSessionToken(token), storedHash);
}
