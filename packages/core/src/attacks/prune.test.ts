import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { pruneSmallest } from './prune.ts';
import { tinyMlp } from './testWeights.ts';

const weights = { w1: [0.1, -0.2, 0.3, -0.4, 0.5, -0.6], b1: [0.05, 1, -0.15], w2: [2, -0.01, 0, 3, 0.35, -0.45], b2: [0.7, -0.8] };

describe('pruneSmallest', () => {
  it('globally zeroes the smallest |w| across all tensors', async () => {
    const mlp = await tinyMlp(weights);
    // 17 values → ⌊0.3 · 17⌋ = 5 smallest: 0, −0.01, 0.05, 0.1, −0.15.
    const report = await pruneSmallest(mlp.weights, { fraction: 0.3 });
    expect(report.pruned).toBe(5);
    expect(report.changed).toBe(4); // the 0 was already zero
    expect(report.parameters).toBe(17);
    expect(Array.from(await mlp.weights.read('w1'))).toEqual([0, -0.2, 0.3, -0.4, 0.5, -0.6].map(Math.fround));
    expect(Array.from(await mlp.weights.read('b1'))).toEqual([0, 1, 0]);
    expect(Array.from(await mlp.weights.read('w2'))).toEqual([2, 0, 0, 3, Math.fround(0.35), Math.fround(-0.45)]);
    expect(report.maxAbsDelta).toBeCloseTo(0.15, 6);
  });

  it('per tensor prunes the same share of each tensor', async () => {
    const mlp = await tinyMlp(weights);
    const report = await pruneSmallest(mlp.weights, { fraction: 0.5, scope: 'per-tensor' });
    // ⌊0.5 · 6⌋ + ⌊0.5 · 3⌋ + ⌊0.5 · 6⌋ + ⌊0.5 · 2⌋ = 3 + 1 + 3 + 1
    expect(report.pruned).toBe(8);
    expect(Array.from(await mlp.weights.read('w1'), Math.abs)).toEqual([0, 0, 0, 0.4, 0.5, 0.6].map(Math.fround));
    expect(Array.from(await mlp.weights.read('b1'))).toEqual([0, 1, Math.fround(-0.15)]);
    expect(Array.from(await mlp.weights.read('w2'))).toEqual([2, 0, 0, 3, 0, Math.fround(-0.45)]);
    expect(Array.from(await mlp.weights.read('b2'))).toEqual([0, Math.fround(-0.8)]);
  });

  it('zeroes exactly the requested count when magnitudes tie, and handles 0 and 1', async () => {
    const mlp = await tinyMlp({ w1: [1, -1, 1, 1, -1, 1], b1: [1, 1, 1], w2: [1, 1, 1, 1, 1, 1], b2: [1, 1] });
    expect((await pruneSmallest(mlp.weights, { fraction: 0.29 })).changed).toBe(4); // ⌊0.29 · 17⌋
    expect(Array.from(await mlp.weights.read('w1'), (v) => v + 0)).toEqual([0, 0, 0, 0, -1, 1]);
    expect((await pruneSmallest(mlp.weights, { fraction: 0 })).changed).toBe(0);
    await pruneSmallest(mlp.weights, { fraction: 1 });
    for (const name of ['w1', 'b1', 'w2', 'b2']) expect((await mlp.weights.read(name)).every((v) => v === 0)).toBe(true);
  });

  it('hits the requested sparsity on a random model', async () => {
    const mlp = new MlpAdapter({ seed: 2, inputShape: [30], hidden: 20 });
    const report = await pruneSmallest(mlp.weights, { fraction: 0.29 });
    expect(report.pruned).toBe(Math.floor(0.29 * report.parameters + 1e-9));
    let zeros = 0;
    for (const name of ['w1', 'b1', 'w2', 'b2']) zeros += (await mlp.weights.read(name)).filter((v) => v === 0).length;
    expect(zeros).toBe(report.pruned);
  });

  it('rejects fractions outside [0, 1] and unknown scopes', async () => {
    const mlp = await tinyMlp();
    await expect(pruneSmallest(mlp.weights, { fraction: 1.5 })).rejects.toThrow(/\[0, 1\]/);
    await expect(pruneSmallest(mlp.weights, { fraction: Number.NaN })).rejects.toThrow(/\[0, 1\]/);
    await expect(pruneSmallest(mlp.weights, { fraction: 0.5, scope: 'layer' as 'global' })).rejects.toThrow(/scope/);
  });
});
