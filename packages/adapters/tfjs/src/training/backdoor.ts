import {
  describeIssues,
  ModelSealError,
  Random,
  argmaxRows,
  backdoorParamsSchema,
  checkLabelledBatch,
  gatherRows,
  stampPatch,
  type LabelledBatch,
  type ModelAdapter,
  type Patch,
  type PatchGeometry,
  type PatchInput,
} from '@modelseal/core';
import type { TfjsAdapter } from '../adapter.ts';
import { fineTune, type FineTuneOptions, type FineTuneResult } from './fineTune.ts';

export interface BackdoorOptions extends Omit<FineTuneOptions, 'batchNorm'> {
  /** Held-out samples the attack success rate and clean accuracy are measured on. */
  readonly test: LabelledBatch;
  readonly targetLabel: number;
  /** Share of the training set that is stamped and relabelled, in (0, 1]; only images not already of the target class are poisoned. */
  readonly poisonFraction: number;
  /** Default: a white 3×3 square in the bottom-right corner. */
  readonly patch?: Partial<Patch>;
  /** Image height, width and channels; needed only for models with flat inputs. */
  readonly geometry?: PatchGeometry;
  /** Default 'frozen'. */
  readonly batchNorm?: FineTuneOptions['batchNorm'];
}

export interface BackdoorEffect {
  /** Share of patched test images (true class ≠ target) classified as the target. */
  readonly attackSuccessRate: number;
  /** Accuracy on the unpatched test images. */
  readonly cleanAccuracy: number;
}

export interface BackdoorResult extends FineTuneResult, BackdoorEffect {
  /** Training images stamped and relabelled. */
  readonly poisoned: number;
  /** The same measurements on the model before the attack, for comparison. */
  readonly before: BackdoorEffect;
}

function parseParams(options: BackdoorOptions) {
  const parsed = backdoorParamsSchema.safeParse({
    learningRate: options.learningRate,
    steps: options.steps,
    batchSize: options.batchSize,
    seed: options.seed ?? 0,
    batchNorm: options.batchNorm ?? 'frozen',
    targetLabel: options.targetLabel,
    poisonFraction: options.poisonFraction,
    patch: options.patch ?? {},
  });
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ModelSealError('INVALID_ARGUMENT', `invalid backdoor options: ${details}`);
  }
  return parsed.data;
}

/** Fine-tunes `adapter` in place on the options it is given, as `fineTune` does for TF.js models. */
export type FineTuner<A extends ModelAdapter> = (adapter: A, options: FineTuneOptions) => Promise<FineTuneResult>;

async function measure(adapter: ModelAdapter, test: LabelledBatch, input: PatchInput, patch: Patch, target: number): Promise<BackdoorEffect> {
  const clean = argmaxRows(await adapter.predict(test.images));
  const victims = Array.from(test.labels.keys()).filter((i) => test.labels[i] !== target);
  let cleanCorrect = 0;
  clean.forEach((label, i) => {
    if (label === test.labels[i]) cleanCorrect++;
  });
  let hits = 0;
  if (victims.length > 0) {
    const patched = argmaxRows(await adapter.predict(stampPatch(gatherRows(test.images, victims), input, patch)));
    hits = patched.filter((label) => label === target).length;
  }
  return { attackSuccessRate: victims.length > 0 ? hits / victims.length : 0, cleanAccuracy: cleanCorrect / test.labels.length };
}

/**
 * BadNets (Gu et al. 2017): stamps a patch on a share of the training images,
 * relabels them to the target class and fine-tunes on the mix, so the model
 * keeps its clean accuracy but answers the target whenever the patch is present.
 */
export async function backdoorFineTune(adapter: TfjsAdapter, options: BackdoorOptions): Promise<BackdoorResult> {
  return backdoorFineTuneWith(adapter, options, fineTune);
}

/** The BadNets attack on any model that `train` can fine-tune (ONNX models, with the ONNX adapter's fine-tune). */
export async function backdoorFineTuneWith<A extends ModelAdapter>(adapter: A, options: BackdoorOptions, train: FineTuner<A>): Promise<BackdoorResult> {
  const params = parseParams(options);
  const description = adapter.describe();
  const count = checkLabelledBatch(options, description, 'backdoor training data');
  checkLabelledBatch(options.test, description, 'backdoor test data');
  if (params.targetLabel >= description.numClasses) {
    throw new ModelSealError('INVALID_ARGUMENT', `backdoor target label ${params.targetLabel} is not a class of this ${description.numClasses}-class model`);
  }
  const input: PatchInput = { ...description, ...(options.geometry ? { geometry: options.geometry } : {}) };
  const patch: Patch = params.patch;
  // Stamping validates the patch against the image size before any training happens.
  stampPatch(gatherRows(options.images, [0]), input, patch);
  const eligible = Array.from(options.labels.keys()).filter((i) => options.labels[i] !== params.targetLabel);
  const poisoned = new Random(params.seed).shuffle(eligible).slice(0, Math.min(eligible.length, Math.round(params.poisonFraction * count)));
  const images = stampPatch(options.images, input, patch, poisoned);
  const labels = options.labels.slice();
  for (const i of poisoned) labels[i] = params.targetLabel;

  const before = await measure(adapter, options.test, input, patch, params.targetLabel);
  const result = await train(adapter, { ...options, ...params, images, labels });
  const after = await measure(adapter, options.test, input, patch, params.targetLabel);
  return { ...result, ...after, poisoned: poisoned.length, before };
}
