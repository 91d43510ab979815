import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelAdapter } from '@modelseal/core';
import { MlpAdapter } from '@modelseal/core/testing';
import { loadDataset, toModelBatch } from '@modelseal/datasets';
import { openModel } from '../models.ts';
import { backdoorAttack, checkpointSteps, fineTuneWithCheckpoints } from './fineTune.ts';

const MNIST_CNN = resolve(import.meta.dirname, '../../../../models/mnist-cnn');
const MNIST_ONNX = resolve(import.meta.dirname, '../../../adapters/onnx/fixtures/cnn_mnist_logits.onnx');

/** The first 64 training digits, in the model's own layout. */
async function mnistBatch(adapter: ModelAdapter, split: 'train' | 'test' = 'train') {
  const mnist = await loadDataset('mnist');
  const set = mnist[split];
  const indices = Array.from({ length: 64 }, (_, i) => i);
  return { images: toModelBatch(set, adapter.describe(), indices), labels: Int32Array.from(indices, (i) => set.labels[i]!) };
}

/** A model behind predict only, like a remote endpoint: nothing to train. */
function blackBox(): ModelAdapter {
  const model = new MlpAdapter();
  return { kind: 'remote', describe: () => model.describe(), predict: (batch) => model.predict(batch), dispose: async () => undefined };
}

describe('checkpointSteps', () => {
  it('spreads the checkpoints evenly and always ends at the last step', () => {
    expect(checkpointSteps(100, 4)).toEqual([25, 50, 75, 100]);
    expect(checkpointSteps(3, 10)).toEqual([1, 2, 3]);
    expect(checkpointSteps(10, 3)).toEqual([3, 7, 10]);
  });
});

describe('fineTuneWithCheckpoints', () => {
  const data = { images: { data: new Float32Array(36), shape: [1, 1, 6, 6] }, labels: Int32Array.from([0]) };
  const options = { data, learningRate: 1e-3, steps: 2, batchSize: 1, batchNorm: 'frozen' as const, seed: 1, points: 1, onCheckpoint: async () => {} };

  it('refuses models it cannot train', async () => {
    await expect(fineTuneWithCheckpoints(blackBox(), options)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/runtime can train/) });
  });

  it('trains the TF.js model in segments and stops at every checkpoint', async () => {
    const adapter = await openModel(MNIST_CNN);
    try {
      const mnist = await loadDataset('mnist');
      const indices = Array.from({ length: 64 }, (_, i) => i);
      const images = toModelBatch(mnist.train, adapter.describe(), indices);
      const labels = Int32Array.from(indices, (i) => mnist.train.labels[i]!);
      const [first] = await adapter.weights!.list();
      const before = await adapter.weights!.read(first!.name);
      const seen: number[] = [];
      const stops = await fineTuneWithCheckpoints(adapter, {
        ...options,
        data: { images, labels },
        learningRate: 0.05,
        steps: 4,
        batchSize: 16,
        points: 2,
        onCheckpoint: async (step) => {
          seen.push(step);
        },
      });
      expect(stops).toEqual([2, 4]);
      expect(seen).toEqual([2, 4]);
      expect(Array.from(await adapter.weights!.read(first!.name))).not.toEqual(Array.from(before));
    } finally {
      await adapter.dispose();
    }
  });
});

describe('fineTuneWithCheckpoints on an ONNX model', () => {
  const options = { learningRate: 0.05, steps: 4, batchSize: 16, batchNorm: 'frozen' as const, seed: 1, points: 2 };

  it('trains it in ONNX Runtime in segments and stops at every checkpoint', async () => {
    const adapter = await openModel(MNIST_ONNX);
    try {
      expect(adapter.kind).toBe('onnx');
      const data = await mnistBatch(adapter);
      const before = await adapter.weights!.read('fc2.weight');
      const seen: number[] = [];
      const stops = await fineTuneWithCheckpoints(adapter, { ...options, data, onCheckpoint: async (step) => void seen.push(step) });
      expect(stops).toEqual([2, 4]);
      expect(seen).toEqual([2, 4]);
      expect(Array.from(await adapter.weights!.read('fc2.weight'))).not.toEqual(Array.from(before));
    } finally {
      await adapter.dispose();
    }
  });

  it('refuses to update batch-norm statistics, which ONNX inference graphs cannot', async () => {
    const adapter = await openModel(MNIST_ONNX);
    try {
      const data = await mnistBatch(adapter);
      const attempt = fineTuneWithCheckpoints(adapter, { ...options, data, batchNorm: 'update', onCheckpoint: async () => {} });
      await expect(attempt).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/batch-norm statistics frozen/) });
    } finally {
      await adapter.dispose();
    }
  });
});

describe('backdoorAttack', () => {
  it('refuses models it cannot train', async () => {
    const batch = { images: { data: new Float32Array(36), shape: [1, 1, 6, 6] }, labels: Int32Array.from([1]) };
    const options = { train: batch, test: batch, learningRate: 0.01, steps: 1, batchSize: 1, targetLabel: 0, poisonFraction: 0.5, seed: 1 };
    await expect(backdoorAttack(blackBox(), options)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('poisons and fine-tunes the TF.js model in place and reports the effect', async () => {
    const adapter = await openModel(MNIST_CNN);
    try {
      const mnist = await loadDataset('mnist');
      const batch = (set: typeof mnist.train) => {
        const indices = Array.from({ length: 64 }, (_, i) => i);
        return { images: toModelBatch(set, adapter.describe(), indices), labels: Int32Array.from(indices, (i) => set.labels[i]!) };
      };
      const [first] = await adapter.weights!.list();
      const before = await adapter.weights!.read(first!.name);
      const result = await backdoorAttack(adapter, {
        train: batch(mnist.train),
        test: batch(mnist.test),
        learningRate: 0.05,
        steps: 3,
        batchSize: 16,
        targetLabel: 0,
        poisonFraction: 0.5,
        seed: 2,
      });
      expect(result.poisoned).toBeGreaterThan(20);
      expect(result.cleanAccuracy).toBeGreaterThanOrEqual(0);
      expect(result.attackSuccessRate).toBeLessThanOrEqual(1);
      expect(Array.from(await adapter.weights!.read(first!.name))).not.toEqual(Array.from(before));
    } finally {
      await adapter.dispose();
    }
  });

  it('poisons and fine-tunes an ONNX model in place', async () => {
    const adapter = await openModel(MNIST_ONNX);
    try {
      const before = await adapter.weights!.read('fc2.weight');
      const result = await backdoorAttack(adapter, {
        train: await mnistBatch(adapter),
        test: await mnistBatch(adapter, 'test'),
        learningRate: 0.05,
        steps: 3,
        batchSize: 16,
        targetLabel: 0,
        poisonFraction: 0.5,
        seed: 2,
      });
      expect(result.poisoned).toBeGreaterThan(20);
      expect(result.losses).toHaveLength(3);
      expect(result.before.cleanAccuracy).toBeGreaterThan(0.9);
      expect(Array.from(await adapter.weights!.read('fc2.weight'))).not.toEqual(Array.from(before));
    } finally {
      await adapter.dispose();
    }
  });
});
