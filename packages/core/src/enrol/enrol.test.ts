import { describe, expect, it } from 'vitest';
import type { ModelAdapter, ModelDescription } from '../adapter/contract.ts';
import { addGaussianNoise } from '../attacks/noise.ts';
import { ModelSealError } from '../errors.ts';
import { fragilize } from '../fragilize/fragilize.ts';
import { concatRows, gatherRows, topTwo, type Tensor } from '../tensor/tensor.ts';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { decodeTriggerSet, encodeTriggerSet, type TriggerSet } from '../triggerset/triggerSet.ts';
import { Random } from '../util/random.ts';
import { verify } from '../verify/verify.ts';
import { measureBenignVariation, type BenignVariant } from './benign.ts';
import { enrol } from './enrol.ts';

/**
 * Emulates a runtime whose kernels differ by batch size: the logits get a tiny
 * deterministic offset that depends only on the size of the request (none for
 * requests of `referenceBatch` samples, the size the reference was recorded at).
 */
class BatchNoiseAdapter implements ModelAdapter {
  readonly kind = 'test-batch-noise';
  readonly requestSizes: number[] = [];

  constructor(
    readonly inner: MlpAdapter,
    readonly amplitude: number,
    readonly referenceBatch: number,
  ) {}

  describe(): ModelDescription {
    return this.inner.describe();
  }

  async predict(batch: Tensor): Promise<Tensor> {
    const p = await this.inner.predict(batch);
    const [rows = 0, n = 0] = p.shape;
    this.requestSizes.push(rows);
    if (rows === this.referenceBatch) return p;
    const out = new Float32Array(p.data.length);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      const z = new Float64Array(n);
      for (let c = 0; c < n; c++) {
        z[c] = Math.exp(Math.log(p.data[r * n + c]!) + this.amplitude * Math.sin(1.7 * rows + 2.3 * c));
        sum += z[c]!;
      }
      for (let c = 0; c < n; c++) out[r * n + c] = z[c]! / sum;
    }
    return { data: out, shape: p.shape };
  }

  async dispose(): Promise<void> {}
}

const SAMPLE = 36;
const STABLE = 12;

function randomInputs(count: number, seed: number): Tensor {
  const random = new Random(seed);
  return { data: Float32Array.from({ length: count * SAMPLE }, () => random.next()), shape: [count, 1, 6, 6] };
}

/**
 * 12 default-preset samples (margins in [1e-5, 3e-5]) and, at index 5, one whose margin
 * is far below the emulated runtime noise. The reference is recorded at full batch.
 */
async function fixture(amplitude = 4e-6) {
  const mlp = new MlpAdapter({ seed: 5, weightScale: 3 });
  const stable = await fragilize({ adapter: mlp, inputs: randomInputs(STABLE, 1), maxIterations: 300, maxEvaluations: null });
  const tiny = await fragilize({ adapter: mlp, inputs: randomInputs(1, 2), maxIterations: 300, maxEvaluations: null, minMargin: 1e-9, targetMargin: 1e-7 });
  const order = [0, 1, 2, 3, 4, -1, 5, 6, 7, 8, 9, 10, 11];
  const inputs = concatRows(
    order.map((i) => (i < 0 ? tiny.inputs : gatherRows(stable.inputs, [i]))),
    [1, 6, 6],
  );
  const total = order.length;
  const runtime = new BatchNoiseAdapter(mlp, amplitude, total);
  const probabilities = await runtime.predict(inputs);
  const labels = Int32Array.from({ length: total }, (_, r) => topTwo(probabilities.data.subarray(r * 10, (r + 1) * 10)).index);
  const margins = Array.from({ length: total }, (_, r) => {
    const { top1, top2 } = topTwo(probabilities.data.subarray(r * 10, (r + 1) * 10));
    return top1 - top2;
  });
  const set: TriggerSet = {
    inputs,
    labels,
    probabilities,
    metadata: {
      modelFingerprint: '',
      modelRuntime: 'javascript (test MLP)',
      objective: 'logit-margin',
      epsilon: 1e-2,
      iterations: 10,
      createdAt: '2026-01-01T00:00:00.000Z',
      layout: 'NCHW',
      valueRange: [0, 1],
      extra: {
        preset: 'default',
        sampleIndices: order.map((i) => (i < 0 ? 1000 : i)),
        originalLabels: Array.from(labels),
        margins,
        iterationsPerSample: order.map(() => 7),
        meanMargin: margins.reduce((s, m) => s + m, 0) / total,
        settings: { minMargin: 1e-5 },
      },
    },
  };
  return { mlp, runtime, set, margins, total };
}

function variantsOf(adapter: ModelAdapter): BenignVariant[] {
  return [
    { name: 'batch-1', adapter, batchSize: 1 },
    { name: 'batch-N', adapter },
    { name: 'shuffled', adapter, shuffle: true },
  ];
}

