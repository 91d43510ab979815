import type { z } from 'zod';
import { ModelSealError } from '../errors.ts';
import { describeIssues } from '../util/describeIssues.ts';
import { fineTuneParamsSchema } from './registry.ts';
import type { AttackReport } from './report.ts';
import type { LabelledBatch } from './trainingData.ts';

/**
 * `frozen`: batch-norm layers run in inference mode, so their running statistics
 * stay put (scale and bias still train). `update`: they run in training mode, normalise
 * with batch statistics and move their running mean and variance, which changes
 * the model even at learning rate 0. Runtimes that cannot do `update` refuse it.
 */
export type BatchNormMode = FineTuneParams['batchNorm'];

export interface FineTuneStep {
  /** 1-based. */
  readonly step: number;
  readonly steps: number;
  /** Mean cross-entropy of this step's mini-batch, before its update. */
  readonly loss: number;
}

/** What every runtime's SGD fine-tune takes, so the eval harness drives them alike. */
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
  /** What the fine-tune changed, over every float weight (running statistics and frozen ones included). */
  readonly weights: AttackReport;
}

/** The validated numeric options, as the attack registry's schema defines them. */
export type FineTuneParams = z.output<typeof fineTuneParamsSchema>;

/** Validates a fine-tune's numeric options with the attack registry's schema, naming every bad field. */
export function parseFineTuneParams(options: FineTuneOptions): FineTuneParams {
  const parsed = fineTuneParamsSchema.safeParse({
    learningRate: options.learningRate,
    steps: options.steps,
    batchSize: options.batchSize,
    seed: options.seed ?? 0,
    batchNorm: options.batchNorm,
  });
  if (!parsed.success) {
    throw new ModelSealError('INVALID_ARGUMENT', `invalid fine-tuning options: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
