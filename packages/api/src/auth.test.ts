import { hashApiKey } from '@modelseal/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from './session.ts';
import { expectCode, startHarness, uniqueSlug, type Harness } from './testing/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('auth');
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('people: sign-up, sign-in, sessions', () => {
  it('signs up, stores an argon2 hash (not the password), and signs in with the same password', async () => {
    const anonymous = await h.as({});
    const up = await anonymous.auth.signUp({ email: 'Ada@Example.com', password: 'correct horse battery' });
    expect(up.user.email).toBe('ada@example.com');
    const row = await h.db.prisma.user.findUniqueOrThrow({ where: { id: up.user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('correct horse');

    const signIn = await anonymous.auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    const me = await (await h.bearer(signIn.token)).auth.me();
    expect(me).toMatchObject({ kind: 'user', user: { id: up.user.id } });
  });

  it('rejects a wrong password and an unknown email with the same UNAUTHORIZED', async () => {
    const anonymous = await h.as({});
    await anonymous.auth.signUp({ email: 'bob@example.com', password: 'correct horse battery' });
    await expectCode(anonymous.auth.signIn({ email: 'bob@example.com', password: 'wrong horse battery' }), 'UNAUTHORIZED');
    await expectCode(anonymous.auth.signIn({ email: 'nobody@example.com', password: 'correct horse battery' }), 'UNAUTHORIZED');
  });

  it('refuses a duplicate email and a too-short password', async () => {
    const anonymous = await h.as({});
    await anonymous.auth.signUp({ email: 'dup@example.com', password: 'correct horse battery' });
    await expectCode(anonymous.auth.signUp({ email: 'DUP@example.com', password: 'another long password' }), 'CONFLICT');
    await expectCode(anonymous.auth.signUp({ email: 'short@example.com', password: 'short' }), 'BAD_REQUEST');
  });

  it('accepts the session from the cookie, rejects a tampered token, and ends sessions at sign-out', async () => {
    const { token, api } = await h.person('carol@example.com');
    const viaCookie = await h.as({ cookie: `other=1; ${SESSION_COOKIE}=${encodeURIComponent(token)}` });
    expect((await viaCookie.auth.me()).kind).toBe('user');

    const last = token.at(-1) === 'A' ? 'B' : 'A';
    await expectCode((await h.bearer(token.slice(0, -1) + last)).auth.me(), 'UNAUTHORIZED');
    await expectCode((await h.as({})).projects.list(), 'UNAUTHORIZED');

    await api.auth.signOut();
    await expectCode((await h.bearer(token)).auth.me(), 'UNAUTHORIZED');
  });
});

describe('API keys', () => {
  it('shows the key once, stores only its hash, authenticates with it, and stops at revocation', async () => {
    const { api } = await h.person('owner@example.com');
    const project = await api.projects.create({ name: 'A', slug: uniqueSlug('a') });
    const created = await api.apiKeys.create({ projectId: project.id, name: 'ci' });
    expect(created.key).toMatch(/^msk_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const row = await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.hash).toBe(hashApiKey(created.key));
    expect(Object.values(row).some((v) => typeof v === 'string' && v.includes(created.key))).toBe(false);

    const listed = await api.apiKeys.list({ projectId: project.id });
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed[0]).not.toHaveProperty('hash');
    expect(listed[0]?.prefix).toBe(created.prefix);

    const machine = await h.bearer(created.key);
    expect(await machine.auth.me()).toMatchObject({ kind: 'apiKey', projectId: project.id, role: 'member' });
    expect((await machine.projects.list()).map((p) => p.id)).toEqual([project.id]);
    expect((await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).not.toBeNull();
    // Keys act inside their project only: no new projects, no account actions.
    await expectCode(machine.projects.create({ name: 'B', slug: uniqueSlug('b') }), 'FORBIDDEN');
    await expectCode(machine.auth.signOut(), 'FORBIDDEN');

    await api.apiKeys.revoke({ projectId: project.id, apiKeyId: created.id });
    await expectCode((await h.bearer(created.key)).auth.me(), 'UNAUTHORIZED');
  });

  it('ignores an expired key', async () => {
    const { api } = await h.person('exp@example.com');
    const project = await api.projects.create({ name: 'E', slug: uniqueSlug('e') });
    const created = await api.apiKeys.create({ projectId: project.id, name: 'old', expiresAt: new Date(Date.now() + 60_000) });
    await h.db.prisma.apiKey.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectCode((await h.bearer(created.key)).auth.me(), 'UNAUTHORIZED');
  });
});
