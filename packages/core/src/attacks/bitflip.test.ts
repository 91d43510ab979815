import { describe, expect, it } from 'vitest';
import type { WeightAccess } from '../adapter/contract.ts';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { flipBit } from './bitflip.ts';
import { tinyMlp } from './testWeights.ts';

async function bitsOf(weights: WeightAccess): Promise<Uint32Array> {
  const parts: Float32Array[] = [];
  for (const info of await weights.list()) parts.push(await weights.read(info.name));
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return new Uint32Array(all.buffer);
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}

describe('flipBit', () => {
  it('flips the requested bit: sign, lowest exponent bit, lowest mantissa bit', async () => {
    const mlp = await tinyMlp({ b2: [1, -3] });
    expect(await flipBit(mlp.weights, { tensor: 'b2', index: 0, bit: 31 })).toMatchObject({ oldValue: 1, newValue: -1, changed: 1, maxAbsDelta: 2 });
    expect(await flipBit(mlp.weights, { tensor: 'b2', index: 0, bit: 23 })).toMatchObject({ oldValue: -1, newValue: -0.5 });
    const report = await flipBit(mlp.weights, { tensor: 'b2', index: 1, bit: 0 });
    expect(report.newValue).toBe(-3 - 2 * 2 ** -23);
    expect(Array.from(await mlp.weights.read('b2'))).toEqual([-0.5, report.newValue]);
  });

  it('by default changes exactly one bit of one trainable weight, reproducibly from the seed', async () => {
    const a = new MlpAdapter({ seed: 4 });
    const b = new MlpAdapter({ seed: 4 });
    const before = await bitsOf(a.weights);
    const report = await flipBit(a.weights, { seed: 11 });
    expect(await flipBit(b.weights, { seed: 11 })).toEqual(report);
    const after = await bitsOf(a.weights);
    let differing = 0;
    let bits = 0;
    for (let i = 0; i < before.length; i++) {
      if (before[i] !== after[i]) differing++;
      bits += popcount(before[i]! ^ after[i]!);
    }
    expect(differing).toBe(1);
    expect(bits).toBe(1);
    expect(report.bit).toBeLessThanOrEqual(30);
    expect(report.tensors).toBe(1);
    expect(report.newValue).toBe((await a.weights.read(report.tensor))[report.index]);
    expect(report).not.toEqual(await flipBit(new MlpAdapter({ seed: 4 }).weights, { seed: 12 }));
  });

  it('refuses a flip to Infinity or NaN unless allowed, and redraws random ones that would give it', async () => {
    const mlp = await tinyMlp({ b2: [1.5, 1] });
    await expect(flipBit(mlp.weights, { tensor: 'b2', index: 0, bit: 30 })).rejects.toThrow(/gives NaN.*NaN\/Infinity.*allowNonFinite/);
    expect(Array.from(await mlp.weights.read('b2'))).toEqual([1.5, 1]);
    expect((await flipBit(mlp.weights, { tensor: 'b2', index: 1, bit: 30, allowNonFinite: true })).newValue).toBe(Infinity);
    // Every weight in [1, 2): bit 30 always gives a non-finite value, so random picks must avoid it.
    const ones = await tinyMlp({ w1: [1, 1, 1, 1, 1, 1], b1: [1, 1, 1], w2: [1, 1, 1, 1, 1, 1], b2: [1, 1] });
    await expect(flipBit(ones.weights, { tensor: 'w1', bit: 30 })).rejects.toThrow(/no finite result/);
    for (let seed = 0; seed < 50; seed++) expect(Number.isFinite((await flipBit(ones.weights, { seed })).newValue)).toBe(true);
  });

  it('rejects unknown tensors and out-of-range positions', async () => {
    const mlp = await tinyMlp();
    await expect(flipBit(mlp.weights, { tensor: 'nope' })).rejects.toThrow(/no float weight named "nope"/);
    await expect(flipBit(mlp.weights, { tensor: 'b2', index: 2 })).rejects.toThrow(/index must be an integer in \[0, 1\]/);
    await expect(flipBit(mlp.weights, { bit: 32 })).rejects.toThrow(/bit must be an integer in \[0, 31\]/);
  });
});
