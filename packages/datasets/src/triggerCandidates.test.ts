import { describe, expect, it } from 'vitest';
import { argmaxRows, junctionDistances, junctionSpread, resolveSettings } from '@modelseal/core';
import { MlpAdapter } from '@modelseal/core/testing';
import { pickTriggerCandidates, triggerSelectionFor } from './triggerCandidates.ts';
import { toModelBatch } from './toModelBatch.ts';
import type { ImageSet } from './types.ts';

describe('pickTriggerCandidates', () => {
  const adapter = new MlpAdapter({ inputShape: [1, 4, 4], numClasses: 3, seed: 2 });
  const count = 60;
  const pixels = Float32Array.from({ length: count * 16 }, (_, i) => ((i * 7919) % 101) / 100);

  it('returns only samples the model classifies correctly, reproducibly', async () => {
    // Labels = the model's own answers for even indices, a wrong class for odd ones.
    const batch = { data: pixels, shape: [count, 1, 4, 4] };
    const predicted = argmaxRows(await adapter.predict(batch));
    const labels = Int32Array.from(predicted, (p, i) => (i % 2 === 0 ? p : (p + 1) % 3));
    const images: ImageSet = { height: 4, width: 4, channels: 1, pixels, labels, count };
    const a = await pickTriggerCandidates(adapter, images, { count: 10, seed: 5 });
    const b = await pickTriggerCandidates(adapter, images, { count: 10, seed: 5 });
    expect(a.indices).toEqual(b.indices);
    expect(a.indices.every((i) => i % 2 === 0)).toBe(true);
    expect(a.batch.shape).toEqual([10, 1, 4, 4]);
    await expect(pickTriggerCandidates(adapter, images, { count: 31, seed: 5 })).rejects.toThrow(/only 30 of 60/);
  });

  it('junction-distance selection keeps the pool samples nearest a k-class tie', async () => {
    const batch = { data: pixels, shape: [count, 1, 4, 4] };
    const labels = Int32Array.from(argmaxRows(await adapter.predict(batch)));
    const images: ImageSet = { height: 4, width: 4, channels: 1, pixels, labels, count };
    const seeded = await pickTriggerCandidates(adapter, images, { count: 40, seed: 5 });
    const picked = await pickTriggerCandidates(adapter, images, { count: 8, seed: 5, selection: { kind: 'junction-distance', pool: 5, tieClasses: 3 } });
    expect(picked.poolSize).toBe(40);
    expect(picked.selectionGradientEvaluations).toBe(40 * 2);
    expect(new Set(picked.indices).size).toBe(8);
    // The pool is the seeded choice of 5 × 8 samples; every pick comes from it and is no
    // farther from a 3-class tie than any sample left out.
    const pool = await junctionDistances({ adapter, inputs: toModelBatch(images, adapter.describe(), seeded.indices), tieClasses: 3 });
    const distance = new Map(seeded.indices.map((index, i) => [index, pool.distances[i]![1]!]));
    const worstPicked = Math.max(...picked.indices.map((i) => distance.get(i)!));
    const left = seeded.indices.filter((i) => !picked.indices.includes(i));
    expect(left.every((i) => distance.get(i)! >= worstPicked)).toBe(true);
    expect(picked.distances).toEqual(picked.indices.map((i) => distance.get(i)!));
    const again = await pickTriggerCandidates(adapter, images, { count: 8, seed: 5, selection: { kind: 'junction-distance', pool: 5, tieClasses: 3 } });
    expect(again.indices).toEqual(picked.indices);
    // A pool larger than the correctly classified samples uses them all.
    const all = await pickTriggerCandidates(adapter, images, { count: 8, seed: 5, selection: { kind: 'junction-distance', pool: 100, tieClasses: 3 } });
    expect(all.poolSize).toBe(count);
  });

  it('with a screen, computes distances only for the pool samples whose top-k probabilities lie closest', async () => {
    const batch = { data: pixels, shape: [count, 1, 4, 4] };
    const labels = Int32Array.from(argmaxRows(await adapter.predict(batch)));
    const images: ImageSet = { height: 4, width: 4, channels: 1, pixels, labels, count };
    const seeded = await pickTriggerCandidates(adapter, images, { count: 40, seed: 5 });
    const picked = await pickTriggerCandidates(adapter, images, { count: 8, seed: 5, selection: { kind: 'junction-distance', pool: 5, screen: 2, tieClasses: 3 } });
    expect(picked.poolSize).toBe(40);
    // 2 × 8 screened samples, 2 vjps each.
    expect(picked.selectionGradientEvaluations).toBe(16 * 2);
    const probabilities = await adapter.predict(toModelBatch(images, adapter.describe(), seeded.indices));
    const spread = seeded.indices.map((index, i) => [index, junctionSpread(probabilities.data.subarray(i * 3, (i + 1) * 3), 3)] as const);
    const shortlist = new Set(spread.sort((a, b) => a[1] - b[1]).slice(0, 16).map(([index]) => index));
    expect(picked.indices.every((i) => shortlist.has(i))).toBe(true);
    const full = await pickTriggerCandidates(adapter, images, { count: 8, seed: 5, selection: { kind: 'junction-distance', pool: 5, screen: 5, tieClasses: 3 } });
    expect(full.selectionGradientEvaluations).toBe(40 * 2);
  });

  it('follows the preset: seeded for junction, junction-distance for the default', () => {
    expect(triggerSelectionFor(resolveSettings({ preset: 'junction' }))).toEqual({ kind: 'seeded' });
    expect(triggerSelectionFor(resolveSettings({ preset: 'default' }))).toEqual({ kind: 'junction-distance', pool: 20, screen: 3, tieClasses: 6 });
  });
});
