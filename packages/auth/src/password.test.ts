import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordNeedsRehash, verifyPassword } from './password.ts';

describe('password hashing (argon2id)', () => {
  it('hashes to an argon2id PHC string with a random salt and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(passwordNeedsRehash(a)).toBe(false);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('caf\u00e9-latte');
    expect(await verifyPassword('cafe\u0301-latte', stored)).toBe(true);
  });

  it('enforces length bounds when hashing and refuses over-long input when verifying', async () => {
    await expect(hashPassword('short')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(hashPassword('x'.repeat(1025))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const stored = await hashPassword('x'.repeat(1024));
    expect(await verifyPassword('x'.repeat(1024), stored)).toBe(true);
    expect(await verifyPassword('x'.repeat(1025), stored)).toBe(false);
  });

  it('throws on a stored value that is not an argon2 hash instead of answering "wrong password"', async () => {
    await expect(verifyPassword('whatever1', 'plaintext-password')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(verifyPassword('whatever1', '$argon2id$garbage')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('asks for a rehash when parameters are weaker than the policy', async () => {
    // A real argon2id hash with a lower memory cost: still verifies, but must be upgraded at next login.
    const weak = await hash('correct horse battery', { memoryCost: 4096, timeCost: 2, parallelism: 1 });
    expect(await verifyPassword('correct horse battery', weak)).toBe(true);
    expect(passwordNeedsRehash(weak)).toBe(true);
    expect(passwordNeedsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
  });
});
