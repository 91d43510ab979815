import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { argmaxRows } from '../tensor/tensor.ts';
import { Random } from '../util/random.ts';
import { refineToBand } from './refine.ts';

describe('refineToBand', () => {
  it('finds a point in the margin band between two differently labelled points', async () => {
    const adapter = new MlpAdapter({ seed: 8, inputShape: [10], hidden: 6 });
    const random = new Random(4);
    // Nearby pairs of points with different labels, like the two ends of one fragilization step.
    const brackets = [];
    while (brackets.length < 5) {
      const a = Float32Array.from({ length: 10 }, () => random.next());
      const b = a.map((v) => v + 0.3 * random.gaussian());
      const labels = argmaxRows(await adapter.predict({ data: Float32Array.from([...a, ...b]), shape: [2, 10] }));
      if (labels[0] !== labels[1]) brackets.push({ from: a, to: b, labelA: labels[0]!, labelB: labels[1]! });
    }
    const band = { minMargin: 1e-5, targetMargin: 3e-5 };
    const { results, queries } = await refineToBand(adapter, brackets, band);
    expect(queries).toBeGreaterThan(0);
    for (const result of results) {
      expect(result?.inBand).toBe(true);
      expect(result!.margin).toBeGreaterThanOrEqual(band.minMargin);
      expect(result!.margin).toBeLessThanOrEqual(band.targetMargin);
      const check = await adapter.predict({ data: result!.x, shape: [1, 10] });
      const sorted = Array.from(check.data).sort((x, y) => y - x);
      expect(sorted[0]! - sorted[1]!).toBeCloseTo(result!.margin, 6);
    }
  });
});
