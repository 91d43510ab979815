import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { Random } from '../util/random.ts';
import { exactGradient } from './gradient.ts';
import { nesGradient, spsaGradient } from './zerothOrder.ts';
import { fragilize } from './fragilize.ts';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('zeroth-order gradients', () => {
  const adapter = new MlpAdapter({ seed: 2, inputShape: [20], hidden: 8 });
  const random = new Random(1);
  const inputs = { data: Float32Array.from({ length: 3 * 20 }, () => random.next()), shape: [3, 20] };
  const cotangent = { data: Float32Array.from({ length: 30 }, () => random.gaussian()), shape: [3, 10] };

  it.each([
    ['nes', nesGradient],
    ['spsa', spsaGradient],
  ] as const)('%s estimates point along the exact gradient and count their queries', async (_name, make) => {
    const exact = await exactGradient(adapter).compute(inputs, cotangent);
    const estimate = await make(adapter, { probes: 400, sigma: 1e-3, seed: 3 }).compute(inputs, cotangent);
    expect(estimate.queries).toBe(3 * 801);
    for (let s = 0; s < 3; s++) {
      const e = exact.gradient.data.subarray(s * 20, (s + 1) * 20);
      const z = estimate.gradient.data.subarray(s * 20, (s + 1) * 20);
      expect(cosine(e, z)).toBeGreaterThan(0.9);
    }
    for (let i = 0; i < 30; i++) expect(estimate.probabilities.data[i]).toBeCloseTo(exact.probabilities.data[i]!, 6);
  });

  it('packs all probes of a step into batches no larger than the adapter allows', async () => {
    const before = adapter.queryCount();
    await nesGradient(adapter, { probes: 10 }).compute(inputs, cotangent);
    // 3 samples × 21 queries = 63 rows, one predict call of ≤ 64 rows.
    expect(adapter.queryCount() - before).toBe(63);
  });

  it('lets fragilize work from probabilities alone', async () => {
    const before = await adapter.predict(inputs);
    const result = await fragilize({ adapter, inputs, gradient: nesGradient(adapter, { probes: 20, seed: 1 }), maxIterations: 150 });
    const margin = (p: Float32Array, r: number): number => {
      const row = Array.from(p.subarray(r * 10, (r + 1) * 10)).sort((a, b) => b - a);
      return row[0]! - row[1]!;
    };
    for (let r = 0; r < 3; r++) expect(result.samples[r]!.margin).toBeLessThan(margin(before.data, r));
    expect(result.gradientSource).toBe('nes');
    expect(result.queries).toBeGreaterThan(150 * 3);
  });
});
