import { describe, expect, it } from 'vitest';
import { fragilize, psnrBatch, Random } from '@modelseal/core';
import { MlpAdapter } from '@modelseal/core/testing';
import { traceFragilization } from './trace.ts';

const adapter = new MlpAdapter({ inputShape: [1, 12, 12], seed: 2, weightScale: 3 });
const random = new Random(4);
const inputs = { data: Float32Array.from({ length: 3 * 144 }, () => random.next()), shape: [3, 1, 12, 12] };

describe('traceFragilization', () => {
  it('cuts the paper preset into segments that continue exactly where the last one stopped', async () => {
    const trace = await traceFragilization({ adapter, inputs, preset: 'paper', maxIterations: 40, points: 4 });
    expect(trace.checkpoints).toEqual([0, 10, 20, 30, 40]);
    expect(trace.loss).toHaveLength(40);
    const whole = await fragilize({ adapter, inputs, preset: 'paper', maxIterations: 40, recordTrace: true });
    expect(trace.psnr.at(-1)).toBeCloseTo(psnrBatch(inputs, whole.inputs, { dataRange: 1 }).mean, 6);
    expect(trace.probabilities.at(-1)).toEqual(Array.from(whole.probabilities.data.subarray(0, 10)));
    expect(trace.loss.at(-1)).toBeCloseTo(whole.trace!.at(-1)!.reduce((s, v) => s + v, 0) / 3, 6);
  });

  it('starts from the natural images and, for the default preset, ends at the full run', async () => {
    const trace = await traceFragilization({ adapter, inputs, preset: 'default', points: 3 });
    const whole = await fragilize({ adapter, inputs, preset: 'default' });
    expect(trace.checkpoints[0]).toBe(0);
    expect(trace.ssim[0]).toBe(1);
    expect(trace.checkpoints.at(-1)).toBe(whole.iterations);
    expect(trace.probabilities).toHaveLength(trace.checkpoints.length);
    expect(trace.probabilities[0]!.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(trace.psnr.at(-1)).toBeCloseTo(psnrBatch(inputs, whole.inputs, { dataRange: 1 }).mean, 6);
    expect(trace.loss).toHaveLength(whole.iterations);
  });
});
