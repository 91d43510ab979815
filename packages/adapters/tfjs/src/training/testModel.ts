import * as tf from '@tensorflow/tfjs';
import { loadDataset, toModelBatch, type ImageSet } from '@modelseal/datasets';
import { initBackend } from '../backend.ts';
import { fileSaveHandler } from '../io/saveHandler.ts';
import type { LabelledBatch } from '@modelseal/core';

const INPUT = { inputShape: [28, 28, 1], layout: 'NHWC', valueRange: [0, 1] } as const;

function take(images: ImageSet, count: number): LabelledBatch {
  const indices = Array.from({ length: count }, (_, i) => i);
  return { images: toModelBatch(images, INPUT, indices), labels: images.labels.slice(0, count) };
}

/** The first `train` training and `test` test digits of the repository's MNIST split. */
export async function mnistSample(train: number, test: number): Promise<{ train: LabelledBatch; test: LabelledBatch }> {
  const mnist = await loadDataset('mnist');
  return { train: take(mnist.train, train), test: take(mnist.test, test) };
}

/**
 * A deliberately tiny, untrained MNIST classifier with batch-norm
 * (conv 3×3/2 → batch-norm → relu → dense 10, logits) so that training tests run in seconds.
 * Non-trivial running statistics make a drift in them visible in the predictions.
 */
export async function saveTinyMnistModel(folder: string, seed = 1): Promise<string> {
  await initBackend();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        kernelInitializer: tf.initializers.glorotNormal({ seed }),
        biasInitializer: tf.initializers.zeros(),
      }),
      tf.layers.batchNormalization({
        movingMeanInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
        movingVarianceInitializer: tf.initializers.randomUniform({ seed: seed + 2, minval: 0.5, maxval: 1.5 }),
      }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 3 }) }),
    ],
  });
  await model.save(fileSaveHandler(folder));
  model.dispose();
  return folder;
}
