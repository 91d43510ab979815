import * as tf from '@tensorflow/tfjs';
import {
  ModelSealError,
  batchSampler,
  checkLabelledBatch,
  diffWeights,
  parseFineTuneParams,
  snapshotWeights,
  throwIfAborted,
  type FineTuneOptions,
  type FineTuneResult,
  type OutputKind,
} from '@modelseal/core';
import type { TfjsAdapter } from '../adapter.ts';

export type { BatchNormMode, FineTuneOptions, FineTuneResult, FineTuneStep } from '@modelseal/core';

/** Mean softmax cross-entropy, from logits or from probabilities as the model emits them. */
function crossEntropy(output: tf.Tensor, labels: tf.Tensor1D, numClasses: number, outputKind: OutputKind): tf.Scalar {
  const rows = output.shape[0]!;
  const flat = output.reshape([rows, numClasses]);
  const oneHot = tf.oneHot(labels, numClasses);
  if (outputKind === 'logits') return tf.losses.softmaxCrossEntropy(oneHot, flat) as tf.Scalar;
  // Clipping keeps log(0) (a confidently wrong softmax) from turning the loss into Infinity.
  const picked = tf.sum(tf.mul(flat, oneHot), 1);
  return tf.neg(tf.mean(tf.log(tf.clipByValue(picked, 1e-7, 1)))) as tf.Scalar;
}

/**
 * Fine-tunes the adapter's LayersModel in place with plain SGD on softmax
 * cross-entropy (paper §4), one seeded mini-batch per step.
 */
export async function fineTune(adapter: TfjsAdapter, options: FineTuneOptions): Promise<FineTuneResult> {
  const params = parseFineTuneParams(options);
  const model = adapter.getLayersModel();
  const description = adapter.describe();
  const count = checkLabelledBatch(options, description, 'fine-tuning data');
  const training = params.batchNorm === 'update';
  const before = await snapshotWeights(adapter.weights);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const optimizer = tf.train.sgd(params.learningRate);
  const images = tf.tensor(options.images.data, [...options.images.shape], 'float32');
  const labels = tf.tensor1d(options.labels, 'int32');
  const nextBatch = batchSampler(count, params.batchSize, params.seed);
  const losses: number[] = [];
  try {
    for (let step = 1; step <= params.steps; step++) {
      throwIfAborted(options.signal);
      const indices = tf.tensor1d(nextBatch(), 'int32');
      const cost = optimizer.minimize(
        () => {
          // apply() with `training` is what switches batch-norm (and dropout) between its two behaviours.
          const output = model.apply(tf.gather(images, indices), { training }) as tf.Tensor;
          return crossEntropy(output, tf.gather(labels, indices) as tf.Tensor1D, description.numClasses, description.outputKind);
        },
        true,
        variables,
      );
      const loss = (await cost!.data())[0]!;
      tf.dispose([cost!, indices]);
      if (!Number.isFinite(loss)) {
        throw new ModelSealError('MODEL_OUTPUT', `fine-tuning diverged at step ${step} (loss ${loss}); lower the learning rate`);
      }
      losses.push(loss);
      options.onStep?.({ step, steps: params.steps, loss });
      // Lets abort signals and progress output through between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    tf.dispose([images, labels]);
    optimizer.dispose();
  }
  return { losses, weights: await diffWeights(adapter.weights, before) };
}
