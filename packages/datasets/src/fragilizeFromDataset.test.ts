import { describe, expect, it, vi } from 'vitest';
import { argmaxRows, fragilize, resolveSettings } from '@modelseal/core';
import { MlpAdapter } from '@modelseal/core/testing';
import { fragilizeFromDataset } from './fragilizeFromDataset.ts';
import { pickTriggerCandidates, triggerSelectionFor } from './triggerCandidates.ts';
import type { ImageSet } from './types.ts';

describe('fragilizeFromDataset', () => {
  const adapter = new MlpAdapter({ inputShape: [1, 4, 4], numClasses: 4, seed: 3 });
  const count = 80;
  const pixels = Float32Array.from({ length: count * 16 }, (_, i) => ((i * 7919) % 101) / 100);
  const images = async (): Promise<ImageSet> => {
    const labels = Int32Array.from(argmaxRows(await adapter.predict({ data: pixels, shape: [count, 1, 4, 4] })));
    return { height: 4, width: 4, channels: 1, pixels, labels, count };
  };
  // Two iterations leave part of the samples outside the band.
  const settings = { preset: 'boundary', maxIterations: 2 } as const;

  it('fragilizes spares in place of samples that end outside the margin band', async () => {
    const set = await images();
    const plain = await fragilizeFromDataset(adapter, set, { count: 10, seed: 4, ...settings, spareCandidates: 0 });
    const outside = plain.result.samples.flatMap((s, i) => (s.converged ? [] : [i]));
    expect(plain.replaced).toBe(0);
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.length).toBeLessThan(10);

    const progress: number[] = [];
    const withSpares = await fragilizeFromDataset(adapter, set, {
      count: 10,
      seed: 4,
      ...settings,
      spareCandidates: 1,
      onProgress: (_, { round }) => progress.push(round),
    });
    expect(withSpares.replaced).toBeGreaterThan(0);
    const inBand = (r: typeof plain) => r.result.samples.filter((s) => s.converged).length;
    expect(inBand(withSpares)).toBe(inBand(plain) + withSpares.replaced);
    expect(Math.max(...progress)).toBeGreaterThan(0);
    // Samples that made the band the first time stay where they were; replaced ones come from the spares.
    const spares = withSpares.candidates.spares.indices;
    withSpares.indices.forEach((index, i) => {
      if (outside.includes(i)) expect(index === plain.indices[i] || spares.includes(index)).toBe(true);
      else expect(index).toBe(plain.indices[i]);
    });
    const swapped = withSpares.indices.flatMap((index, i) => (index !== plain.indices[i] ? [i] : []));
    expect(swapped).toHaveLength(withSpares.replaced);
    // A swapped-in sample is the fragilized spare itself, not a relabelled original.
    const again = await fragilize({ adapter, inputs: pickRow(withSpares.candidates.spares.batch, spares.indexOf(withSpares.indices[swapped[0]!]!)), ...settings, seed: 4 });
    expect(Array.from(withSpares.result.inputs.data.subarray(swapped[0]! * 16, swapped[0]! * 16 + 16))).toEqual(Array.from(again.inputs.data));
    expect(withSpares.result.gradientEvaluations).toBeGreaterThan(plain.result.gradientEvaluations);
  });

  it('probes the class on top once, on a subset of the training images, and gives the spares the class it settled on', async () => {
    const set = await images();
    const model = new MlpAdapter({ inputShape: [1, 4, 4], numClasses: 4, seed: 3 });
    const fineTune = vi.spyOn(model, 'fineTune');
    const probe = { preset: 'junction', tieClasses: 3, tieTop: 'probe', probeIteration: 1, probeSteps: 2, probeLearningRate: 0.5, maxIterations: 3 } as const;
    const run = await fragilizeFromDataset(model, set, { count: 10, seed: 4, ...probe, spareCandidates: 1, probeImages: set });
    expect(run.replaced).toBeGreaterThan(0);
    expect(fineTune).toHaveBeenCalledTimes(1);
    // 2 steps of 32 draw on 64 of the 80 images.
    expect(fineTune.mock.calls[0]![0].labels).toHaveLength(64);
    expect(run.result.tieTop?.flips).not.toBeNull();
    const start = await model.predict(run.result.originalInputs);
    const position = run.result.tieTop!.chosen === 'last' ? 2 : 1;
    run.result.samples.forEach((sample, i) => {
      if (!sample.converged) return;
      const ranked = Array.from(start.data.subarray(i * 4, i * 4 + 4), (p, c) => [p, c] as const).sort((a, b) => b[0] - a[0]);
      expect(run.result.labels[i]).toBe(ranked[position]![1]);
    });
    const withoutImages = await fragilizeFromDataset(model, set, { count: 10, seed: 4, ...probe, spareCandidates: 0 });
    expect(withoutImages.result.tieTop).toMatchObject({ chosen: 'runner-up', flips: null, skipped: 'no training data was given for the probe fine-tune' });
  });

  it('draws spares as the next candidates in the selection order', async () => {
    const set = await images();
    // The pool (20 × count) and the screen cover all 80 samples for both counts, so only the ranking decides.
    const selection = triggerSelectionFor(resolveSettings({ preset: 'default', tieClasses: 3, minTieClasses: 3, maxTieClasses: 3, selectionScreen: 20 }));
    const picked = await pickTriggerCandidates(adapter, set, { count: 6, seed: 4, spare: 3, selection });
    const wider = await pickTriggerCandidates(adapter, set, { count: 9, seed: 4, selection });
    expect(picked.indices).toEqual(wider.indices.slice(0, 6));
    expect(picked.spares.indices).toEqual(wider.indices.slice(6, 9));
    const seeded = await pickTriggerCandidates(adapter, set, { count: 6, seed: 4, spare: 2 });
    const seededWider = await pickTriggerCandidates(adapter, set, { count: 8, seed: 4 });
    expect([...seeded.indices, ...seeded.spares.indices]).toEqual(seededWider.indices);
    expect(seeded.spares.batch.shape).toEqual([2, 1, 4, 4]);
  });
});

function pickRow(batch: { data: Float32Array; shape: readonly number[] }, row: number) {
  return { data: batch.data.slice(row * 16, (row + 1) * 16), shape: [1, ...batch.shape.slice(1)] };
}
