// triggerSets.preview: pictures of fragile samples and their originals for those who may see
// trigger-set inputs, numbers only for viewers, nothing at all for other projects.
import { encodeTriggerSet, psnr, type Layout, type TriggerSet } from '@modelseal/core';
import { loadMnist, toModelBatch } from '@modelseal/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePngDataUrl } from './testing/png.ts';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

let h: Harness;
let member: ApiCaller;
let viewer: ApiCaller;
let viewerKey: ApiCaller;
let outsider: ApiCaller;
let outsiderProjectId: string;
let projectId: string;
let modelId: string;

const INDICES = [5, 17, 230, 1024, 1999];
const CLASS_NAMES = Array.from({ length: 10 }, (_, i) => `digit ${i}`);
let originals: Float32Array;
let datasetLabels: number[];

/** The MNIST test images at INDICES, nudged as fragilization would, with made-up enrolment answers. */
function makeSet(options: { layout: Layout; extra: Record<string, unknown> }): TriggerSet {
  const count = INDICES.length;
  const size = 28 * 28;
  const inputs = new Float32Array(count * size);
  for (let i = 0; i < count * size; i++) inputs[i] = Math.min(1, Math.max(0, originals[i]! + (i % 7 === 0 ? 0.1 : -0.02)));
  const labels = Int32Array.from(datasetLabels, (label) => (label + 1) % 10);
  const probabilities = new Float32Array(count * 10).fill(0.01 / 8);
  labels.forEach((label, i) => {
    probabilities[i * 10 + label] = 0.5;
    probabilities[i * 10 + ((label + 1) % 10)] = 0.49;
  });
  // Pixel order is the same for [28, 28, 1] and [1, 28, 28]: only the declared shape differs.
  const shape = options.layout === 'NCHW' ? [count, 1, 28, 28] : [count, 28, 28, 1];
  return {
    inputs: { data: inputs, shape },
    labels,
    probabilities: { data: probabilities, shape: [count, 10] },
    metadata: {
      modelFingerprint: '',
      modelRuntime: 'test',
      objective: 'margin',
      epsilon: 0.01,
      iterations: 3,
      createdAt: new Date().toISOString(),
      layout: options.layout,
      valueRange: [0, 1],
      classNames: CLASS_NAMES,
      extra: options.extra as TriggerSet['metadata']['extra'],
    },
  };
}

async function storeSet(name: string, set: TriggerSet, params: Record<string, string | number>): Promise<{ id: string; set: TriggerSet }> {
  const stored = await h.deps.artifacts!.put(encodeTriggerSet(set), { kind: 'trigger-set' });
  const row = await h.db.prisma.triggerSet.create({ data: { modelId, name, params, artifactRef: stored.ref, sampleCount: set.labels.length } });
  return { id: row.id, set };
}

const recorded = () => ({ dataset: 'mnist', split: 'test', sampleIndices: INDICES, originalLabels: datasetLabels });
let nhwc: { id: string; set: TriggerSet };

