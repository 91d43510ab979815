import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@modelseal/adapter-tfjs';
import { isModelSealError } from '@modelseal/core';
import { buildDemoCnn } from './cnn.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

function outputShape(model: tf.LayersModel, batch: number[]): number[] {
  const output = tf.tidy(() => model.predict(tf.zeros(batch)) as tf.Tensor);
  const shape = output.shape;
  output.dispose();
  return shape;
}

describe('buildDemoCnn', () => {
  it('maps [N, 28, 28, 1] images to [N, numClasses] logits', () => {
    const model = buildDemoCnn(10);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    expect(outputShape(model, [3, 28, 28, 1])).toEqual([3, 10]);
    expect(model.layers.at(-1)!.getConfig().activation).toBe('linear');
    // Small enough to commit: float32 weights well under 1 MB.
    expect(model.countParams() * 4).toBeLessThan(1_000_000);
    model.dispose();
  });

  it('adapts to other image sizes and class counts', () => {
    const model = buildDemoCnn(5, [32, 32, 3]);
    expect(outputShape(model, [2, 32, 32, 3])).toEqual([2, 5]);
    model.dispose();
  });

  it('with batchNorm, normalizes each convolution before its ReLU and keeps running statistics as non-trainable weights', () => {
    const model = buildDemoCnn(10, [28, 28, 1], 0, { batchNorm: true });
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D',
      'Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D',
      'Flatten', 'Dense', 'Dense',
    ]);
    expect(outputShape(model, [2, 28, 28, 1])).toEqual([2, 10]);
    const moving = model.nonTrainableWeights.map((w) => w.originalName);
    expect(moving.filter((name) => /moving_(mean|variance)/.test(name))).toHaveLength(4);
    model.dispose();
  });

  it('gives identical initial weights for one seed and different ones for another', async () => {
    const weights = async (seed: number) => {
      const model = buildDemoCnn(10, [28, 28, 1], seed);
      const values = await Promise.all(model.getWeights().map((w) => w.data()));
      model.dispose();
      return values.map((v) => Array.from(v));
    };
    // Seed 0 matters: TF.js initialisers take a seed of 0 for "unseeded".
    for (const seed of [0, 7]) expect(await weights(seed)).toEqual(await weights(seed));
    expect((await weights(8))[0]).not.toEqual((await weights(7))[0]);
  });

  it('rejects impossible shapes and class counts', () => {
    for (const make of [() => buildDemoCnn(1), () => buildDemoCnn(2.5), () => buildDemoCnn(10, [8, 8, 1]), () => buildDemoCnn(10, [28, 28, 0]), () => buildDemoCnn(10, [28, 28, 1], -1)]) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isModelSealError(error) && error.code).toBe('INVALID_ARGUMENT');
    }
  });
});
