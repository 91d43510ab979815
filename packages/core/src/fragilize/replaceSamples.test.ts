import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/index.ts';
import { fragilize } from './fragilize.ts';
import { replaceSamples } from './replaceSamples.ts';

describe('replaceSamples', () => {
  const adapter = new MlpAdapter({ inputShape: [1, 4, 4], numClasses: 3, seed: 2 });
  const inputs = (offset: number, count: number) => ({
    data: Float32Array.from({ length: count * 16 }, (_, i) => (((i + offset) * 7919) % 101) / 100),
    shape: [count, 1, 4, 4],
  });

  it('swaps the given rows in and adds up the costs of both runs', async () => {
    const base = await fragilize({ adapter, inputs: inputs(0, 4), preset: 'boundary', recordTrace: true });
    const spare = await fragilize({ adapter, inputs: inputs(1000, 2), preset: 'boundary' });
    const merged = replaceSamples(base, [3, 1], spare);
    const row = (t: { data: Float32Array }, r: number) => Array.from(t.data.subarray(r * 16, (r + 1) * 16));
    expect(row(merged.inputs, 3)).toEqual(row(spare.inputs, 0));
    expect(row(merged.inputs, 1)).toEqual(row(spare.inputs, 1));
    expect(row(merged.originalInputs, 1)).toEqual(row(spare.originalInputs, 1));
    expect(row(merged.inputs, 0)).toEqual(row(base.inputs, 0));
    expect(Array.from(merged.probabilities.data.subarray(9, 12))).toEqual(Array.from(spare.probabilities.data.subarray(0, 3)));
    expect([merged.labels[3], merged.originalLabels[3], merged.samples[3]]).toEqual([spare.labels[0], spare.originalLabels[0], spare.samples[0]]);
    expect(merged.samples[2]).toBe(base.samples[2]);
    expect(merged.gradientEvaluations).toBe(base.gradientEvaluations + spare.gradientEvaluations);
    expect(merged.queries).toBe(base.queries + spare.queries);
    expect(merged.trace).toBeUndefined();
    // Chosen rows of a larger run: only those are swapped in, all of its costs count.
    const picked = replaceSamples(base, [0], spare, [1]);
    expect(row(picked.inputs, 0)).toEqual(row(spare.inputs, 1));
    expect(picked.samples[0]).toBe(spare.samples[1]);
    expect(row(picked.inputs, 3)).toEqual(row(base.inputs, 3));
    expect(picked.gradientEvaluations).toBe(base.gradientEvaluations + spare.gradientEvaluations);
    // The base result is left as it was.
    expect(row(base.inputs, 3)).not.toEqual(row(spare.inputs, 0));
  });

  it('rejects positions that do not match the replacement', async () => {
    const base = await fragilize({ adapter, inputs: inputs(0, 3), preset: 'boundary' });
    const spare = await fragilize({ adapter, inputs: inputs(1000, 1), preset: 'boundary' });
    expect(() => replaceSamples(base, [0, 1], spare)).toThrow(/2 positions but 1 replacement/);
    expect(() => replaceSamples(base, [3], spare)).toThrow(/distinct indices below 3/);
    expect(() => replaceSamples(base, [0], spare, [1])).toThrow(/replacement rows must be indices below 1/);
    expect(() => replaceSamples(base, [0], spare, [0, 0])).toThrow(/1 positions but 2 replacement/);
  });
});
