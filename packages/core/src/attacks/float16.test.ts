import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { float16BitsToFloat32, float32ToFloat16Bits, roundToFloat16 } from './float16.ts';
import { roundTripFloat16 } from './quantize.ts';
import { tinyMlp } from './testWeights.ts';

describe('float16 conversion', () => {
  it('rounds known values exactly', () => {
    expect(float32ToFloat16Bits(1 / 3)).toBe(0x3555);
    expect(roundToFloat16(1 / 3)).toBe(0.333251953125);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(roundToFloat16(-2)).toBe(-2);
    // Subnormals: the smallest is 2^-24; anything at or below half of it (2^-25) flushes to zero.
    expect(roundToFloat16(1e-8)).toBe(0);
    expect(roundToFloat16(2 ** -25)).toBe(0);
    expect(roundToFloat16(3e-8)).toBe(2 ** -24);
    expect(roundToFloat16(1e-5)).toBe(168 * 2 ** -24);
    expect(Object.is(roundToFloat16(-1e-8), -0)).toBe(true);
  });

  it('breaks ties to even and overflows to Infinity past the midpoint above 65504', () => {
    expect(roundToFloat16(1 + 2 ** -11)).toBe(1);
    expect(roundToFloat16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(roundToFloat16(65519)).toBe(65504);
    expect(roundToFloat16(65520)).toBe(Infinity);
    expect(roundToFloat16(-1e6)).toBe(-Infinity);
    expect(roundToFloat16(Infinity)).toBe(Infinity);
    expect(Number.isNaN(roundToFloat16(NaN))).toBe(true);
  });

  it('is exact on every finite half and rounds every midpoint between neighbours to the even one', () => {
    for (let bits = 0; bits < 0x7c00; bits++) {
      const value = float16BitsToFloat32(bits);
      expect(float32ToFloat16Bits(value)).toBe(bits);
      expect(float32ToFloat16Bits(-value)).toBe(bits | 0x8000);
      if (bits === 0x7bff) continue;
      const next = float16BitsToFloat32(bits + 1);
      const mid = (value + next) / 2; // exactly representable in float32
      const even = bits % 2 === 0 ? bits : bits + 1;
      if (float32ToFloat16Bits(mid) !== even) expect.fail(`midpoint above 0x${bits.toString(16)} rounded wrongly`);
      if (float32ToFloat16Bits(Math.fround(mid * (1 + 2 ** -20))) !== bits + 1) expect.fail(`above midpoint of 0x${bits.toString(16)}`);
      if (bits > 0 && float32ToFloat16Bits(Math.fround(mid * (1 - 2 ** -20))) !== bits) expect.fail(`below midpoint of 0x${bits.toString(16)}`);
    }
  });
});

describe('roundTripFloat16', () => {
  it('replaces every weight by its float16 value and reports the change', async () => {
    const mlp = await tinyMlp({ w1: [1 / 3, 65504, 1e-8, 0.5, -2, 1e-5], b1: [1, 2, 3], w2: [0, 0, 0, 0, 0, 0], b2: [0.25, -8] });
    const report = await roundTripFloat16(mlp.weights);
    expect(Array.from(await mlp.weights.read('w1'))).toEqual([0.333251953125, 65504, 0, 0.5, -2, 168 * 2 ** -24]);
    expect(Array.from(await mlp.weights.read('b1'))).toEqual([1, 2, 3]);
    expect(report.tensors).toBe(4);
    expect(report.parameters).toBe(17);
    expect(report.flushedToZero).toBe(1);
    expect(report.overflowed).toBe(0);
    expect(report.maxAbsDelta).toBeCloseTo(Math.fround(1 / 3) - 0.333251953125, 12);
  });

  it('refuses to turn a weight into Infinity unless allowed, leaving the model untouched', async () => {
    const mlp = await tinyMlp({ b2: [1e5, 0.25] });
    await expect(roundTripFloat16(mlp.weights)).rejects.toThrow(/65504.*b2 holds 100000.*allowOverflow/);
    expect(Array.from(await mlp.weights.read('b2'))).toEqual([1e5, 0.25]);
    const report = await roundTripFloat16(mlp.weights, { allowOverflow: true });
    expect(report.overflowed).toBe(1);
    expect(Array.from(await mlp.weights.read('b2'))).toEqual([Infinity, 0.25]);
  });

  it('changes a randomly initialised model by at most half a float16 step', async () => {
    const mlp = new MlpAdapter({ seed: 3 });
    const before = await mlp.weights.read('w1');
    const report = await roundTripFloat16(mlp.weights);
    expect(report.changed).toBeGreaterThan(report.parameters * 0.9);
    const after = await mlp.weights.read('w1');
    before.forEach((value, i) => expect(Math.abs(after[i]! - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 2 ** -25));
  });
});
