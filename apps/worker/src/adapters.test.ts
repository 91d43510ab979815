import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createArtifactStore, MODEL_ROOTS_ENV, PRIVATE_ENDPOINTS_ENV, uploadedModelFolder, type ArtifactStore } from '@modelseal/artifacts';
import type { AdapterRegistry } from '@modelseal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterRegistry, openModelRow } from './adapters.ts';
import type { WorkerContext } from './context.ts';
import { REPO_ROOT } from './testing/database.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ONNX_FIXTURES = join(REPO_ROOT, 'packages/adapters/onnx/fixtures');
const ONNX_MODEL = join(ONNX_FIXTURES, 'cnn_mnist_logits.onnx');

describe('createAdapterRegistry', () => {
  it('has the built-in adapters and loads third-party ones named in configuration', async () => {
    const registry = await createAdapterRegistry(['./testing/plugin.ts'], here);
    expect(['tfjs', 'onnx', 'http', 'test-constant'].every((kind) => registry.has(kind))).toBe(true);

    const context = { registry, log: () => undefined, artifactsDir: here } as unknown as WorkerContext;
    const adapter = await openModelRow(context, { adapterKind: 'test-constant', config: { classes: 4 }, artifactRef: null });
    const out = await adapter.predict({ data: new Float32Array(2), shape: [2, 1] });
    expect(out.shape).toEqual([2, 4]);
    await adapter.dispose();
  });

  it('refuses a stored config the adapter schema rejects, and a plug-in that does not load', async () => {
    const registry = await createAdapterRegistry(['./testing/plugin.ts'], here);
    const context = { registry, log: () => undefined, artifactsDir: here } as unknown as WorkerContext;
    await expect(openModelRow(context, { adapterKind: 'test-constant', config: { classes: 1 }, artifactRef: null })).rejects.toThrow(
      /invalid config for adapter "test-constant"/,
    );
    await expect(createAdapterRegistry(['./testing/no-such-plugin.ts'], here)).rejects.toThrow(/cannot load adapter plug-in/);
  });
});

