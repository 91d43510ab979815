import { hash, parseOptions, verify } from '@node-rs/argon2';
import { ModelSealError } from '@modelseal/core';

/**
 * Argon2id (the OWASP first choice for password storage) through @node-rs/argon2:
 * maintained, a prebuilt binary per platform inside the npm package, nothing
 * downloaded at install. Parameters are OWASP's minimum for argon2id
 * (19 MiB, 2 passes, 1 lane); they are recorded in each PHC string, so raising
 * them later only needs passwordNeedsRehash() at the next login.
 */
export const PASSWORD_HASH_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** NIST SP 800-63B: at least 8 characters; the cap only bounds the work one request can cause. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string') throw new ModelSealError('INVALID_ARGUMENT', 'password must be a string');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ModelSealError('INVALID_ARGUMENT', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ModelSealError('INVALID_ARGUMENT', `password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  // NFKC: the same password typed on two keyboards (composed vs decomposed accents) must match.
  return hash(password.normalize('NFKC'), PASSWORD_HASH_PARAMS);
}

/**
 * True when password matches the stored hash. A stored value that is not an
 * argon2 hash is a data problem, not a wrong password: it throws so it gets noticed.
 */
export async function verifyPassword(password: string, storedHash: string): Promise<boolean> {
  if (typeof storedHash !== 'string' || !storedHash.startsWith('$argon2')) {
    throw new ModelSealError('INVALID_ARGUMENT', 'stored password hash is not an argon2 PHC string');
  }
  if (typeof password !== 'string' || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(storedHash, password.normalize('NFKC'));
  } catch (cause) {
    throw new ModelSealError('INVALID_ARGUMENT', 'stored password hash is malformed', { cause });
  }
}

/** True when a stored hash was made with weaker or different parameters than today's policy. */
export function passwordNeedsRehash(storedHash: string): boolean {
  if (!storedHash.startsWith('$argon2id$')) return true;
  try {
    const p = parseOptions(storedHash);
    return (
      p.memoryCost !== PASSWORD_HASH_PARAMS.memoryCost ||
      p.timeCost !== PASSWORD_HASH_PARAMS.timeCost ||
      p.parallelism !== PASSWORD_HASH_PARAMS.parallelism
    );
  } catch {
    return true;
  }
}
