import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@modelseal/core';
import { TfjsAdapter } from '../adapter.ts';
import { saveTinyLayersModel, writeTinyGraphModel } from '../testing/fixtures.ts';
import { fineTune } from './fineTune.ts';
import { mnistSample, saveTinyMnistModel } from './testModel.ts';

const root = await mkdtemp(path.join(tmpdir(), 'modelseal-finetune-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const folder = await saveTinyMnistModel(path.join(root, 'model'));
const { train } = await mnistSample(300, 0);
const probe: Tensor = { data: train.images.data.slice(0, 50 * 784), shape: [50, 28, 28, 1] };

async function withModel<T>(use: (adapter: TfjsAdapter) => Promise<T>): Promise<T> {
  const adapter = await TfjsAdapter.load({ path: folder });
  try {
    return await use(adapter);
  } finally {
    await adapter.dispose();
  }
}

/** Mean cross-entropy over the whole training sample, in inference mode. */
async function datasetLoss(adapter: TfjsAdapter): Promise<number> {
  const p = await adapter.predict(train.images);
  let sum = 0;
  train.labels.forEach((label, i) => (sum -= Math.log(p.data[i * 10 + label]!)));
  return sum / train.labels.length;
}

async function movingStatistics(adapter: TfjsAdapter): Promise<Float32Array[]> {
  const names = (await adapter.weights.list()).filter((info) => !info.trainable).map((info) => info.name);
  expect(names.length).toBe(2); // moving mean and variance
  return Promise.all(names.map((name) => adapter.weights.read(name)));
}

describe('fineTune', () => {
  it('lowers the training loss with SGD and reports a loss per step', async () => {
    await withModel(async (adapter) => {
      const lossBefore = await datasetLoss(adapter);
      const tensorsBefore = tf.memory().numTensors;
      const steps: number[] = [];
      const result = await fineTune(adapter, {
        ...train,
        learningRate: 0.1,
        steps: 40,
        batchSize: 32,
        seed: 1,
        batchNorm: 'frozen',
        onStep: ({ step }) => steps.push(step),
      });
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(result.losses).toHaveLength(40);
      expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(result.losses.every(Number.isFinite)).toBe(true);
      expect(await datasetLoss(adapter)).toBeLessThan(lossBefore * 0.8);
      expect(result.weights.changed).toBeGreaterThan(result.weights.parameters / 2);
    });
  });

  it('at learning rate 0 with batch-norm frozen leaves the model bit-identical', async () => {
    await withModel(async (adapter) => {
      const before = await adapter.predict(probe);
      const statistics = await movingStatistics(adapter);
      const result = await fineTune(adapter, { ...train, learningRate: 0, steps: 3, batchSize: 32, batchNorm: 'frozen' });
      expect((await adapter.predict(probe)).data).toEqual(before.data);
      expect(await movingStatistics(adapter)).toEqual(statistics);
      expect(result.weights.changed).toBe(0);
    });
  });

  it('at learning rate 0 with batch-norm updating moves the running statistics and the predictions', async () => {
    await withModel(async (adapter) => {
      const before = await adapter.predict(probe);
      const [mean, variance] = await movingStatistics(adapter);
      const trainable = (await adapter.weights.list()).filter((info) => info.trainable).map((info) => info.name);
      const trainableBefore = await Promise.all(trainable.map((name) => adapter.weights.read(name)));
      const result = await fineTune(adapter, { ...train, learningRate: 0, steps: 3, batchSize: 32, batchNorm: 'update' });
      const [meanAfter, varianceAfter] = await movingStatistics(adapter);
      expect(meanAfter).not.toEqual(mean);
      expect(varianceAfter).not.toEqual(variance);
      expect(await Promise.all(trainable.map((name) => adapter.weights.read(name)))).toEqual(trainableBefore);
      expect(result.weights.changed).toBe(8); // 4 channels × (mean, variance)
      const after = await adapter.predict(probe);
      expect(after.data).not.toEqual(before.data);
    });
  });

  it('trains models that end in a softmax on the cross-entropy of their probabilities', async () => {
    // 6×6 images with one bright 3×3 quadrant; the quadrant is the class.
    const count = 64;
    const data = new Float32Array(count * 36);
    const labels = Int32Array.from({ length: count }, (_, i) => i % 4);
    labels.forEach((label, n) => {
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) data[n * 36 + (y + 3 * (label >> 1)) * 6 + x + 3 * (label & 1)] = 1;
    });
    const images = { data, shape: [count, 6, 6, 1] };
    const adapter = await TfjsAdapter.load({ path: await saveTinyLayersModel(path.join(root, 'softmax'), { softmax: true, seed: 2 }) });
    try {
      expect(adapter.describe().outputKind).toBe('probabilities');
      const loss = async () => {
        const p = await adapter.predict(images);
        return labels.reduce((sum, label, i) => sum - Math.log(p.data[i * 4 + label]!), 0) / count;
      };
      const before = await loss();
      // One full batch at learning rate 0 reports exactly the loss of the probabilities, not of softmax(probabilities).
      const [fullBatch] = (await fineTune(adapter, { images, labels, learningRate: 0, steps: 1, batchSize: count, batchNorm: 'frozen' })).losses;
      expect(fullBatch).toBeCloseTo(before, 4);
      await fineTune(adapter, { images, labels, learningRate: 0.5, steps: 30, batchSize: 16, batchNorm: 'frozen' });
      expect(await loss()).toBeLessThan(before * 0.5);
    } finally {
      await adapter.dispose();
    }
  });

  it('samples reproducibly from the seed', async () => {
    const run = () => withModel((adapter) => fineTune(adapter, { ...train, learningRate: 0.05, steps: 4, batchSize: 16, seed: 3, batchNorm: 'update' }));
    const a = await run();
    expect((await run()).losses).toEqual(a.losses);
  });

  it('rejects bad options and data before training', async () => {
    await withModel(async (adapter) => {
      const base = { ...train, learningRate: 0.1, steps: 1, batchSize: 8, batchNorm: 'frozen' as const };
      await expect(fineTune(adapter, { ...base, learningRate: -1 })).rejects.toThrow(/learningRate/);
      await expect(fineTune(adapter, { ...base, steps: 0 })).rejects.toThrow(/steps/);
      await expect(fineTune(adapter, { ...base, labels: train.labels.slice(0, 10) })).rejects.toThrow(/300 images but 10 labels/);
      await expect(fineTune(adapter, { ...base, labels: new Int32Array(300).fill(10) })).rejects.toThrow(/label 10 .* 10-class/);
      const controller = new AbortController();
      controller.abort();
      await expect(fineTune(adapter, { ...base, signal: controller.signal })).rejects.toThrow(/cancelled/);
    });
    const graph = await TfjsAdapter.load({ path: await writeTinyGraphModel(path.join(root, 'graph')) });
    try {
      const images = { data: new Float32Array(36), shape: [1, 6, 6, 1] };
      const options = { images, labels: Int32Array.of(0), learningRate: 0.1, steps: 1, batchSize: 1, batchNorm: 'frozen' as const };
      await expect(fineTune(graph, options)).rejects.toThrow(/GraphModel; only LayersModels can be trained/);
    } finally {
      await graph.dispose();
    }
  });
});
