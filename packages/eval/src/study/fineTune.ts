import { ModelSealError, type BatchNormMode, type FineTuneOptions, type FineTuneResult, type LabelledBatch, type ModelAdapter } from '@modelseal/core';
import { backdoorFineTuneWith, type BackdoorResult } from '@modelseal/adapter-tfjs';

export interface FineTuneAttackOptions {
  readonly data: LabelledBatch;
  readonly learningRate: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly batchNorm: BatchNormMode;
  readonly seed: number;
  /** Number of evenly spaced steps at which `onCheckpoint` runs (the last is always `steps`). */
  readonly points: number;
  readonly onCheckpoint: (step: number) => Promise<void>;
}

/** `points` evenly spaced steps of a `steps`-step run, ending at `steps`. */
export function checkpointSteps(steps: number, points: number): number[] {
  const count = Math.max(1, Math.min(points, steps));
  return [...new Set(Array.from({ length: count }, (_, i) => Math.round(((i + 1) * steps) / count)))];
}

/**
 * Paper §4 fine-tuning (plain SGD on cross-entropy), paused at a few steps so the trigger
 * sets can be verified along the way (figure 9). Each segment samples its own seeded
 * mini-batches; the SGD updates are the same kind as in one uninterrupted run.
 */
export async function fineTuneWithCheckpoints(adapter: ModelAdapter, options: FineTuneAttackOptions): Promise<number[]> {
  const train = trainer(adapter);
  const stops = checkpointSteps(options.steps, options.points);
  let done = 0;
  for (const [index, stop] of stops.entries()) {
    await train({
      images: options.data.images,
      labels: options.data.labels,
      learningRate: options.learningRate,
      steps: stop - done,
      batchSize: options.batchSize,
      batchNorm: options.batchNorm,
      seed: (options.seed * 1000 + index) >>> 0,
    });
    done = stop;
    await options.onCheckpoint(stop);
  }
  return stops;
}

/**
 * The fine-tune of the runtime the model runs in (TF.js models train in TF.js, ONNX models in
 * ONNX Runtime with batch-norm statistics frozen), with the same SGD.
 */
function trainer(adapter: ModelAdapter): (options: FineTuneOptions) => Promise<FineTuneResult> {
  if (adapter.fineTune) return (options) => adapter.fineTune!(options);
  throw new ModelSealError('UNSUPPORTED', `fine-tuning needs a model whose runtime can train (TF.js or ONNX); this one is ${adapter.kind}`);
}

export interface BackdoorAttackOptions {
  readonly train: LabelledBatch;
  /** Where the backdoor's success rate and the clean accuracy are measured. */
  readonly test: LabelledBatch;
  readonly learningRate: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly targetLabel: number;
  readonly poisonFraction: number;
  readonly seed: number;
}

/** BadNets fine-tuning in place (a white patch, relabelled to the target class). */
export async function backdoorAttack(adapter: ModelAdapter, options: BackdoorAttackOptions): Promise<BackdoorResult> {
  const train = trainer(adapter);
  const backdoor = {
    images: options.train.images,
    labels: options.train.labels,
    test: options.test,
    learningRate: options.learningRate,
    steps: options.steps,
    batchSize: options.batchSize,
    targetLabel: options.targetLabel,
    poisonFraction: options.poisonFraction,
    seed: options.seed,
  };
  return backdoorFineTuneWith(adapter, backdoor, (_, fineTuneOptions) => train(fineTuneOptions));
}