beforeAll(async () => {
  h = await startHarness('preview');
  const owner = await h.person('owner@example.com');
  member = (await h.person('member@example.com')).api;
  viewer = (await h.person('viewer@example.com')).api;
  projectId = (await owner.api.projects.create({ name: 'P', slug: uniqueSlug('p') })).id;
  await owner.api.members.add({ projectId, email: 'member@example.com', role: 'member' });
  await owner.api.members.add({ projectId, email: 'viewer@example.com', role: 'viewer' });
  viewerKey = await h.bearer((await owner.api.apiKeys.create({ projectId, name: 'wall screen', role: 'viewer' })).key);
  const other = await h.person('outsider@example.com');
  outsider = other.api;
  outsiderProjectId = (await outsider.projects.create({ name: 'O', slug: uniqueSlug('o') })).id;
  modelId = (await owner.api.models.register({ projectId, name: 'mnist', adapterKind: 'onnx', config: { path: 'm.onnx' } })).id;

  const mnist = await loadMnist();
  originals = toModelBatch(mnist.test, { inputShape: [28, 28, 1], layout: 'NHWC', valueRange: [0, 1] }, INDICES).data;
  datasetLabels = INDICES.map((i) => mnist.test.labels[i]!);
  nhwc = await storeSet('nhwc', makeSet({ layout: 'NHWC', extra: recorded() }), { dataset: 'mnist', count: INDICES.length });
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

const pixel = (value: number) => Math.round(Math.min(1, Math.max(0, value)) * 255);

describe('triggerSets.preview', () => {
  it('shows a member each fragile sample and its original as 28×28 PNGs, with labels, probabilities and quality', async () => {
    const preview = await member.triggerSets.preview({ projectId, triggerSetId: nhwc.id });
    expect(preview).toMatchObject({ total: 5, inputShape: [28, 28, 1], layout: 'NHWC', classNames: CLASS_NAMES, canSeeInputs: true, imageLike: true, originalsFrom: 'mnist' });
    expect(preview.samples.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    preview.samples.forEach((sample, i) => {
      const label = nhwc.set.labels[i]!;
      expect(sample).toMatchObject({ label, className: `digit ${label}`, originalLabel: datasetLabels[i] });
      expect(sample.probabilities).toHaveLength(10);
      expect(sample.margin).toBeCloseTo(0.01, 6);
      const fragile = decodePngDataUrl(sample.fragile!);
      const original = decodePngDataUrl(sample.original!);
      for (const png of [fragile, original]) expect(png).toMatchObject({ width: 28, height: 28, channels: 1 });
      const at = i * 784;
      for (const p of [0, 200, 406, 783]) {
        expect(fragile.pixels[p]).toBe(pixel(nhwc.set.inputs.data[at + p]!));
        expect(original.pixels[p]).toBe(pixel(originals[at + p]!));
      }
      // PSNR in the model's value range, as the CLI reports it.
      expect(sample.psnr).toBeCloseTo(psnr(originals.subarray(at, at + 784), nhwc.set.inputs.data.subarray(at, at + 784), 1), 6);
      expect(sample.ssim).toBeGreaterThan(0);
      expect(sample.ssim).toBeLessThan(1);
    });
  });

  it('pages through the set', async () => {
    const page = await member.triggerSets.preview({ projectId, triggerSetId: nhwc.id, offset: 3, limit: 24 });
    expect(page.samples.map((s) => s.index)).toEqual([3, 4]);
    expect((await member.triggerSets.preview({ projectId, triggerSetId: nhwc.id, offset: 1, limit: 2 })).samples.map((s) => s.index)).toEqual([1, 2]);
    expect(await member.triggerSets.preview({ projectId, triggerSetId: nhwc.id, offset: 5 })).toMatchObject({ total: 5, samples: [] });
    await expectCode(member.triggerSets.preview({ projectId, triggerSetId: nhwc.id, limit: 101 }), 'BAD_REQUEST');
    await expectCode(member.triggerSets.preview({ projectId, triggerSetId: nhwc.id, offset: -1 }), 'BAD_REQUEST');
  });

  it('gives viewers labels, probabilities and quality but no pictures', async () => {
    const full = await member.triggerSets.preview({ projectId, triggerSetId: nhwc.id });
    for (const api of [viewer, viewerKey]) {
      const preview = await api.triggerSets.preview({ projectId, triggerSetId: nhwc.id });
      expect(preview.canSeeInputs).toBe(false);
      expect(preview.samples).toHaveLength(5);
      preview.samples.forEach((sample, i) => {
        expect(sample.fragile).toBeNull();
        expect(sample.original).toBeNull();
        const { fragile: _f, original: _o, ...numbers } = full.samples[i]!;
        expect(sample).toMatchObject(numbers);
      });
      expect(JSON.stringify(preview)).not.toContain('data:image');
    }
  });

  it('reads NCHW inputs as images too, and shows no originals when the dataset is not recorded', async () => {
    const { id } = await storeSet('nchw', makeSet({ layout: 'NCHW', extra: {} }), { count: 5 });
    const preview = await member.triggerSets.preview({ projectId, triggerSetId: id, limit: 2 });
    expect(preview).toMatchObject({ inputShape: [1, 28, 28], layout: 'NCHW', imageLike: true, originalsFrom: null });
    for (const sample of preview.samples) {
      expect(decodePngDataUrl(sample.fragile!)).toMatchObject({ width: 28, height: 28, channels: 1 });
      expect(sample).toMatchObject({ original: null, psnr: null, ssim: null, originalLabel: null });
    }
  });

  it('shows no originals rather than wrong ones: a dataset that does not load, or whose labels do not match', async () => {
    const missing = await storeSet('missing', makeSet({ layout: 'NHWC', extra: { ...recorded(), dataset: 'cifar-10:/no/such/folder' } }), { dataset: 'cifar-10:/no/such/folder' });
    const shuffled = await storeSet('other images', makeSet({ layout: 'NHWC', extra: { ...recorded(), sampleIndices: [6, 18, 231, 1025, 1998] } }), { dataset: 'mnist' });
    for (const { id } of [missing, shuffled]) {
      const preview = await member.triggerSets.preview({ projectId, triggerSetId: id });
      expect(preview.originalsFrom).toBeNull();
      expect(preview.samples.every((s) => s.original === null && s.psnr === null && s.fragile !== null)).toBe(true);
    }
  });

  it('answers NOT_FOUND to another project, under its own project id or this one', async () => {
    await expectCode(outsider.triggerSets.preview({ projectId, triggerSetId: nhwc.id }), 'NOT_FOUND');
    await expectCode(outsider.triggerSets.preview({ projectId: outsiderProjectId, triggerSetId: nhwc.id }), 'NOT_FOUND');
  });
});