describe('measureBenignVariation', () => {
  it('sees no variation on a runtime that does not depend on the batch, and follows the requested batch plans', async () => {
    const { mlp, set, total } = await fixture();
    const requests: number[] = [];
    const counting: ModelAdapter = {
      kind: 'counting',
      describe: () => mlp.describe(),
      predict: async (batch) => {
        requests.push(batch.shape[0]!);
        return mlp.predict(batch);
      },
      dispose: async () => {},
    };
    const progress: number[] = [];
    const result = await measureBenignVariation({
      variants: variantsOf(counting),
      inputs: set.inputs,
      labels: set.labels,
      probabilities: await mlp.predict(set.inputs),
      repeats: 2,
      seed: 3,
      onProgress: (done) => progress.push(done),
    });
    expect(result.labelFlips).toEqual([]);
    expect(result.maxDelta).toBe(0);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    const [one, full, shuffled] = result.variants;
    expect(one).toMatchObject({ name: 'batch-1', requests: 2 * total, queries: 2 * total });
    expect(full).toMatchObject({ name: 'batch-N', requests: 2, queries: 2 * total });
    expect(shuffled!.queries).toBe(2 * total);
    // Random request sizes: more than one request per pass, and not all of size 1.
    const shuffledSizes = requests.slice(2 * total + 2);
    expect(shuffledSizes.reduce((s, r) => s + r, 0)).toBe(2 * total);
    expect(shuffledSizes.length).toBeGreaterThan(2);
    expect(shuffledSizes.some((r) => r > 1)).toBe(true);
  });

  it('counts label flips and the largest probability change per variant', async () => {
    const { runtime, set, margins } = await fixture();
    const result = await measureBenignVariation({
      variants: variantsOf(runtime),
      inputs: set.inputs,
      labels: set.labels,
      probabilities: set.probabilities,
      repeats: 2,
    });
    const [one, full, shuffled] = result.variants;
    // Full batch is how the reference was recorded: bit for bit the same, every repeat.
    expect(full!.maxDelta).toBe(0);
    expect(full!.labelFlips).toEqual([]);
    expect(one!.maxDelta).toBeGreaterThan(1e-7);
    expect(one!.maxDelta).toBeLessThan(4e-6);
    expect(shuffled!.maxDelta).toBeGreaterThan(0);
    expect(result.maxDelta).toBe(Math.max(one!.maxDelta, shuffled!.maxDelta));
    // Only the sample whose margin is below the noise can flip.
    for (const index of result.labelFlips) expect(index).toBe(5);
    expect(margins[5]).toBeLessThan(2 * result.perSampleMaxDelta[5]!);
    expect(result.perSampleMaxDelta.length).toBe(set.labels.length);
  });

  it('rejects mismatched shapes and bad options', async () => {
    const { runtime, set } = await fixture();
    const base = { variants: variantsOf(runtime), inputs: set.inputs, labels: set.labels, probabilities: set.probabilities };
    await expect(measureBenignVariation({ ...base, variants: [] })).rejects.toThrow(ModelSealError);
    await expect(measureBenignVariation({ ...base, repeats: 0 })).rejects.toThrow(/repeats/);
    await expect(measureBenignVariation({ ...base, labels: set.labels.subarray(1) })).rejects.toThrow(/labels/);
    await expect(
      measureBenignVariation({ ...base, variants: [{ name: 'bad', adapter: runtime, batchSize: 0 }] }),
    ).rejects.toThrow(/batch size/);
    const controller = new AbortController();
    controller.abort();
    await expect(measureBenignVariation({ ...base, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('enrol', () => {
  it('drops the sample whose margin is below the runtime noise, keeps the stable ones, and keeps extra aligned', async () => {
    const { runtime, set, margins, total } = await fixture();
    const result = await enrol({ triggerSet: set, variants: variantsOf(runtime), repeats: 2 });
    expect(result.dropped.map((d) => d.index)).toEqual([5]);
    expect(result.kept).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]);
    expect(result.labels).toEqual(Int32Array.from(result.kept, (i) => set.labels[i]!));
    expect(result.inputs.shape).toEqual([total - 1, 1, 6, 6]);
    expect(Array.from(result.inputs.data.subarray(5 * SAMPLE, 6 * SAMPLE))).toEqual(Array.from(set.inputs.data.subarray(6 * SAMPLE, 7 * SAMPLE)));
    expect(result.probabilities.shape).toEqual([total - 1, 10]);

    const extra = result.triggerSet!.metadata.extra as Record<string, unknown>;
    expect(extra.margins).toEqual(result.kept.map((i) => margins[i]));
    expect(extra.sampleIndices).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(extra.originalLabels).toEqual(Array.from(result.labels));
    expect((extra.iterationsPerSample as number[]).length).toBe(total - 1);
    expect(extra.meanMargin).toBeCloseTo(result.kept.reduce((s, i) => s + margins[i]!, 0) / (total - 1), 12);
    expect(extra.settings).toEqual({ minMargin: 1e-5 });
    expect(extra.preset).toBe('default');

    // Tolerance = max(1e-6, 10 × noise floor).
    expect(result.noiseFloor).toBe(result.variation.maxDelta);
    expect(result.noiseFloor).toBeGreaterThan(1e-7);
    expect(extra.noiseFloor).toBe(result.noiseFloor);
    expect(extra.probabilityTolerance).toBe(Math.max(1e-6, 10 * result.noiseFloor));
    expect(extra.enrolment).toMatchObject({
      samplesBefore: total,
      samplesAfter: total - 1,
      repeats: 2,
      safetyFactor: 10,
      minTolerance: 1e-6,
      dropped: [5],
    });
    expect((extra.enrolment as { variants: unknown[] }).variants).toHaveLength(3);

    // The enrolled set is a valid trigger-set file.
    const decoded = decodeTriggerSet(encodeTriggerSet(result.triggerSet!));
    expect(decoded.triggerSet.metadata.extra).toEqual(extra);
  });

  it('derives the tolerance from the floor, with the safety factor and the minimum', async () => {
    const { runtime, mlp, set } = await fixture();
    const scaled = await enrol({ triggerSet: set, variants: variantsOf(runtime), repeats: 1, safetyFactor: 3, minTolerance: 0 });
    expect(scaled.probabilityTolerance).toBe(3 * scaled.noiseFloor);
    // A deterministic runtime has a floor of 0: the minimum tolerance applies.
    const exact = await enrol({
      triggerSet: { ...set, probabilities: await mlp.predict(set.inputs) },
      variants: variantsOf(mlp),
      repeats: 1,
    });
    expect(exact.noiseFloor).toBe(0);
    expect(exact.probabilityTolerance).toBe(1e-6);
    expect(exact.dropped).toEqual([]);
    const kept = await enrol({ triggerSet: set, variants: variantsOf(mlp), repeats: 1, keep: 4 });
    expect(kept.labels).toHaveLength(4);
    expect(kept.surplus.length).toBeGreaterThan(0);
    await expect(enrol({ triggerSet: set, variants: variantsOf(mlp), safetyFactor: 0.5 })).rejects.toThrow(/safety factor/);
  });

  it('works on bare tensors and refuses to return an empty set', async () => {
    const { runtime, set } = await fixture();
    const bare = await enrol({
      triggerSet: { inputs: set.inputs, labels: set.labels, probabilities: set.probabilities },
      variants: variantsOf(runtime),
    });
    expect(bare.triggerSet).toBeUndefined();
    expect(bare.extra.probabilityTolerance).toBe(bare.probabilityTolerance);
    const only = gatherRows(set.inputs, [5]);
    await expect(
      enrol({
        triggerSet: { inputs: only, labels: set.labels.slice(5, 6), probabilities: gatherRows(set.probabilities, [5]) },
        variants: variantsOf(runtime),
      }),
    ).rejects.toThrow(/unstable/);
  });

  it('probability-mode verify with the recorded tolerance passes the unchanged model under every variant and catches weight noise of std 1e-4', async () => {
    const { runtime, mlp, set } = await fixture();
    const { triggerSet, probabilityTolerance } = await enrol({ triggerSet: set, variants: variantsOf(runtime), repeats: 3 });
    const enrolled = triggerSet!;
    expect(enrolled.metadata.extra.probabilityTolerance).toBe(probabilityTolerance);
    const count = enrolled.labels.length;
    const check = (order: readonly number[], batchSize?: number) =>
      verify({
        adapter: runtime,
        inputs: gatherRows(enrolled.inputs, order),
        labels: Int32Array.from(order, (i) => enrolled.labels[i]!),
        probabilities: gatherRows(enrolled.probabilities, order),
        mode: 'probability',
        tolerance: probabilityTolerance,
        ...(batchSize !== undefined ? { batchSize } : {}),
      });
    const identity = Array.from({ length: count }, (_, i) => i);
    const shuffled = new Random(9).shuffle(identity);
    for (const [order, batchSize] of [[identity, 1], [identity, undefined], [identity, 5], [shuffled, 3], [shuffled, 7]] as const) {
      const report = await check(order, batchSize);
      expect(report.intact).toBe(true);
      expect(report.maxDelta).toBeLessThanOrEqual(probabilityTolerance);
    }

    await addGaussianNoise(mlp.weights, { std: 1e-4, seed: 1 });
    for (const batchSize of [1, undefined]) {
      const report = await check(identity, batchSize);
      expect(report.intact).toBe(false);
      expect(report.maxDelta).toBeGreaterThan(probabilityTolerance);
    }
  });
});
