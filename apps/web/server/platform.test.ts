// The platform process as a whole: one port serving the API (the dashboard's pages need a
// build, so they are left out here and covered by the end-to-end tests), embedded PostgreSQL,
// an in-process worker, and the demo seed the README's start command runs.
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from './platform.ts';
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemo } from './seed.ts';

let platform: RunningPlatform;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'modelseal-platform-'));
  await chmod(dir, 0o755);
  platform = await startPlatform({ dataDir: dir, port: 0, worker: 'inline', withoutPages: true, fast: true, env: {}, log: () => {} });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

async function call(path: string, init: RequestInit & { cookie?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set('cookie', init.cookie);
  return fetch(`${platform.url}/api/trpc/${path}`, { ...init, headers });
}

describe('platform', () => {
  it('signs a person in with an HttpOnly session cookie that authenticates later calls', async () => {
    const signUp = await call('auth.signUp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cookie@example.test', password: 'long enough password' }),
    });
    expect(signUp.status).toBe(200);
    const setCookie = signUp.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^modelseal_session=mss_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = setCookie.split(';')[0]!;

    const me = await call('auth.me', { cookie });
    expect(me.status).toBe(200);
    expect(JSON.stringify(await me.json())).toContain('cookie@example.test');

    const signOut = await call('auth.signOut', { method: 'POST', headers: { 'content-type': 'application/json' }, cookie });
    expect(signOut.status, await signOut.clone().text()).toBe(200);
    expect(signOut.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await call('auth.me', { cookie })).status).toBe(401);
  });

  it('answers errors without server stack traces', async () => {
    const response = await call('auth.me');
    expect(response.status).toBe(401);
    const body = JSON.stringify(await response.json());
    expect(body).not.toContain('stack');
    expect(body).not.toContain('.ts:');
  });

  it('seeds the demo once: three models, a trigger set, intact audits and one tampered copy', async () => {
    const first = await seedDemo(platform);
    expect(first.created).toBe(true);
    const again = await seedDemo(platform);
    expect(again.created).toBe(false);

    const { prisma } = platform.deps;
    const models = await prisma.model.findMany({ where: { projectId: first.projectId! }, include: { audits: true, triggerSets: true } });
    expect(models.map((m) => m.name).sort()).toEqual(['mnist-cnn', 'mnist-cnn @ eu-edge', 'mnist-cnn @ us-east']);
    const byName = new Map(models.map((m) => [m.name, m]));
    expect(byName.get('mnist-cnn')!.triggerSets).toHaveLength(1);
    expect(byName.get('mnist-cnn')!.triggerSets[0]!.sampleCount).toBe(100);
    expect(byName.get('mnist-cnn')!.audits.every((a) => a.intact)).toBe(true);
    expect(byName.get('mnist-cnn @ us-east')!.audits.every((a) => a.intact && a.changeRate === 0)).toBe(true);
    const tampered = byName.get('mnist-cnn @ eu-edge')!.audits;
    expect(tampered).toHaveLength(1);
    expect(tampered[0]!.intact).toBe(false);
    expect(tampered[0]!.changeRate).toBeGreaterThan(0.1);

    // The printed credentials work over HTTP.
    const signIn = await call('auth.signIn', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }) });
    expect(signIn.status).toBe(200);
  }, 240_000);
});
