// Model uploads over HTTP, the way the dashboard sends them: multipart FormData through a
// non-batching httpLink. Uploaded models land in the artifact store and a real worker opens
// them from there to fragilize and audit.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createArtifactStore } from '@modelseal/artifacts';
import { createAdapterRegistry, type RunningWorker } from '@modelseal/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type ApiDeps } from './context.ts';
import { httpClient, rejection, waitForFinishedJob } from './testing/httpClient.ts';
import { ONNX_MNIST_MODEL, startTestWorker } from './testing/worker.ts';
import { createCaller } from './router.ts';
import { expectCode, REPO_ROOT, startHarness, TEST_ARTIFACT_KEY, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

const ONNX_MODEL = ONNX_MNIST_MODEL;
const TFJS_DIR = join(REPO_ROOT, 'models/mnist-cnn');

let h: Harness;
let worker: RunningWorker;
let owner: { api: ApiCaller; token: string };
let projectId: string;
let onnxBytes: Buffer;

beforeAll(async () => {
  // No model roots: everything here is uploaded, nothing is opened by absolute path.
  h = await startHarness('upload', { adapters: await createAdapterRegistry([], REPO_ROOT), modelRoots: [] });
  worker = await startTestWorker(h, { modelRoots: [] });
  owner = await h.person('uploader@example.com');
  projectId = (await owner.api.projects.create({ name: 'Uploads', slug: uniqueSlug('up') })).id;
  onnxBytes = await readFile(ONNX_MODEL);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
}, 60_000);

function client(token: string, deps: ApiDeps = h.deps) {
  return httpClient(deps, token);
}

interface FormFields {
  projectId?: string;
  name: string;
  adapterKind: string;
  config?: Record<string, unknown>;
  files: Record<string, Uint8Array | string>;
}

/** The form exactly as the dashboard builds it: one "files" entry per file, named by its path. */
function uploadForm(fields: FormFields): FormData {
  const form = new FormData();
  form.append('projectId', fields.projectId ?? projectId);
  form.append('name', fields.name);
  form.append('adapterKind', fields.adapterKind);
  if (fields.config) form.append('config', JSON.stringify(fields.config));
  for (const [path, bytes] of Object.entries(fields.files)) form.append('files', new Blob([bytes]), path);
  return form;
}

function waitForJob(api: ReturnType<typeof client>, jobId: string) {
  return waitForFinishedJob(jobId, () => api.jobs.get.query({ projectId, jobId }));
}

const modelCount = () => h.db.prisma.model.count({ where: { projectId } });

describe('adapters.list', () => {
  it('describes every adapter kind with a JSON Schema of its config and whether it takes uploads', async () => {
    const adapters = await client(owner.token).adapters.list.query();
    expect(adapters.map((a) => a.kind)).toEqual(['tfjs', 'onnx', 'http']);
    const onnx = adapters.find((a) => a.kind === 'onnx')!;
    expect(onnx).toMatchObject({ title: 'ONNX model', upload: { accepts: ['.onnx'], entryKey: 'path' } });
    expect(onnx.configJsonSchema).toMatchObject({ type: 'object', required: ['path'], properties: { path: { type: 'string', title: 'Model file' }, outputKind: { default: 'auto', title: 'Output kind' } } });
    expect(adapters.find((a) => a.kind === 'tfjs')?.upload).toEqual({ accepts: ['.json', '.bin'], entryKey: 'path' });
    const http = adapters.find((a) => a.kind === 'http')!;
    expect(http.upload).toBeNull();
    expect(http.configJsonSchema).toMatchObject({ required: ['url'], additionalProperties: false });
  });

  it('answers the built-in kinds without schemas when the host passed no registry, and only to callers who signed in', async () => {
    const bare = createCaller(await createContext({ ...h.deps, adapters: undefined, headers: { authorization: `Bearer ${owner.token}` } }));
    expect(await bare.adapters.list()).toEqual([
      expect.objectContaining({ kind: 'tfjs', configJsonSchema: null, upload: null }),
      expect.objectContaining({ kind: 'onnx', configJsonSchema: null, upload: null }),
      expect.objectContaining({ kind: 'http', configJsonSchema: null, upload: null }),
    ]);
    await expectCode((await h.as({})).adapters.list(), 'UNAUTHORIZED');
  });
});

describe('models.upload', () => {
  it('stores an uploaded ONNX model as a bundle, then fragilizes and audits it with a worker', async () => {
    const api = client(owner.token);
    const model = await api.models.upload.mutate(
      uploadForm({ name: 'uploaded-onnx', adapterKind: 'onnx', config: { valueRange: [0, 1] }, files: { 'cnn_mnist_logits.onnx': onnxBytes } }),
    );
    expect(model).toMatchObject({ projectId, name: 'uploaded-onnx', adapterKind: 'onnx', config: { valueRange: [0, 1], path: 'cnn_mnist_logits.onnx' } });
    expect(model.artifactRef).toBe(`sha256:${model.fingerprint}`);
    // The row's ref names a bundle whose one member is the uploaded file, byte for byte.
    const store = createArtifactStore({ root: h.deps.artifactsDir, encryptionKey: TEST_ARTIFACT_KEY });
    const out = join(h.dir, 'check-onnx');
    await store.materialize(model.artifactRef!, out);
    expect((await readFile(join(out, 'cnn_mnist_logits.onnx'))).equals(onnxBytes)).toBe(true);

    const { jobId } = await api.triggerSets.create.mutate({ projectId, modelId: model.id, name: 'enrolment', dataset: 'mnist', count: 10, seed: 1 });
    const fragilized = await waitForJob(api, jobId);
    expect(fragilized).toMatchObject({ status: 'succeeded' });
    const result = await api.audits.runAndWait.mutate({ projectId, modelId: model.id, triggerSetId: fragilized.triggerSetId!, timeoutMs: 150_000, pollMs: 250 });
    expect(result).toMatchObject({ done: true, status: 'succeeded', audit: { intact: true, changeRate: 0 } });
  }, 300_000);

  it('takes a TF.js model folder (model.json, its weights and the sidecar) and the worker opens it', async () => {
    const api = client(owner.token);
    const files: Record<string, Uint8Array> = {};
    for (const name of ['model.json', 'weights.bin', 'modelseal-model.json']) files[name] = await readFile(join(TFJS_DIR, name));
    const model = await api.models.upload.mutate(uploadForm({ name: 'uploaded-tfjs', adapterKind: 'tfjs', config: { backend: 'wasm' }, files }));
    expect(model.config).toEqual({ backend: 'wasm', path: 'model.json' });
    expect(model.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const { jobId } = await api.triggerSets.create.mutate({ projectId, modelId: model.id, name: 'tfjs', dataset: 'mnist', count: 3, seed: 2 });
    expect(await waitForJob(api, jobId)).toMatchObject({ status: 'succeeded' });
  }, 300_000);

  it('refuses a corrupt model with the adapter\'s message, and keeps neither a row nor its bytes', async () => {
    const before = await modelCount();
    const stored = (await h.deps.artifacts!.list({ kind: 'model' })).length;
    const garbage = new TextEncoder().encode('this is not an onnx model at all');
    const { code, message } = await rejection(client(owner.token).models.upload.mutate(uploadForm({ name: 'corrupt', adapterKind: 'onnx', files: { 'model.onnx': garbage } })));
    expect(code).toBe('BAD_REQUEST');
    expect(message).toMatch(/^the uploaded onnx model does not open: model\.onnx is not a valid ONNX model/);
    expect(message).not.toContain('modelseal-upload-');
    expect(await modelCount()).toBe(before);
    expect((await h.deps.artifacts!.list({ kind: 'model' })).length).toBe(stored);
  });

  it('refuses unsafe or clashing file names, files the adapter does not read and an ambiguous entry', async () => {
    const api = client(owner.token);
    const cases: [Record<string, Uint8Array | string>, RegExp][] = [
      [{ '../escape.onnx': onnxBytes }, /unsafe file name "\.\.\/escape\.onnx"/],
      [{ 'a//m.onnx': onnxBytes }, /unsafe file name/],
      [{ '/etc/m.onnx': onnxBytes }, /unsafe file name/],
      [{ 'm.onnx': onnxBytes, 'notes.exe': 'MZ' }, /takes only \.onnx files; not notes\.exe/],
      [{ 'a.onnx': onnxBytes, 'b.onnx': onnxBytes }, /exactly one \.onnx file; got 2/],
    ];
    for (const [files, pattern] of cases) {
      const { code, message } = await rejection(api.models.upload.mutate(uploadForm({ name: 'bad', adapterKind: 'onnx', files })));
      expect(code, message).toBe('BAD_REQUEST');
      expect(message).toMatch(pattern);
    }
    const tfjs = await rejection(api.models.upload.mutate(uploadForm({ name: 'bad', adapterKind: 'tfjs', files: { 'weights.bin': 'x' } })));
    expect(tfjs.message).toMatch(/needs its model\.json/);
    expect(await h.db.prisma.model.count({ where: { projectId, name: 'bad' } })).toBe(0);
  });

  it('refuses malformed forms, adapters without uploads, a config that sets the path, and a taken name', async () => {
    const api = client(owner.token);
    const files = { 'm.onnx': onnxBytes };
    const expectBad = async (form: FormData, pattern: RegExp, code = 'BAD_REQUEST') => {
      const rejected = await rejection(api.models.upload.mutate(form));
      expect(rejected.code, rejected.message).toBe(code);
      expect(rejected.message).toMatch(pattern);
    };
    await expectBad(uploadForm({ name: 'x', adapterKind: 'http', files }), /the http adapter takes no uploaded files/);
    await expectBad(uploadForm({ name: 'x', adapterKind: 'pickle', files }), /unknown adapter kind "pickle"/);
    await expectBad(uploadForm({ name: 'x', adapterKind: 'onnx', config: { path: '/etc/passwd' }, files }), /leave "path" out of config/);
    await expectBad(uploadForm({ name: 'x', adapterKind: 'onnx', config: { valueRange: [1, 0] }, files }), /invalid onnx config/);
    await expectBad(uploadForm({ name: 'x', adapterKind: 'onnx', files: {} }), /has no files/);
    const typo = uploadForm({ name: 'x', adapterKind: 'onnx', files });
    typo.append('file', new Blob([onnxBytes]), 'm.onnx');
    await expectBad(typo, /unknown form field "file"/);
    const textFile = uploadForm({ name: 'x', adapterKind: 'onnx', files: {} });
    textFile.append('files', 'm.onnx');
    await expectBad(textFile, /must be a file/);
    const notJson = uploadForm({ name: 'x', adapterKind: 'onnx', files });
    notJson.set('config', '{path:');
    await expectBad(notJson, /"config" is not JSON/);
    await expectBad(uploadForm({ name: 'uploaded-onnx', adapterKind: 'onnx', files }), /already exists/, 'CONFLICT');
  });

  it('caps the size of each file, of the whole upload and of the request body', async () => {
    const small = { ...h.deps, uploadLimits: { maxFileBytes: 1000, maxTotalBytes: 1500 } };
    const api = client(owner.token, small);
    const big = await rejection(api.models.upload.mutate(uploadForm({ name: 'x', adapterKind: 'tfjs', files: { 'model.json': new Uint8Array(1001) } })));
    expect(big).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/model\.json is 1001 bytes; files of at most 1000 bytes/) });
    const total = await rejection(
      api.models.upload.mutate(uploadForm({ name: 'x', adapterKind: 'tfjs', files: { 'model.json': new Uint8Array(800), 'w.bin': new Uint8Array(800) } })),
    );
    expect(total).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/1\.6 KiB; at most 1\.5 KiB in all/) });
    // The HTTP handler stops reading a body far beyond any upload, before tRPC buffers it.
    const huge = await rejection(api.models.upload.mutate(uploadForm({ name: 'x', adapterKind: 'onnx', files: { 'm.onnx': new Uint8Array(3 * 1024 * 1024) } })));
    expect(huge).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/request body is larger than/) });
  });

  it('lets only members who may write models upload: viewers get FORBIDDEN, other projects NOT_FOUND', async () => {
    const viewer = await h.person('upload-viewer@example.com');
    await owner.api.members.add({ projectId, email: 'upload-viewer@example.com', role: 'viewer' });
    const stranger = await h.person('upload-stranger@example.com');
    const form = () => uploadForm({ name: 'sneaky', adapterKind: 'onnx', files: { 'm.onnx': onnxBytes } });
    expect((await rejection(client(viewer.token).models.upload.mutate(form()))).code).toBe('FORBIDDEN');
    expect((await rejection(client(stranger.token).models.upload.mutate(form()))).code).toBe('NOT_FOUND');
    // In-process callers (server components) pass the FormData object as it is.
    await expectCode(stranger.api.models.upload(form()), 'NOT_FOUND');
    await expectCode((await h.as({})).models.upload(form()), 'UNAUTHORIZED');
    expect(await h.db.prisma.model.count({ where: { name: 'sneaky' } })).toBe(0);
  });

  it('lets a project register an uploaded bundle again by its ref, but not another project', async () => {
    const uploaded = await h.db.prisma.model.findFirstOrThrow({ where: { projectId, name: 'uploaded-onnx' } });
    const again = await owner.api.models.register({
      projectId,
      name: 'uploaded-onnx-probabilities',
      adapterKind: 'onnx',
      config: { path: 'cnn_mnist_logits.onnx', outputKind: 'logits' },
      artifactRef: uploaded.artifactRef!,
    });
    expect(again.artifactRef).toBe(uploaded.artifactRef);
    await expectCode(
      owner.api.models.register({ projectId, name: 'climb', adapterKind: 'onnx', config: { path: '../other/m.onnx' }, artifactRef: uploaded.artifactRef! }),
      'BAD_REQUEST',
    );
    const other = await h.person('other-project@example.com');
    const otherProject = (await other.api.projects.create({ name: 'Other', slug: uniqueSlug('other') })).id;
    await expectCode(
      other.api.models.register({ projectId: otherProject, name: 'stolen', adapterKind: 'onnx', config: { path: 'cnn_mnist_logits.onnx' }, artifactRef: uploaded.artifactRef! }),
      'BAD_REQUEST',
    );
  });
});