describe('openModelRow', () => {
  let work: string;
  let artifactsDir: string;
  let store: ArtifactStore;
  let registry: AdapterRegistry;
  const contextWith = (extra: Partial<WorkerContext> = {}) =>
    ({ registry, log: () => undefined, artifactsDir, artifacts: store, ...extra }) as unknown as WorkerContext;

  beforeAll(async () => {
    work = await realpath(await mkdtemp(join(tmpdir(), 'modelseal-worker-open-')));
    artifactsDir = join(work, 'artifacts');
    store = createArtifactStore({ root: artifactsDir });
    registry = await createAdapterRegistry([], here);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('opens an uploaded model from the store, unpacked once into models/<sha256>/ and shared by concurrent opens', async () => {
    const bundle = await store.putFiles([{ path: 'nested/model.onnx', bytes: await readFile(ONNX_MODEL) }]);
    const row = { adapterKind: 'onnx', config: { path: 'nested/model.onnx' }, artifactRef: bundle.ref };
    const adapters = await Promise.all([1, 2, 3].map(() => openModelRow(contextWith(), row)));
    expect(adapters[0]!.describe()).toMatchObject({ numClasses: 10 });
    for (const adapter of adapters) await adapter.dispose();
    // One folder per bundle, no temp copies left by the opens that lost the race.
    expect(await readdir(join(artifactsDir, 'models'))).toEqual([bundle.sha256]);
    expect(await readdir(join(uploadedModelFolder(artifactsDir, bundle.sha256), 'nested'))).toEqual(['model.onnx']);
  });

  it('keeps an uploaded model inside its own folder, whatever the model roots allow', async () => {
    const bundle = await store.putFiles([{ path: 'model.onnx', bytes: await readFile(ONNX_MODEL) }]);
    const context = contextWith({ modelRoots: [ONNX_FIXTURES] });
    await expect(openModelRow(context, { adapterKind: 'onnx', config: { path: ONNX_MODEL }, artifactRef: bundle.ref })).rejects.toThrow(/is absolute/);
    await expect(openModelRow(context, { adapterKind: 'onnx', config: { path: '../x.onnx' }, artifactRef: bundle.ref })).rejects.toThrow(
      /climb out of the uploaded model/,
    );
  });

  it('says so when an uploaded model is missing from the store', async () => {
    const missing = `sha256:${'ab'.repeat(32)}`;
    await expect(openModelRow(contextWith(), { adapterKind: 'onnx', config: { path: 'model.onnx' }, artifactRef: missing })).rejects.toMatchObject({
      code: 'MODEL_LOAD',
      message: expect.stringContaining(`${missing}) are not in the artifact store`),
    });
  });

  it('treats other artifact refs as labels and confines registered paths to the artifacts folder and the model roots', async () => {
    const label = { artifactRef: 'mnist-cnn v3 (s3://bucket/model.onnx)' };
    // Absolute paths: refused without roots, accepted inside one, refused outside or through a link out.
    await expect(openModelRow(contextWith({ modelRoots: [] }), { adapterKind: 'onnx', config: { path: ONNX_MODEL }, ...label })).rejects.toThrow(
      /upload the model \(models\.upload\)/,
    );
    const inRoot = await openModelRow(contextWith({ modelRoots: [ONNX_FIXTURES] }), { adapterKind: 'onnx', config: { path: ONNX_MODEL }, ...label });
    await inRoot.dispose();
    const linkDir = join(work, 'links');
    await mkdir(linkDir);
    await symlink(ONNX_MODEL, join(linkDir, 'm.onnx'));
    await expect(
      openModelRow(contextWith({ modelRoots: [linkDir] }), { adapterKind: 'onnx', config: { path: join(linkDir, 'm.onnx') }, ...label }),
    ).rejects.toThrow(/not inside a folder allowed by MODELSEAL_MODEL_ROOTS/);
    // Relative paths resolve in the artifacts folder, and may not climb out of it nor reach into
    // the folders the store manages (where other projects' uploads are unpacked).
    await expect(openModelRow(contextWith({ modelRoots: [] }), { adapterKind: 'onnx', config: { path: '../m.onnx' }, artifactRef: null })).rejects.toThrow(
      /".." segment/,
    );
    const unpacked = (await readdir(join(artifactsDir, 'models')))[0]!;
    await expect(
      openModelRow(contextWith({ modelRoots: [] }), { adapterKind: 'onnx', config: { path: `models/${unpacked}/nested/model.onnx` }, artifactRef: null }),
    ).rejects.toThrow(/a folder the artifact store manages for every project/);
  });

  it('reads the model roots from MODELSEAL_MODEL_ROOTS when the context names none', async () => {
    const saved = process.env[MODEL_ROOTS_ENV];
    try {
      process.env[MODEL_ROOTS_ENV] = ONNX_FIXTURES;
      const adapter = await openModelRow(contextWith(), { adapterKind: 'onnx', config: { path: ONNX_MODEL }, artifactRef: null });
      await adapter.dispose();
      process.env[MODEL_ROOTS_ENV] = '';
      await expect(openModelRow(contextWith(), { adapterKind: 'onnx', config: { path: ONNX_MODEL }, artifactRef: null })).rejects.toThrow(/is absolute/);
    } finally {
      if (saved === undefined) delete process.env[MODEL_ROOTS_ENV];
      else process.env[MODEL_ROOTS_ENV] = saved;
    }
  });
});

describe('openModelRow with a remote model', () => {
  // A model server on loopback, as an internal inference service would be: it answers the Open
  // Inference Protocol's readiness and metadata calls, and counts every request it gets.
  let server: Server;
  let url: string;
  const seen: string[] = [];
  let registry: AdapterRegistry;
  const contextWith = (extra: Partial<WorkerContext> = {}) => ({ registry, log: () => undefined, artifactsDir: here, ...extra }) as unknown as WorkerContext;
  const row = (config: Record<string, unknown>) => ({ adapterKind: 'http', config: { url, ...config }, artifactRef: null });
  const refusedByOperator = { code: 'FORBIDDEN_ADDRESS', message: expect.stringContaining('this server does not let models reach internal addresses') };

  beforeAll(async () => {
    registry = await createAdapterRegistry([], here);
    server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      const body =
        request.url === '/v2/health/ready'
          ? { ready: true }
          : request.url === '/v2/models/internal'
            ? { name: 'internal', platform: 'test', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'p', datatype: 'FP32', shape: [-1, 3] }] }
            : undefined;
      response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body ?? { error: 'not found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/models/internal`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a stored config with allowPrivate or allowHosts before any request when internal endpoints are not allowed', async () => {
    seen.length = 0;
    const context = contextWith({ allowPrivateEndpoints: false });
    await expect(openModelRow(context, row({ allowPrivate: true }))).rejects.toMatchObject(refusedByOperator);
    await expect(openModelRow(context, row({ allowHosts: ['127.0.0.1'] }))).rejects.toMatchObject(refusedByOperator);
    expect(seen).toEqual([]);
    // Without them, the adapter's own guard still keeps the model off loopback.
    await expect(openModelRow(context, row({}))).rejects.toMatchObject({ code: 'FORBIDDEN_ADDRESS', message: expect.stringContaining('is an internal address') });
    expect(seen).toEqual([]);
  });

  it('opens it when the operator allowed internal endpoints', async () => {
    seen.length = 0;
    const adapter = await openModelRow(contextWith({ allowPrivateEndpoints: true }), row({ allowPrivate: true }));
    expect(adapter.describe()).toMatchObject({ inputShape: [4], numClasses: 3 });
    await adapter.dispose();
    expect(seen).toEqual(['GET /v2/health/ready', 'GET /v2/models/internal']);
  });

  it('reads MODELSEAL_ALLOW_PRIVATE_ENDPOINTS when the context does not say', async () => {
    const saved = process.env[PRIVATE_ENDPOINTS_ENV];
    try {
      delete process.env[PRIVATE_ENDPOINTS_ENV];
      await expect(openModelRow(contextWith(), row({ allowPrivate: true }))).rejects.toMatchObject(refusedByOperator);
      process.env[PRIVATE_ENDPOINTS_ENV] = '1';
      const adapter = await openModelRow(contextWith(), row({ allowPrivate: true }));
      await adapter.dispose();
      // The context's word wins over the environment.
      await expect(openModelRow(contextWith({ allowPrivateEndpoints: false }), row({ allowPrivate: true }))).rejects.toMatchObject(refusedByOperator);
    } finally {
      if (saved === undefined) delete process.env[PRIVATE_ENDPOINTS_ENV];
      else process.env[PRIVATE_ENDPOINTS_ENV] = saved;
    }
  });
});
