import * as tf from '@tensorflow/tfjs';
import {
  describeIssues,
  ModelSealError,
  diffWeights,
  fineTuneParamsSchema,
  snapshotWeights,
  throwIfAborted,
  type AttackReport,
  type OutputKind,
} from '@modelseal/core';
import type { TfjsAdapter } from '../adapter.ts';
import { batchSampler, checkLabelledBatch, type LabelledBatch } from './data.ts';

/**
 * `frozen`: batch-norm layers run in inference mode, so their running statistics
 * stay put (γ and β still train). `update`: they run in training mode, normalise
 * with batch statistics and move their running mean and variance, which changes
 * the model even at learning rate 0.
 */
export type BatchNormMode = 'frozen' | 'update';

export interface FineTuneStep {
  /** 1-based. */
  readonly step: number;
  readonly steps: number;
  /** Mean cross-entropy of this step's mini-batch, before its update. */
  readonly loss: number;
}

export interface FineTuneOptions extends LabelledBatch {
  /** SGD step size; 0 is allowed (it isolates the effect of batch-norm statistics). */
  readonly learningRate: number;
  readonly steps: number;
  readonly batchSize: number;
  /** Seeds the mini-batch sampling; default 0. */
  readonly seed?: number;
  readonly batchNorm: BatchNormMode;
  readonly signal?: AbortSignal;
  readonly onStep?: (progress: FineTuneStep) => void;
}

export interface FineTuneResult {
  /** Loss of each step's mini-batch, before its update. */
  readonly losses: number[];
  /** What the fine-tune changed, over every float weight (running statistics included). */
  readonly weights: AttackReport;
}

function parseParams(options: FineTuneOptions) {
  const parsed = fineTuneParamsSchema.safeParse({
    learningRate: options.learningRate,
    steps: options.steps,
    batchSize: options.batchSize,
    seed: options.seed ?? 0,
    batchNorm: options.batchNorm,
  });
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ModelSealError('INVALID_ARGUMENT', `invalid fine-tuning options: ${details}`);
  }
  return parsed.data;
}

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
  const params = parseParams(options);
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
