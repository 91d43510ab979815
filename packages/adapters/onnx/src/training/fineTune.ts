import {
  batchSampler,
  checkLabelledBatch,
  diffWeights,
  gatherRows,
  ModelSealError,
  parseFineTuneParams,
  snapshotWeights,
  throwIfAborted,
  type FineTuneOptions,
  type FineTuneResult,
} from '@modelseal/core';
import type { OnnxAdapter } from '../adapter.ts';
import { crossEntropyTargets, meanCrossEntropy } from './loss.ts';

export type { BatchNormMode, FineTuneOptions, FineTuneResult, FineTuneStep } from '@modelseal/core';

/** The shared parser, plus the one mode an ONNX inference graph cannot do. */
function parseParams(options: FineTuneOptions) {
  const params = parseFineTuneParams(options);
  if (params.batchNorm === 'update') {
    throw new ModelSealError(
      'UNSUPPORTED',
      'ONNX models are fine-tuned with batch-norm statistics frozen (an ONNX inference graph has no training-mode batch-norm); use batchNorm: "frozen"',
    );
  }
  return params;
}

/** w ← w − lr·g in place; returns the index of the first weight that is no longer finite, or −1. */
function sgdStep(weights: Float32Array, gradient: Float32Array, learningRate: number): number {
  let bad = -1;
  for (let i = 0; i < weights.length; i++) {
    const next = weights[i]! - learningRate * gradient[i]!;
    weights[i] = next;
    if (bad < 0 && !Number.isFinite(next)) bad = i;
  }
  return bad;
}

/**
 * Fine-tunes an ONNX model with plain SGD on softmax cross-entropy (paper §4), one
 * seeded mini-batch per step, the same way the TF.js adapter's `fineTune` does. ONNX
 * Runtime computes each step's weight gradients in a generated backward graph; the
 * weights live in Float32Arrays during training and are written back through
 * `adapter.weights` at the end, so a failed or cancelled run leaves the model as it was.
 */
export async function fineTuneOnnx(adapter: OnnxAdapter, options: FineTuneOptions): Promise<FineTuneResult> {
  const params = parseParams(options);
  const description = adapter.describe();
  const count = checkLabelledBatch(options, description, 'fine-tuning data');
  throwIfAborted(options.signal);
  const graph = await adapter.trainingGraph();
  const before = await snapshotWeights(adapter.weights);
  // read() returns copies, which the loop then updates in place.
  const values = await Promise.all(graph.parameters.map((p) => adapter.weights.read(p.name)));
  const nextBatch = batchSampler(count, params.batchSize, params.seed);
  const classes = description.numClasses;
  const losses: number[] = [];
  for (let step = 1; step <= params.steps; step++) {
    throwIfAborted(options.signal);
    const indices = nextBatch();
    const images = gatherRows(options.images, indices).data;
    const targets = crossEntropyTargets(options.labels, indices, classes);
    const { output, gradients } = await graph.run(images, indices.length, targets, values, options.signal);
    const loss = meanCrossEntropy(output, options.labels, indices, classes, description.outputKind);
    if (!Number.isFinite(loss)) {
      throw new ModelSealError('MODEL_OUTPUT', `fine-tuning diverged at step ${step} (loss ${loss}); lower the learning rate`);
    }
    graph.parameters.forEach((p, i) => {
      const bad = sgdStep(values[i]!, gradients[i]!, params.learningRate);
      if (bad >= 0) {
        throw new ModelSealError('MODEL_OUTPUT', `fine-tuning diverged at step ${step} (weight "${p.name}" became ${values[i]![bad]}); lower the learning rate`);
      }
    });
    losses.push(loss);
    options.onStep?.({ step, steps: params.steps, loss });
    // Lets abort signals and progress output through between steps.
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const [i, p] of graph.parameters.entries()) await adapter.weights.write(p.name, values[i]!);
  return { losses, weights: await diffWeights(adapter.weights, before) };
}
