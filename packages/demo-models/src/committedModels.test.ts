import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TfjsAdapter } from '@modelseal/adapter-tfjs';
import { argmaxRows } from '@modelseal/core';
import { runAdapterConformance } from '@modelseal/core/testing';
import { loadDataset, toModelBatch } from '@modelseal/datasets';

const modelsFolder = fileURLToPath(new URL('../../../models/', import.meta.url));

async function firstTestAccuracy(datasetName: string, model: string, count: number): Promise<number> {
  const dataset = await loadDataset(datasetName);
  const adapter = await TfjsAdapter.load({ path: `${modelsFolder}${model}` });
  try {
    const description = adapter.describe();
    expect(description.classNames).toEqual(dataset.classNames);
    expect(description).toMatchObject({ layout: 'NHWC', outputKind: 'logits', valueRange: [0, 1] });
    const indices = Array.from({ length: count }, (_, i) => i);
    const predicted = argmaxRows(await adapter.predict(toModelBatch(dataset.test, description, indices)));
    return indices.filter((i) => predicted[i] === dataset.test.labels[i]).length / count;
  } finally {
    await adapter.dispose();
  }
}

describe('committed demo models', () => {
  it('models/mnist-cnn classifies the first 500 MNIST test images with ≥ 95 % accuracy', async () => {
    expect(await firstTestAccuracy('mnist', 'mnist-cnn', 500)).toBeGreaterThanOrEqual(0.95);
  });

  it('models/mnist-cnn-bn classifies the first 500 MNIST test images with ≥ 95 % accuracy and keeps batch-norm statistics', async () => {
    expect(await firstTestAccuracy('mnist', 'mnist-cnn-bn', 500)).toBeGreaterThanOrEqual(0.95);
    const adapter = await TfjsAdapter.load({ path: `${modelsFolder}mnist-cnn-bn` });
    try {
      const stats = (await adapter.weights.list()).filter((w) => !w.trainable);
      expect(stats.map((w) => w.name).filter((name) => /moving_(mean|variance)/.test(name))).toHaveLength(4);
    } finally {
      await adapter.dispose();
    }
  });

  it('models/fashion-mnist-cnn classifies the first 500 Fashion-MNIST test images with ≥ 85 % accuracy', async () => {
    expect(await firstTestAccuracy('fashion-mnist', 'fashion-mnist-cnn', 500)).toBeGreaterThanOrEqual(0.85);
  });
});

// Random inputs rather than MNIST digits: on a digit's flat background whole max-pool
// windows tie, where the model is not differentiable and finite differences disagree
// with any (sub)gradient, in TF.js as in PyTorch.
runAdapterConformance('tfjs adapter on the committed MNIST demo model', {
  create: () => TfjsAdapter.load({ path: `${modelsFolder}mnist-cnn` }),
  expectVjp: true,
  expectWeights: true,
  expectFineTune: true,
});
