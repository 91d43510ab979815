import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { Random } from '../util/random.ts';
import { gatherRows, type Tensor } from '../tensor/tensor.ts';
import { fragilize } from './fragilize.ts';
import { junctionDistances } from './junctionDistance.ts';
import { resolveSettings } from './settings.ts';

function randomInputs(count: number, seed: number): Tensor {
  const random = new Random(seed);
  return { data: Float32Array.from({ length: count * 64 }, () => random.next()), shape: [count, 1, 8, 8] };
}

function l2(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

describe('junctionDistances', () => {
  const adapter = new MlpAdapter({ seed: 5, weightScale: 1.5, inputShape: [1, 8, 8], hidden: 32 });

  it('is one distance per tie size, non-decreasing in k, and k − 1 gradient evaluations per sample', async () => {
    const inputs = randomInputs(7, 3);
    const scored = await junctionDistances({ adapter, inputs, tieClasses: 5, chunkSize: 3 });
    expect(scored.tieClasses).toBe(5);
    expect(scored.distances).toHaveLength(7);
    expect(scored.gradientEvaluations).toBe(7 * 4);
    for (const d of scored.distances) {
      expect(d).toHaveLength(4);
      // The k-tie constraints contain the (k−1)-tie ones, so the minimum-norm step cannot shrink.
      for (let m = 1; m < d.length; m++) expect(d[m]!).toBeGreaterThanOrEqual(d[m - 1]! * (1 - 1e-6));
      expect(d.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
  });

  it('is near zero for a sample already on the junction and predicts the change the search makes', async () => {
    const inputs = randomInputs(6, 11);
    const result = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 3 });
    const converged = result.samples.map((s, i) => [s, i] as const).filter(([s]) => s.converged).map(([, i]) => i);
    expect(converged.length).toBeGreaterThanOrEqual(3);
    const before = await junctionDistances({ adapter, inputs: gatherRows(inputs, converged), tieClasses: 3 });
    const after = await junctionDistances({ adapter, inputs: gatherRows(result.inputs, converged), tieClasses: 3 });
    converged.forEach((row, j) => {
      const moved = l2(inputs.data.subarray(row * 64, (row + 1) * 64), result.inputs.data.subarray(row * 64, (row + 1) * 64));
      expect(after.distances[j]![1]!).toBeLessThan(0.01 * before.distances[j]![1]!);
      // To first order the search moves about as far as the linearized distance says.
      expect(before.distances[j]![1]!).toBeLessThan(3 * moved);
      expect(before.distances[j]![1]!).toBeGreaterThan(moved / 3);
    });
  });
});

describe('fragilize, junction anchored at the original sample', () => {
  const adapter = new MlpAdapter({ seed: 5, weightScale: 1.5, inputShape: [1, 8, 8], hidden: 32 });
  const inputs = randomInputs(6, 3);

  it('ties the top-k classes within the band and changes the samples no more than iterate-anchored steps', async () => {
    const iterate = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 4 });
    const origin = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 4, junctionAnchor: 'origin', junctionDamping: 0.3, maxIterations: 60 });
    const settings = resolveSettings({ preset: 'junction' });
    let both = 0;
    for (let r = 0; r < 6; r++) {
      const sample = origin.samples[r]!;
      expect(sample.margin).toBeGreaterThanOrEqual(settings.minMargin);
      if (!sample.converged) continue;
      const row = Array.from(origin.probabilities.data.subarray(r * 10, (r + 1) * 10)).sort((a, b) => b - a);
      expect(row[0]! - row[3]!).toBeLessThan(10 * settings.targetMargin);
      if (!iterate.samples[r]!.converged) continue;
      both++;
      const x0 = inputs.data.subarray(r * 64, (r + 1) * 64);
      const fromOrigin = l2(x0, origin.inputs.data.subarray(r * 64, (r + 1) * 64));
      const fromIterate = l2(x0, iterate.inputs.data.subarray(r * 64, (r + 1) * 64));
      expect(fromOrigin).toBeLessThanOrEqual(fromIterate * 1.02);
    }
    expect(both).toBeGreaterThanOrEqual(3);
  });

  it("with tieTop 'runner-up' the sample's second class ends on top, its own class tied just below", async () => {
    const before = await adapter.predict(inputs);
    const result = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 3, tieTop: 'runner-up' });
    const n = adapter.describe().numClasses;
    let tied = 0;
    result.samples.forEach((sample, r) => {
      if (!sample.converged) return;
      tied++;
      const start = Array.from(before.data.subarray(r * n, (r + 1) * n));
      const order = start.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
      expect(sample.originalLabel).toBe(order[0]);
      expect(sample.label).toBe(order[1]);
      const p = Array.from(result.probabilities.data.subarray(r * n, (r + 1) * n));
      // The original class is now the runner-up, within the margin band.
      expect(p[order[1]!]! - p[order[0]!]!).toBeLessThanOrEqual(3e-5 + 1e-7);
      expect(p[order[1]!]! - p[order[0]!]!).toBeGreaterThanOrEqual(1e-5 - 1e-7);
    });
    expect(tied).toBeGreaterThanOrEqual(3);
  });

  it('ties more classes where the larger tie fits the PSNR budget, and counts the gradients that measure it', async () => {
    const base = { adapter, inputs, preset: 'junction' as const, tieClasses: 3, maxTieClasses: 5, maxIterations: 5, earlyStop: false };
    const generous = await fragilize({ ...base, tiePsnr: 1 });
    expect(generous.samples.map((s) => s.tieClasses)).toEqual(new Array(6).fill(5));
    const strict = await fragilize({ ...base, tiePsnr: 200 });
    expect(strict.samples.map((s) => s.tieClasses)).toEqual(new Array(6).fill(3));
    // 4 vjps per sample measure the distances up to a 5-class tie, then 5 iterations of (k − 1).
    expect(generous.gradientEvaluations).toBe(6 * 4 + 6 * 5 * 4);
    expect(strict.gradientEvaluations).toBe(6 * 4 + 6 * 5 * 2);
    // In between, a sample ties more classes exactly when its linearized distance fits.
    const distances = await junctionDistances({ adapter, inputs, tieClasses: 5 });
    const budgetPsnr = 20;
    const budget = Math.sqrt(64) * 10 ** (-budgetPsnr / 20);
    const middle = await fragilize({ ...base, tiePsnr: budgetPsnr });
    middle.samples.forEach((sample, r) => {
      const d = distances.distances[r]!;
      let expected = 3;
      while (expected < 5 && d[expected - 1]! <= budget) expected++;
      expect(sample.tieClasses).toBe(expected);
    });
    // Without a larger maximum nothing is measured.
    const fixed = await fragilize({ ...base, maxTieClasses: 3 });
    expect(fixed.gradientEvaluations).toBe(6 * 5 * 2);
  });

  it('the default preset ties 6 classes with the top chosen by a probe fine-tune, anchors at the origin and asks for junction-distance candidates', () => {
    const settings = resolveSettings({ preset: 'default' });
    expect(settings).toMatchObject({
      method: 'junction',
      tieClasses: 6,
      maxTieClasses: 8,
      tieTop: 'probe',
      probeIteration: 10,
      probeSteps: 100,
      junctionAnchor: 'origin',
      selection: 'junction-distance',
      selectionPool: 20,
      selectionScreen: 3,
    });
    expect(resolveSettings({ preset: 'junction' }).selection).toBe('seeded');
    expect(resolveSettings({ preset: 'boundary' }).selection).toBe('seeded');
  });
});
