import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '@modelseal/core/testing';
import { tamperedChangeRate } from './tamper.ts';

const SIZE = 36;

/** Rows whose first pixel is zero or not, labelled with the model's own answers. */
async function samplesOf(model: MlpAdapter, firstPixels: number[]) {
  const data = new Float32Array(firstPixels.length * SIZE);
  firstPixels.forEach((first, r) => {
    for (let i = 0; i < SIZE; i++) data[r * SIZE + i] = i === 0 ? first : ((r * 7 + i * 3) % 11) / 11;
  });
  const inputs = { data, shape: [firstPixels.length, 1, 6, 6] };
  const probabilities = await model.predict(inputs);
  const labels = Int32Array.from({ length: firstPixels.length }, (_, r) => {
    const row = probabilities.data.subarray(r * 10, (r + 1) * 10);
    return row.indexOf(Math.max(...row));
  });
  return { inputs, labels };
}

describe('tamperedChangeRate', () => {
  it('is 0 on the untouched model and reports no broken outputs', async () => {
    const model = new MlpAdapter();
    const samples = await samplesOf(model, [0, 0.5, 1, 0]);
    await expect(tamperedChangeRate(model, { ...samples, durationMs: 0, gradientEvaluations: 0 })).resolves.toEqual({ rate: 0, nonFinite: 0 });
  });

  it('counts samples the tampered model answers with NaN as changed instead of failing', async () => {
    const model = new MlpAdapter();
    const samples = await samplesOf(model, [0, 0.5, 1, 0]);
    // An infinite weight on the first pixel: 0 × ∞ = NaN for rows whose first pixel is 0 only.
    const w1 = await model.weights.read('w1');
    for (let j = 0; j < 16; j++) w1[j] = Infinity;
    await model.weights.write('w1', w1);
    await expect(model.predict(samples.inputs)).rejects.toMatchObject({ code: 'MODEL_OUTPUT' });
    const outcome = await tamperedChangeRate(model, { ...samples, durationMs: 0, gradientEvaluations: 0 });
    expect(outcome.nonFinite).toBe(2);
    expect(outcome.rate).toBeGreaterThanOrEqual(0.5);
  });

  it('still fails on errors that are not the model output', async () => {
    const model = new MlpAdapter();
    const samples = await samplesOf(model, [0.5]);
    await model.dispose();
    await expect(tamperedChangeRate(model, { ...samples, durationMs: 0, gradientEvaluations: 0 })).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});
