import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { Random } from '../util/random.ts';
import { allocateTieSizes, fragilize } from './fragilize.ts';
import { resolveSettings } from './settings.ts';

// First-order PSNR of a k-class tie: `start` dB at 2 classes, `step` dB less per extra class.
const linear = (start: number, step: number) => (k: number) => start - step * (k - 2);
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

describe('allocateTieSizes', () => {
  it('gives every sample the largest tie when the budget allows it, and the smallest when it allows nothing more', () => {
    const psnrs = [linear(40, 1), linear(35, 2), linear(30, 0.5)];
    expect(allocateTieSizes(psnrs, 5, 8, 10)).toEqual([8, 8, 8]);
    const atMin = mean(psnrs.map((p) => p(5)));
    expect(allocateTieSizes(psnrs, 5, 8, atMin)).toEqual([5, 5, 5]);
  });

  it('spends the budget on the samples whose larger ties cost least, keeping the mean at or above it', () => {
    // Sample 0 loses 0.5 dB per class, sample 1 loses 3: with room for about 4 dB in all, sample 0 takes it.
    const psnrs = [linear(30, 0.5), linear(30, 3)];
    const target = mean(psnrs.map((p) => p(5))) - 2;
    const sizes = allocateTieSizes(psnrs, 5, 8, target);
    expect(sizes).toEqual([8, 5]);
    expect(mean(sizes.map((k, i) => psnrs[i]!(k)))).toBeGreaterThanOrEqual(target);
  });

  it('prefers a small tie grown by one over a large tie grown by one at the same cost', () => {
    // Equal PSNR cost per class (1 dB) and room for two classes in all: 5 → 6 gains 1/30 of
    // flip share, 6 → 7 only 1/42, so both samples grow once rather than one twice.
    const sizes = allocateTieSizes([linear(30, 1), linear(30, 1)], 5, 8, 26);
    expect(sizes.sort()).toEqual([6, 6]);
  });
});

describe('fragilize with a mean-PSNR tie budget', () => {
  it('the default preset shares ties of 5-8 classes out over the set, and refuses a smallest tie above the largest', () => {
    expect(resolveSettings({ preset: 'default' })).toMatchObject({ tieMeanPsnr: 25.85, minTieClasses: 5, maxTieClasses: 8 });
    expect(() => resolveSettings({ preset: 'default', minTieClasses: 9 })).toThrow(/minTieClasses \(9\) must not exceed maxTieClasses \(8\)/);
  });

  it('ties each sample between minTieClasses and maxTieClasses classes, more where the model is cheap to tie', async () => {
    const adapter = new MlpAdapter({ seed: 5, weightScale: 1.5, inputShape: [1, 8, 8], hidden: 32 });
    const random = new Random(6);
    const inputs = { data: Float32Array.from({ length: 10 * 64 }, () => random.next()), shape: [10, 1, 8, 8] };
    const base = { adapter, inputs, preset: 'junction', tieClasses: 4, minTieClasses: 3, maxTieClasses: 6, maxIterations: 2 } as const;
    const generous = await fragilize({ ...base, tieMeanPsnr: 1, tiePsnr: 1 });
    expect(generous.samples.map((s) => s.tieClasses)).toEqual(Array(10).fill(6));
    const strict = await fragilize({ ...base, tieMeanPsnr: 199 });
    expect(strict.samples.map((s) => s.tieClasses)).toEqual(Array(10).fill(3));
  });
});
