// Uploaded sample sets: a folder of MNIST-like PNGs (one sub-folder per class) sent over HTTP as
// the dashboard sends it, listed, and fragilized by a real worker into a trigger set; plus the
// project, role, image and size checks around it.
import { onnxAdapterFactory } from '@modelseal/adapter-onnx';
import { AdapterRegistry } from '@modelseal/core';
import { encodePng, loadDataset, type ImageSet } from '@modelseal/datasets';
import { enqueue } from '@modelseal/jobs';
import type { RunningWorker } from '@modelseal/worker';
import { fromPrisma } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from './context.ts';
import { httpClient, rejection, waitForFinishedJob } from './testing/httpClient.ts';
import { ONNX_MNIST_MODEL, startTestWorker } from './testing/worker.ts';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

const ONNX_MODEL = ONNX_MNIST_MODEL;

let h: Harness;
let worker: RunningWorker;
let owner: { api: ApiCaller; token: string };
let projectId: string;
let modelId: string;
let digits: ImageSet;

beforeAll(async () => {
  h = await startHarness('samples', { adapters: new AdapterRegistry().register(onnxAdapterFactory) });
  worker = await startTestWorker(h);
  owner = await h.person('samples-owner@example.com');
  projectId = (await owner.api.projects.create({ name: 'Samples', slug: uniqueSlug('samples') })).id;
  modelId = (await owner.api.models.register({ projectId, name: 'mnist-cnn', adapterKind: 'onnx', config: { path: ONNX_MODEL } })).id;
  digits = (await loadDataset('mnist')).test;
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
}, 60_000);

function client(token: string, deps: ApiDeps = h.deps) {
  return httpClient(deps, token);
}

/** `perClass` MNIST test digits of each of the given classes, as `<digit>/<n>.png` PNG files. */
function digitFiles(classes: readonly number[], perClass: number): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const digit of classes) {
    let n = 0;
    for (let i = 0; i < digits.count && n < perClass; i++) {
      if (digits.labels[i] !== digit) continue;
      files[`${digit}/${String(n).padStart(3, '0')}.png`] = encodePng(digits, i);
      n += 1;
    }
  }
  return files;
}

/** A w×h gray (or colour) picture, as a PNG. */
function picture(width: number, height: number, colour = false): Uint8Array {
  const pixels = new Float32Array(width * height * (colour ? 3 : 1)).map((_, i) => (i % 7) / 7);
  return encodePng({ width, height, channels: colour ? 3 : 1, pixels, count: 1 });
}

/** The form exactly as the dashboard builds it: one "files" entry per image, named `<class>/<file>`. */
function samplesForm(name: string, files: Record<string, Uint8Array | string>, project = projectId): FormData {
  const form = new FormData();
  form.append('projectId', project);
  form.append('name', name);
  for (const [path, bytes] of Object.entries(files)) form.append('files', new Blob([bytes]), path);
  return form;
}

function waitForJob(api: ApiCaller, project: string, jobId: string) {
  return waitForFinishedJob(jobId, () => api.jobs.get({ projectId: project, jobId }));
}

