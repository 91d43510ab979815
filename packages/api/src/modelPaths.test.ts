// models.register confines a model's path: relative to the artifacts folder, or absolute inside a
// folder the operator allowed (MODELSEAL_MODEL_ROOTS), never through a link out of either.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from './context.ts';
import { createCaller } from './router.ts';
import { startHarness, uniqueSlug, type Harness } from './testing/harness.ts';

let h: Harness;
let token: string;
let projectId: string;
let roots: string;
let allowed: string;
let outside: string;

beforeAll(async () => {
  h = await startHarness('model-paths');
  const owner = await h.person('paths@example.com');
  token = owner.token;
  projectId = (await owner.api.projects.create({ name: 'Paths', slug: uniqueSlug('paths') })).id;
  roots = await realpath(await mkdtemp(join(tmpdir(), 'modelseal-roots-')));
  allowed = join(roots, 'allowed');
  outside = join(roots, 'outside');
  await mkdir(allowed);
  await mkdir(outside);
  await writeFile(join(allowed, 'm.onnx'), 'x');
  await writeFile(join(outside, 'secret.onnx'), 'x');
  await symlink(join(outside, 'secret.onnx'), join(allowed, 'escape.onnx'));
}, 120_000);

afterAll(async () => {
  await h?.close();
  if (roots) await rm(roots, { recursive: true, force: true });
}, 60_000);

/** A caller against an API whose operator allowed these model roots. */
async function apiWithRoots(modelRoots: readonly string[] | undefined) {
  return createCaller(await createContext({ ...h.deps, modelRoots, headers: { authorization: `Bearer ${token}` } }));
}

let counter = 0;
async function register(modelRoots: readonly string[] | undefined, path: string) {
  const api = await apiWithRoots(modelRoots);
  counter += 1;
  return api.models.register({ projectId, name: `m${counter}`, adapterKind: 'onnx', config: { path } });
}

async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe('BAD_REQUEST');
  return (error as TRPCError).message;
}

describe('model paths at registration', () => {
  it('accepts paths relative to the artifacts folder, whether the file is there yet or not', async () => {
    expect((await register(undefined, 'mnist/m.onnx')).config).toEqual({ path: 'mnist/m.onnx' });
  });

  it('refuses an absolute path when no model roots are configured, pointing at models.upload', async () => {
    expect(await refusal(register(undefined, join(allowed, 'm.onnx')))).toMatch(/is absolute: upload the model \(models\.upload\) or give a path relative to the artifacts folder/);
  });

  it('refuses ".." segments, even inside an allowed root', async () => {
    expect(await refusal(register(undefined, '../x.onnx'))).toMatch(/"\.\." segment/);
    expect(await refusal(register([allowed], `${allowed}/../outside/secret.onnx`))).toMatch(/"\.\." segment/);
  });

  it('accepts an absolute path inside an allowed root, and refuses one outside every root', async () => {
    expect((await register([allowed], join(allowed, 'm.onnx'))).config).toEqual({ path: join(allowed, 'm.onnx') });
    expect(await refusal(register([allowed], join(outside, 'secret.onnx')))).toMatch(/not inside a folder allowed by MODELSEAL_MODEL_ROOTS/);
  });

  it('refuses a symbolic link that leads out of an allowed root', async () => {
    expect(await refusal(register([allowed], join(allowed, 'escape.onnx')))).toMatch(/not inside a folder allowed/);
    await mkdir(h.deps.artifactsDir, { recursive: true });
    await symlink(outside, join(h.deps.artifactsDir, 'linked-out'));
    expect(await refusal(register(undefined, 'linked-out/secret.onnx'))).toMatch(/leads out of the artifacts folder through a symbolic link/);
  });

  it("refuses paths into the store's own folders, which hold every project's uploads", async () => {
    expect(await refusal(register(undefined, `models/${'ab'.repeat(32)}/model.onnx`))).toMatch(/a folder the artifact store manages for every project/);
    expect(await refusal(register(undefined, `model/ab/${'ab'.repeat(32)}`))).toMatch(/leads into "model"/);
  });

  it('leaves configs without a path alone (remote models)', async () => {
    const api = await apiWithRoots(undefined);
    const model = await api.models.register({ projectId, name: 'remote', adapterKind: 'http', config: { url: 'https://models.example.com/v2/models/m' } });
    expect(model.config).toEqual({ url: 'https://models.example.com/v2/models/m' });
  });
});
