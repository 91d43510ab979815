import { describe, expect, it } from 'vitest';
import { argmaxRows, predictAll } from '@modelseal/core';
import { MlpAdapter } from '@modelseal/core/testing';
import type { ImageSet } from '@modelseal/datasets';
import { icip2022Samples, icipCotangent } from './icip2022.ts';
import { nonFragileSamples } from './nonFragile.ts';
import { randomNoiseSamples } from './randomNoise.ts';

const mlp = () => new MlpAdapter({ inputShape: [1, 6, 6], seed: 3, weightScale: 3 });

describe('randomNoiseSamples', () => {
  it('draws seeded uniform images inside the value range and labels them with the model', async () => {
    const adapter = mlp();
    const a = await randomNoiseSamples(adapter, { count: 40, seed: 7 });
    const b = await randomNoiseSamples(adapter, { count: 40, seed: 7 });
    const c = await randomNoiseSamples(adapter, { count: 40, seed: 8 });
    expect(a.inputs.shape).toEqual([40, 1, 6, 6]);
    expect(Array.from(a.inputs.data)).toEqual(Array.from(b.inputs.data));
    expect(Array.from(a.inputs.data)).not.toEqual(Array.from(c.inputs.data));
    expect(Math.min(...a.inputs.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.inputs.data)).toBeLessThanOrEqual(1);
    const mean = a.inputs.data.reduce((s, v) => s + v, 0) / a.inputs.data.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(Array.from(a.labels)).toEqual(Array.from(argmaxRows(await predictAll(adapter, a.inputs))));
  });

  it('rejects a count that is not a positive integer', async () => {
    await expect(randomNoiseSamples(mlp(), { count: 0, seed: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('nonFragileSamples', () => {
  it('keeps exactly the test images the model classifies correctly', async () => {
    const adapter = mlp();
    const noise = await randomNoiseSamples(adapter, { count: 30, seed: 2 });
    // Build an HWC image set from the NCHW batch (one channel: same order) whose even images carry the model's label.
    const labels = Int32Array.from(noise.labels, (label, i) => (i % 2 === 0 ? label : (label + 1) % 10));
    const test: ImageSet = { height: 6, width: 6, channels: 1, count: 30, pixels: noise.inputs.data, labels };
    const samples = await nonFragileSamples(adapter, test);
    expect(samples.labels.length).toBe(15);
    expect(Array.from(samples.labels)).toEqual(Array.from(noise.labels).filter((_, i) => i % 2 === 0));
    expect(Array.from(argmaxRows(await predictAll(adapter, samples.inputs)))).toEqual(Array.from(samples.labels));
  });
});

describe('icipCotangent', () => {
  it('is the gradient of mean CE(key) + λ·var over the batch', () => {
    const p = { data: Float32Array.from([0.5, 0.3, 0.2, 0.1, 0.1, 0.8]), shape: [2, 3] };
    const key = Int32Array.from([1, 2]);
    const lambda = 150;
    const loss = (values: Float64Array): number => {
      let total = 0;
      for (let r = 0; r < 2; r++) {
        const row = values.subarray(r * 3, r * 3 + 3);
        const variance = row.reduce((s, v) => s + (v - 1 / 3) ** 2, 0) / 3;
        total += -Math.log(row[key[r]!]!) + lambda * variance;
      }
      return total / 2;
    };
    const g = icipCotangent(p, key, lambda);
    for (let i = 0; i < 6; i++) {
      const plus = Float64Array.from(p.data);
      const minus = Float64Array.from(p.data);
      plus[i]! += 1e-6;
      minus[i]! -= 1e-6;
      expect(g.data[i]).toBeCloseTo((loss(plus) - loss(minus)) / 2e-6, 3);
    }
  });
});

describe('icip2022Samples', () => {
  it('trains the generator against the frozen model towards the key labels', async () => {
    const adapter = mlp();
    const agreement: number[] = [];
    const result = await icip2022Samples(adapter, {
      count: 20,
      seed: 1,
      maxSteps: 40,
      learningRate: 3e-2,
      onStep: (_step, _max, a) => agreement.push(a),
    });
    expect(result.inputs.shape).toEqual([20, 1, 6, 6]);
    expect(result.steps).toBeLessThanOrEqual(40);
    // One image gradient per sample per step, counted like fragilize counts them.
    expect(result.gradientEvaluations).toBe(result.steps * 20);
    expect(result.keyAgreement).toBeGreaterThan(agreement[0]!);
    expect(Array.from(result.key.slice(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(Array.from(result.labels)).toEqual(Array.from(argmaxRows(await predictAll(adapter, result.inputs))));
    expect(Math.min(...result.inputs.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...result.inputs.data)).toBeLessThanOrEqual(1);
  });

  it('stops as soon as the key agreement threshold is passed', async () => {
    const result = await icip2022Samples(mlp(), { count: 10, seed: 1, maxSteps: 50, keyAgreement: -1 });
    expect(result.steps).toBe(0);
    expect(result.gradientEvaluations).toBe(0);
  });
});
