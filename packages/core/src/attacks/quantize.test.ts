import { describe, expect, it } from 'vitest';
import { roundTripInt8 } from './quantize.ts';
import { tinyMlp } from './testWeights.ts';

const plain = (values: Float32Array): number[] => Array.from(values, (v) => v + 0); // −0 → 0

describe('roundTripInt8', () => {
  it('quantises each tensor symmetrically with scale max|w| / 127, rounding half to even', async () => {
    // w1 is [2 inputs, 3 hidden]; with max 127 the scale is exactly 1.
    const mlp = await tinyMlp({ w1: [127, 0.3, 12.7, 1.5, -0.1, 2.5], b1: [0.5, -0.25, 0.125], w2: [0, 0, 0, 0, 0, 0] });
    const report = await roundTripInt8(mlp.weights);
    expect(plain(await mlp.weights.read('w1'))).toEqual([127, 0, 13, 2, 0, 2]);
    // 0.5 is the largest bias, so its steps are 0.5/127 and the others land on the nearest multiple.
    const b1 = await mlp.weights.read('b1');
    const step = 0.5 / 127;
    expect(b1[0]).toBeCloseTo(0.5, 7);
    expect(b1[1]).toBeCloseTo(-64 * step, 7);
    expect(b1[2]).toBeCloseTo(32 * step, 7);
    expect(plain(await mlp.weights.read('w2'))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(report.tensors).toBe(4);
    expect(report.changed).toBeGreaterThanOrEqual(5);
    expect(report.maxAbsDelta).toBeCloseTo(0.5, 6);
  });

  it('per channel gives every output channel (last axis by default) its own scale', async () => {
    const mlp = await tinyMlp({ w1: [127, 0.3, 12.7, 1.5, -0.1, 2.6] });
    await roundTripInt8(mlp.weights, { perChannel: true });
    const w1 = await mlp.weights.read('w1');
    expect(w1[0]).toBe(127);
    expect(w1[3]).toBe(2);
    const step1 = Math.fround(0.3) / 127;
    expect(w1[1]).toBeCloseTo(Math.fround(0.3), 7);
    expect(w1[4]).toBeCloseTo(-42 * step1, 7);
    expect(w1[2]).toBeCloseTo(12.7, 5);
    expect(w1[5]).toBeCloseTo(2.6, 5);
  });

  it('per channel on axis 0 groups rows instead', async () => {
    const mlp = await tinyMlp({ w1: [127, 1.5, -64.5, 2, 0.5, 1] });
    await roundTripInt8(mlp.weights, { perChannel: true, channelAxis: 0 });
    const w1 = await mlp.weights.read('w1');
    expect(plain(w1.subarray(0, 3))).toEqual([127, 2, -64]);
    expect(w1[3]).toBeCloseTo(2, 6);
    expect(w1[4]).toBeCloseTo(Math.round(0.5 / (2 / 127)) * (2 / 127), 6);
    await expect(roundTripInt8(mlp.weights, { perChannel: true, channelAxis: 2 })).rejects.toThrow(/channelAxis 2 is out of range/);
  });
});
