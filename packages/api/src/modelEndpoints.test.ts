// models.register confines remote models' endpoints: a project member may not open the HTTP
// adapter's SSRF guard (allowPrivate, allowHosts) unless the operator allowed internal endpoints
// (ApiDeps.allowPrivateEndpoints, MODELSEAL_ALLOW_PRIVATE_ENDPOINTS on the host).
import { httpAdapterFactory } from '@modelseal/adapter-http';
import { AdapterRegistry } from '@modelseal/core';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type ApiDeps } from './context.ts';
import { createCaller } from './router.ts';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

const MODEL_URL = 'https://models.example.com/v2/models/classifier';

let h: Harness;
let owner: ApiCaller;
let token: string;
let projectId: string;

beforeAll(async () => {
  h = await startHarness('model-endpoints', { adapters: new AdapterRegistry().register(httpAdapterFactory) });
  const person = await h.person('endpoints@example.com');
  owner = person.api;
  token = person.token;
  projectId = (await owner.projects.create({ name: 'Endpoints', slug: uniqueSlug('endpoints') })).id;
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

/** The same person against an API built with other deps, as another host configuration would. */
async function apiWith(deps: Partial<ApiDeps>): Promise<ApiCaller> {
  return createCaller(await createContext({ ...h.deps, ...deps, headers: { authorization: `Bearer ${token}` } }));
}

let counter = 0;
function register(api: ApiCaller, config: Record<string, unknown>) {
  counter += 1;
  return api.models.register({ projectId, name: `remote-${counter}`, adapterKind: 'http', config });
}

async function forbidden(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe('FORBIDDEN');
  expect((error as TRPCError).message).toMatch(/does not let models reach internal addresses \(allowPrivate\/allowHosts\).*MODELSEAL_ALLOW_PRIVATE_ENDPOINTS=1/);
}

describe('remote model endpoints at registration', () => {
  it('refuses allowPrivate: true and a non-empty allowHosts by default, and stores nothing', async () => {
    expect(h.deps.allowPrivateEndpoints).toBeUndefined();
    await forbidden(register(owner, { url: MODEL_URL, allowPrivate: true }));
    await forbidden(register(owner, { url: 'http://10.0.0.5:8000/v2/models/m', allowHosts: ['10.0.0.0/8'] }));
    await forbidden(register(owner, { url: MODEL_URL, allowPrivate: false, allowHosts: ['inference.internal'] }));
    await forbidden(register(await apiWith({ allowPrivateEndpoints: false }), { url: MODEL_URL, allowPrivate: true }));
    expect(await h.db.prisma.model.count({ where: { projectId } })).toBe(0);
  });

  it('accepts remote models that keep the guard closed', async () => {
    expect((await register(owner, { url: MODEL_URL })).config).toEqual({ url: MODEL_URL });
    const explicit = { url: MODEL_URL, allowPrivate: false, allowHosts: [] };
    expect((await register(owner, explicit)).config).toEqual(explicit);
  });

  it("lets the config through when the operator allowed internal endpoints", async () => {
    const api = await apiWith({ allowPrivateEndpoints: true });
    const model = await register(api, { url: 'http://127.0.0.1:8000/v2/models/m', allowPrivate: true });
    expect(model.config).toEqual({ url: 'http://127.0.0.1:8000/v2/models/m', allowPrivate: true });
    expect((await register(api, { url: MODEL_URL, allowHosts: ['10.0.0.0/8'] })).adapterKind).toBe('http');
  });

  it("checks the adapter's schema first, and confines endpoints even without an adapter registry", async () => {
    await expectCode(register(owner, { url: MODEL_URL, allowPrivate: 'yes' }), 'BAD_REQUEST');
    await forbidden(register(await apiWith({ adapters: undefined }), { url: MODEL_URL, allowPrivate: true }));
  });
});
