import { describe, expect, it } from 'vitest';
import { argmaxRows } from '@modelseal/core';
import { MlpAdapter } from '@modelseal/core/testing';
import { pickTriggerCandidates } from './triggerCandidates.ts';
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
});
