import { ModelSealError, type ModelAdapter } from '@modelseal/core';
import { backdoorFineTune, fineTune, TfjsAdapter, type BackdoorResult, type BatchNormMode, type LabelledBatch } from '@modelseal/adapter-tfjs';

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
  const model = trainable(adapter);
  const stops = checkpointSteps(options.steps, options.points);
  let done = 0;
  for (const [index, stop] of stops.entries()) {
    await fineTune(model, {
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

function trainable(adapter: ModelAdapter): TfjsAdapter {
  if (!(adapter instanceof TfjsAdapter)) {
    throw new ModelSealError('UNSUPPORTED', `fine-tuning needs a TF.js model (it trains in TF.js); this one is ${adapter.kind}`);
  }
  return adapter;
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
  return backdoorFineTune(trainable(adapter), {
    images: options.train.images,
    labels: options.train.labels,
    test: options.test,
    learningRate: options.learningRate,
    steps: options.steps,
    batchSize: options.batchSize,
    targetLabel: options.targetLabel,
    poisonFraction: options.poisonFraction,
    seed: options.seed,
  });
}