describe('sample sets', () => {
  let sampleSetId: string;

  it('uploads a folder of PNG digits over HTTP and lists its metadata only', async () => {
    const api = client(owner.token);
    const set = await api.sampleSets.upload.mutate(samplesForm('digits', digitFiles([3, 7, 9], 5)));
    expect(set).toMatchObject({ name: 'digits', classNames: ['3', '7', '9'], sampleCount: 15 });
    sampleSetId = set.id;

    const listed = await api.sampleSets.list.query({ projectId });
    expect(listed.map((s) => s.id)).toEqual([set.id]);
    expect(listed[0]).not.toHaveProperty('artifactRef');
    const row = await h.db.prisma.sampleSet.findUniqueOrThrow({ where: { id: set.id } });
    expect(row.artifactRef).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Stored as a dataset bundle, encrypted like trigger sets since the store has a key.
    expect(await h.deps.artifacts!.stat(row.artifactRef, { kind: 'dataset' })).toMatchObject({ kind: 'dataset', encrypted: true });

    // The same name again is a conflict.
    const again = await rejection(api.sampleSets.upload.mutate(samplesForm('digits', digitFiles([3], 3))));
    expect(again.code).toBe('CONFLICT');
  });

  it('fragilizes from the uploaded samples with a real worker and shows their originals', async () => {
    const { jobId } = await owner.api.triggerSets.create({ projectId, modelId, name: 'from-samples', sampleSetId, count: 3, seed: 1 });
    const job = await waitForJob(owner.api, projectId, jobId);
    expect(job, job.error ?? '').toMatchObject({ status: 'succeeded', progress: 1 });
    expect(job.input).toMatchObject({ sampleSetId, sampleSetName: 'digits', dataset: expect.stringMatching(/^sample-set:[0-9a-f]{64}$/) });

    const set = await owner.api.triggerSets.get({ projectId, triggerSetId: job.triggerSetId! });
    expect(set).toMatchObject({ name: 'from-samples', sampleCount: 3 });
    expect((set.params as { dataset: string }).dataset).toMatch(/^sample-set:/);

    // Folders named after output indices label their images with that class (not their rank).
    const preview = await owner.api.triggerSets.preview({ projectId, triggerSetId: set.id });
    expect(preview.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(preview.samples.map((s) => s.originalLabel).every((label) => label === 3 || label === 7 || label === 9)).toBe(true);
    // The preview finds the originals in the sample set (unpacked by the API as by the worker).
    expect(preview.originalsFrom).toMatch(/^sample-set:/);
    expect(preview.samples.every((s) => s.original !== null && s.psnr !== null)).toBe(true);
  }, 200_000);

  it("answers NOT_FOUND for another project's sample set, by id or by digest, and the worker refuses it too", async () => {
    const other = await h.person('samples-other@example.com');
    const otherProject = (await other.api.projects.create({ name: 'Other', slug: uniqueSlug('other') })).id;
    const otherModel = (await other.api.models.register({ projectId: otherProject, name: 'm', adapterKind: 'onnx', config: { path: ONNX_MODEL } })).id;
    await expectCode(other.api.triggerSets.create({ projectId: otherProject, modelId: otherModel, name: 'steal', sampleSetId, count: 3 }), 'NOT_FOUND');
    const { artifactRef } = await h.db.prisma.sampleSet.findUniqueOrThrow({ where: { id: sampleSetId } });
    const spec = `sample-set:${artifactRef.slice('sha256:'.length)}`;
    await expectCode(other.api.triggerSets.create({ projectId: otherProject, modelId: otherModel, name: 'steal', dataset: spec, count: 3 }), 'NOT_FOUND');
    await expectCode(other.api.sampleSets.delete({ projectId: otherProject, sampleSetId }), 'NOT_FOUND');
    await expectCode(other.api.sampleSets.list({ projectId }), 'NOT_FOUND');
    // Neither or both of dataset and sampleSetId: BAD_REQUEST.
    await expectCode(owner.api.triggerSets.create({ projectId, modelId, name: 'x', count: 3 }), 'BAD_REQUEST');
    await expectCode(owner.api.triggerSets.create({ projectId, modelId, name: 'x', count: 3, dataset: 'mnist', sampleSetId }), 'BAD_REQUEST');

    // A job queued behind the API's back, naming the digest in the wrong project, fails in the worker.
    const job = await h.db.prisma.$transaction(async (tx) => {
      const row = await tx.job.create({ data: { projectId: otherProject, type: 'fragilize', modelId: otherModel, input: { name: 'steal', dataset: spec, count: 3 } } });
      await enqueue(h.deps.boss, 'fragilize', { jobId: row.id, modelId: otherModel, triggerSetName: 'steal', dataset: spec, count: 3 }, { db: fromPrisma(tx) });
      return row;
    });
    const finished = await waitForJob(other.api, otherProject, job.id);
    expect(finished.status).toBe('failed');
    expect(finished.error).toMatch(/names no sample set of this project/);
    expect(await h.db.prisma.triggerSet.count({ where: { name: 'steal' } })).toBe(0);
  }, 200_000);

  it('lets viewers list sample sets but not upload, fragilize from or delete them', async () => {
    const viewer = await h.person('samples-viewer@example.com');
    await owner.api.members.add({ projectId, email: 'samples-viewer@example.com', role: 'viewer' });
    expect((await viewer.api.sampleSets.list({ projectId })).map((s) => s.name)).toContain('digits');
    expect((await rejection(client(viewer.token).sampleSets.upload.mutate(samplesForm('sneaky', digitFiles([0, 1], 2))))).code).toBe('FORBIDDEN');
    await expectCode(viewer.api.sampleSets.upload(samplesForm('sneaky', digitFiles([0, 1], 2))), 'FORBIDDEN');
    await expectCode(viewer.api.triggerSets.create({ projectId, modelId, name: 'v', sampleSetId, count: 3 }), 'FORBIDDEN');
    await expectCode(viewer.api.sampleSets.delete({ projectId, sampleSetId }), 'FORBIDDEN');
    const stranger = await h.person('samples-stranger@example.com');
    await expectCode(stranger.api.sampleSets.upload(samplesForm('sneaky', digitFiles([0, 1], 2))), 'NOT_FOUND');
    await expectCode((await h.as({})).sampleSets.upload(samplesForm('sneaky', digitFiles([0, 1], 2))), 'UNAUTHORIZED');
    expect(await h.db.prisma.sampleSet.count({ where: { name: 'sneaky' } })).toBe(0);
  });

  it('refuses images that do not decode or do not match, naming the file, and odd folder layouts', async () => {
    const api = client(owner.token);
    const expectBad = async (form: FormData, message: RegExp) => {
      const error = await rejection(api.sampleSets.upload.mutate(form));
      expect(error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message) });
    };
    const good = digitFiles([0, 1], 3);
    await expectBad(samplesForm('bad', { ...good, '1/broken.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }), /1\/broken\.png: cannot decode image/);
    await expectBad(samplesForm('bad', { ...good, '0/notes.png': 'just text' }), /0\/notes\.png: cannot decode image/);
    await expectBad(samplesForm('bad', { ...good, '1/big.png': picture(32, 32) }), /1\/big\.png: image is 32x32.*not resized/);
    await expectBad(samplesForm('bad', { ...good, 'loose.png': picture(28, 28) }), /"loose\.png": sample files go one level deep/);
    await expectBad(samplesForm('bad', { ...good, 'digits/0/a.png': picture(28, 28) }), /one level deep/);
    await expectBad(samplesForm('bad', { ...good, '0/readme.txt': 'hi' }), /only \.png, \.jpg, \.jpeg images/);
    await expectBad(samplesForm('bad', { ...good, 'train/a.png': picture(28, 28) }), /may not be named "train"/);
    await expectBad(samplesForm('bad', { ...good, '0/../x.png': picture(28, 28) }), /unsafe file name/);
    await expectBad(samplesForm('bad', { '0/a.png': picture(28, 28), '1/b.png': picture(28, 28) }), /at least 3 images/);
    const stray = samplesForm('bad', good);
    stray.append('dataset', 'mnist');
    await expectBad(stray, /unknown form field "dataset"/);
    expect(await h.db.prisma.sampleSet.count({ where: { name: 'bad' } })).toBe(0);
  });

  it('caps the number and size of the images, and their pixels', async () => {
    const small = { ...h.deps, sampleSetLimits: { maxFiles: 4, maxFileBytes: 1000, maxTotalBytes: 100_000, maxImagePixels: 40 * 40, maxTotalPixels: 5000 } };
    const api = client(owner.token, small);
    const tooMany = await rejection(api.sampleSets.upload.mutate(samplesForm('capped', digitFiles([0], 5))));
    expect(tooMany).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/5 files; at most 4/) });
    const tooLarge = await rejection(api.sampleSets.upload.mutate(samplesForm('capped', { '0/a.png': new Uint8Array(1001), '1/b.png': picture(28, 28), '1/c.png': picture(28, 28) })));
    expect(tooLarge).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/0\/a\.png is 1001 bytes/) });
    const tooWide = await rejection(api.sampleSets.upload.mutate(samplesForm('capped', { '0/a.png': picture(41, 41), '1/b.png': picture(28, 28), '1/c.png': picture(28, 28) })));
    expect(tooWide).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/0\/a\.png is 41×41 pixels/) });
    const tooManyPixels = await rejection(api.sampleSets.upload.mutate(samplesForm('capped', { '0/a.png': picture(40, 40), '1/b.png': picture(40, 40), '1/c.png': picture(40, 40), '1/d.png': picture(40, 40) })));
    expect(tooManyPixels).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/6400 pixels in all; at most 5000/) });
  });

  it('fails a fragilize job whose images do not fit the model, naming an image and the expected shape', async () => {
    const colour = { '0/a.png': picture(28, 28), '0/b.png': picture(28, 28, true), '1/c.png': picture(28, 28), '1/d.png': picture(28, 28) };
    const wide = { '0/a.png': picture(32, 32), '0/b.png': picture(32, 32), '1/c.png': picture(32, 32) };
    const api = client(owner.token);
    for (const [name, files, misfit] of [
      ['colour', colour, /0\/b\.png is a 28×28 colour image/],
      ['wide', wide, /0\/a\.png is a 32×32 grayscale image/],
    ] as const) {
      const set = await api.sampleSets.upload.mutate(samplesForm(name, files));
      const { jobId } = await owner.api.triggerSets.create({ projectId, modelId, name: `misfit-${name}`, sampleSetId: set.id, count: 2 });
      const job = await waitForJob(owner.api, projectId, jobId);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(misfit);
      expect(job.error).toMatch(/model "mnist-cnn" takes 28×28 grayscale images \(input \[1, 28, 28\], NCHW\)/);
    }
    // Class folders that name neither the model's classes nor its outputs cannot be labelled.
    const pets = await api.sampleSets.upload.mutate(samplesForm('pets', { 'cat/a.png': picture(28, 28), 'cat/b.png': picture(28, 28), 'dog/c.png': picture(28, 28) }));
    const { jobId } = await owner.api.triggerSets.create({ projectId, modelId, name: 'misfit-pets', sampleSetId: pets.id, count: 2 });
    const job = await waitForJob(owner.api, projectId, jobId);
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/class folders \(cat, dog\) do not match the model's 10 classes/) });
  }, 200_000);

  it('deletes a sample set: it is no longer listed or usable', async () => {
    expect(await owner.api.sampleSets.delete({ projectId, sampleSetId })).toEqual({ deleted: true });
    expect((await owner.api.sampleSets.list({ projectId })).map((s) => s.id)).not.toContain(sampleSetId);
    await expectCode(owner.api.triggerSets.create({ projectId, modelId, name: 'gone', sampleSetId, count: 3 }), 'NOT_FOUND');
    await expectCode(owner.api.sampleSets.delete({ projectId, sampleSetId }), 'NOT_FOUND');
    // The trigger set made from it stays.
    expect((await owner.api.triggerSets.list({ projectId, modelId })).map((s) => s.name)).toContain('from-samples');
  });
});
