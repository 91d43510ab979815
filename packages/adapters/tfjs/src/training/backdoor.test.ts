import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TfjsAdapter } from '../adapter.ts';
import { backdoorFineTune } from './backdoor.ts';
import { mnistSample, saveTinyMnistModel } from './testModel.ts';

const root = await mkdtemp(path.join(tmpdir(), 'modelseal-backdoor-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const folder = await saveTinyMnistModel(path.join(root, 'model'), 7);
const { train, test } = await mnistSample(400, 200);

describe('backdoorFineTune', () => {
  it('teaches the model to answer the target class whenever the patch is present', async () => {
    const adapter = await TfjsAdapter.load({ path: folder });
    try {
      const result = await backdoorFineTune(adapter, {
        ...train,
        test,
        targetLabel: 7,
        poisonFraction: 0.2,
        patch: { size: 4, value: 1, corner: 'bottom-right' },
        learningRate: 0.1,
        steps: 60,
        batchSize: 32,
        seed: 2,
      });
      expect(result.poisoned).toBe(80);
      expect(result.losses).toHaveLength(60);
      expect(result.before.attackSuccessRate).toBeLessThan(0.3);
      // Chance is 10 %; the backdoor must dominate whatever the clean features say.
      expect(result.attackSuccessRate).toBeGreaterThan(0.8);
      expect(result.cleanAccuracy).toBeGreaterThan(0.4);
      expect(result.cleanAccuracy).toBeGreaterThan(result.before.cleanAccuracy);
    } finally {
      await adapter.dispose();
    }
  });

  it('rejects a target outside the classes and a patch larger than the image', async () => {
    const adapter = await TfjsAdapter.load({ path: folder });
    try {
      const base = { ...train, test, poisonFraction: 0.1, learningRate: 0.1, steps: 1, batchSize: 8 };
      await expect(backdoorFineTune(adapter, { ...base, targetLabel: 10 })).rejects.toThrow(/target label 10/);
      await expect(backdoorFineTune(adapter, { ...base, targetLabel: 1, patch: { size: 29 } })).rejects.toThrow(/patch size/);
      await expect(backdoorFineTune(adapter, { ...base, targetLabel: 1, poisonFraction: 0 })).rejects.toThrow(/poisonFraction/);
    } finally {
      await adapter.dispose();
    }
  });
});
