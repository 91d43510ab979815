import { ModelSealError } from '@modelseal/core';

/** Longer than any token we issue by far; bounds work on hostile input. */
const MAX_TOKEN_LENGTH = 512;
/** RFC 6750 b64token: the only characters a bearer token may contain. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Extracts the token from an `Authorization: Bearer <token>` header value.
 * Every failure says what was wrong (missing, wrong scheme, no token, bad
 * characters) without echoing the credential, since errors end up in logs.
 */
export function parseBearer(header: string | null | undefined): string {
  if (header === undefined || header === null || header.trim() === '') {
    throw new ModelSealError('INVALID_ARGUMENT', 'missing Authorization header: send "Authorization: Bearer <api key>"');
  }
  if (typeof header !== 'string') throw new ModelSealError('INVALID_ARGUMENT', 'Authorization header must be a single string');
  const value = header.trim();
  const space = value.search(/\s/);
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') {
    // Only the scheme name is shown: what follows it is a credential.
    const shown = /^[A-Za-z0-9-]{1,20}$/.test(scheme) ? `"${scheme}"` : 'an unrecognised scheme';
    throw new ModelSealError('INVALID_ARGUMENT', `Authorization header uses ${shown}; expected "Bearer <api key>"`);
  }
  const token = space === -1 ? '' : value.slice(space).trim();
  if (token === '') throw new ModelSealError('INVALID_ARGUMENT', 'Authorization header has the Bearer scheme but no token');
  if (/\s/.test(token)) throw new ModelSealError('INVALID_ARGUMENT', 'Authorization header must carry exactly one token after "Bearer"');
  if (token.length > MAX_TOKEN_LENGTH) throw new ModelSealError('INVALID_ARGUMENT', `bearer token is longer than ${MAX_TOKEN_LENGTH} characters`);
  if (!B64TOKEN.test(token)) throw new ModelSealError('INVALID_ARGUMENT', 'bearer token contains characters not allowed in a token (RFC 6750)');
  return token;
}
