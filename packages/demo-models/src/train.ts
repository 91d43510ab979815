import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODEL_JSON, fileSaveHandler, initBackend, useBackend, writeSidecar, type BackendPreference, type ModelSidecar } from '@modelseal/adapter-tfjs';
import { ModelSealError, Random, throwIfAborted } from '@modelseal/core';
import { loadDataset, toModelBatch, type Dataset, type ModelInput } from '@modelseal/datasets';
import { buildDemoCnn } from './cnn.ts';
import { evaluateAccuracy } from './evaluate.ts';

export interface TrainProgress {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** 1-based, within the epoch. */
  readonly batch: number;
  readonly batches: number;
  /** Mean cross-entropy of this batch (before the update). */
  readonly loss: number;
  /** Share of this batch classified correctly (before the update). */
  readonly accuracy: number;
}

export interface EpochSummary {
  readonly epoch: number;
  /** Means over the epoch's batches. */
  readonly loss: number;
  readonly accuracy: number;
  readonly seconds: number;
}

export interface TrainDemoModelOptions {
  /** A loaded dataset, or a spec for `loadDataset` such as "mnist" or "fashion-mnist". */
  readonly dataset: Dataset | string;
  readonly epochs: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Adam's learning rate; default 1e-3. */
  readonly learningRate?: number;
  /** Seeds the initialisers and the shuffling; default 0. */
  readonly seed?: number;
  /** Folder to write model.json, weights.bin and modelseal-model.json into. */
  readonly out: string;
  /** Batch normalization after each convolution (see buildDemoCnn). */
  readonly batchNorm?: boolean;
  /** Train on the first `trainLimit` training images only. */
  readonly trainLimit?: number;
  /** Default "auto" (wasm here); training is reproducible only on one backend. */
  readonly backend?: BackendPreference;
  readonly onProgress?: (progress: TrainProgress) => void;
  readonly onEpochEnd?: (summary: EpochSummary) => void;
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** Base folder for a relative `out` and dataset paths; default the process's working folder. */
  readonly cwd?: string;
}

export interface TrainDemoModelResult {
  readonly out: string;
  readonly modelJsonPath: string;
  readonly testAccuracy: number;
  readonly trainSamples: number;
  readonly testSamples: number;
  readonly epochs: readonly EpochSummary[];
  readonly sidecar: ModelSidecar;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ModelSealError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Mean loss and batch accuracy of one Adam step; the optimizer updates the model in place. */
function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  xs: tf.Tensor,
  labels: tf.Tensor1D,
  numClasses: number,
): { loss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  const loss = optimizer.minimize(
    () => {
      const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits) as tf.Scalar;
    },
    true,
    variables,
  );
  return { loss: loss!, correct: correct! };
}

/**
 * Trains the demo CNN with Adam on sparse softmax cross-entropy from logits and
 * saves it, with a modelseal-model.json describing it, so that the tfjs adapter
 * loads it with no further configuration.
 */
export async function trainDemoModel(options: TrainDemoModelOptions): Promise<TrainDemoModelResult> {
  const epochs = positiveInteger(options.epochs, 'epochs');
  const batchSize = positiveInteger(options.batchSize ?? 64, 'batchSize');
  const learningRate = options.learningRate ?? 1e-3;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new ModelSealError('INVALID_ARGUMENT', `learningRate must be a positive number, got ${learningRate}`);
  }
  const seed = options.seed ?? 0;
  const log = options.log ?? (() => {});
  const cwd = options.cwd ?? process.cwd();
  const out = path.resolve(cwd, options.out);

  const dataset = typeof options.dataset === 'string' ? await loadDataset(options.dataset, { cwd }) : options.dataset;
  const trainCount = Math.min(dataset.train.count, options.trainLimit === undefined ? Infinity : positiveInteger(options.trainLimit, 'trainLimit'));
  const { height, width, channels } = dataset.train;
  const input: ModelInput = { inputShape: [height, width, channels], layout: 'NHWC', valueRange: [0, 1] };
  const numClasses = dataset.classNames.length;
  const backend = await initBackend(options.backend ?? 'auto', log);

  const random = new Random(seed);
  const model = buildDemoCnn(numClasses, [height, width, channels], seed, { batchNorm: options.batchNorm ?? false });
  const optimizer = tf.train.adam(learningRate);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const batches = Math.ceil(trainCount / batchSize);
  const summaries: EpochSummary[] = [];
  log(`training the demo CNN on ${trainCount} ${dataset.name} images for ${epochs} epochs (${batches} batches of ≤ ${batchSize} each)`);
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      const order = random.shuffle(Array.from({ length: trainCount }, (_, i) => i));
      let lossSum = 0;
      let correctSum = 0;
      for (let batch = 1; batch <= batches; batch++) {
        throwIfAborted(options.signal);
        // Another model in this process may have switched TF.js to its own backend meanwhile.
        await useBackend(backend);
        const indices = order.slice((batch - 1) * batchSize, batch * batchSize);
        const images = toModelBatch(dataset.train, input, indices);
        const xs = tf.tensor(images.data, images.shape);
        const labels = tf.tensor1d(Int32Array.from(indices, (i) => dataset.train.labels[i]!), 'int32');
        const step = trainStep(model, optimizer, variables, xs, labels, numClasses);
        const [loss] = (await step.loss.data()) as Float32Array;
        const [correct] = (await step.correct.data()) as Float32Array;
        tf.dispose([xs, labels, step.loss, step.correct]);
        if (!Number.isFinite(loss)) {
          throw new ModelSealError('MODEL_OUTPUT', `training diverged in epoch ${epoch}, batch ${batch} (loss ${loss}); lower the learning rate`);
        }
        lossSum += loss! * indices.length;
        correctSum += correct!;
        options.onProgress?.({ epoch, epochs, batch, batches, loss: loss!, accuracy: correct! / indices.length });
        // Lets abort signals and progress output through between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const summary = { epoch, loss: lossSum / trainCount, accuracy: correctSum / trainCount, seconds: (performance.now() - started) / 1000 };
      summaries.push(summary);
      options.onEpochEnd?.(summary);
      log(`epoch ${epoch}/${epochs}: loss ${summary.loss.toFixed(4)}, train accuracy ${(summary.accuracy * 100).toFixed(2)} %, ${summary.seconds.toFixed(1)} s`);
    }
    throwIfAborted(options.signal);
    await useBackend(backend);
    const testAccuracy = await evaluateAccuracy(model, dataset.test, input);
    log(`test accuracy on ${dataset.test.count} images: ${(testAccuracy * 100).toFixed(2)} %`);
    await model.save(fileSaveHandler(out));
    const sidecar: ModelSidecar = {
      dataset: dataset.name,
      classNames: [...dataset.classNames],
      inputShape: [...input.inputShape],
      layout: 'NHWC',
      valueRange: [0, 1],
      outputKind: 'logits',
      testAccuracy,
      testSamples: dataset.test.count,
      trainSamples: trainCount,
      epochs,
      batchSize,
      learningRate,
      seed,
      runtime: backend.runtime,
      createdAt: new Date().toISOString(),
    };
    await writeSidecar(out, sidecar);
    return { out, modelJsonPath: path.join(out, MODEL_JSON), testAccuracy, trainSamples: trainCount, testSamples: dataset.test.count, epochs: summaries, sidecar };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
