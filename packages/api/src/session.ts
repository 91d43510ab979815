// Session tokens for people. The schema has no sessions table, so a session is a signed,
// expiring token: `mss_<payload>.<hmac>`. Its payload carries the user's `updatedAt` at sign-in;
// signing out touches the user row, which invalidates every session of that user at once
// (sign out everywhere) without a table to record revocations in.
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@modelseal/auth';

export const SESSION_PREFIX = 'mss_';
/** Cookie the web app sets with the token (HttpOnly); the API reads it as well as Bearer. */
export const SESSION_COOKIE = 'modelseal_session';
export const DEFAULT_SESSION_TTL_SECONDS = 7 * 24 * 3600;

interface SessionPayload {
  /** User id. */
  u: string;
  /** Expiry, seconds since the epoch. */
  e: number;
  /** The user's updatedAt (ms) when the session was made: a later change revokes it. */
  v: number;
}

function sign(secret: string | Uint8Array, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64url');
}

export function issueSessionToken(secret: string | Uint8Array, userId: string, userVersion: Date, ttlSeconds: number, now = Date.now()): string {
  const payload: SessionPayload = { u: userId, e: Math.floor(now / 1000) + ttlSeconds, v: userVersion.getTime() };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${SESSION_PREFIX}${body}.${sign(secret, body)}`;
}

/** The payload of a well-signed, unexpired token, or undefined; the caller still checks `v` against the user row. */
export function readSessionToken(secret: string | Uint8Array, token: string, now = Date.now()): { userId: string; version: number } | undefined {
  if (!token.startsWith(SESSION_PREFIX)) return undefined;
  const [body, signature, ...rest] = token.slice(SESSION_PREFIX.length).split('.');
  if (!body || !signature || rest.length > 0) return undefined;
  if (!constantTimeEqual(sign(secret, body), signature)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const p = payload as Partial<SessionPayload>;
  if (typeof p.u !== 'string' || typeof p.e !== 'number' || typeof p.v !== 'number') return undefined;
  if (p.e * 1000 <= now) return undefined;
  return { userId: p.u, version: p.v };
}

/** `Set-Cookie` for a session token: HttpOnly so scripts never read it; SameSite=Lax blocks cross-site posts. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
