import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { addGaussianNoise } from './noise.ts';

describe('addGaussianNoise', () => {
  it('adds zero-mean noise of the requested std to every parameter, reproducibly', async () => {
    const a = new MlpAdapter({ seed: 1, inputShape: [400], hidden: 50 });
    const b = new MlpAdapter({ seed: 1, inputShape: [400], hidden: 50 });
    const before = await a.weights.read('w1');
    const report = await addGaussianNoise(a.weights, { std: 1e-3, seed: 7 });
    await addGaussianNoise(b.weights, { std: 1e-3, seed: 7 });
    expect(report.tensors).toBe(4);
    expect(report.parameters).toBe(400 * 50 + 50 + 50 * 10 + 10);
    expect(report.changed).toBeGreaterThan(report.parameters - 5);
    // The largest of ~20,000 |N(0, σ²)| draws lies near 4.4σ.
    expect(report.maxAbsDelta).toBeGreaterThan(3.5e-3);
    expect(report.maxAbsDelta).toBeLessThan(6e-3);
    const after = await a.weights.read('w1');
    expect(after).toEqual(await b.weights.read('w1'));
    const diffs = Array.from(after, (v, i) => v - before[i]!);
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    const std = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / diffs.length);
    expect(Math.abs(mean)).toBeLessThan(5e-5);
    expect(std).toBeGreaterThan(0.95e-3);
    expect(std).toBeLessThan(1.05e-3);
  });

  it('rejects a non-positive std', async () => {
    await expect(addGaussianNoise(new MlpAdapter().weights, { std: 0 })).rejects.toThrow(/positive/);
  });
});
