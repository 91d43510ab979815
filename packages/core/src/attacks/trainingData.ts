import type { ModelDescription } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { assertBatchShape, type Tensor } from '../tensor/tensor.ts';
import { Random } from '../util/random.ts';

/** Labelled samples in the model's own layout and value range (what `toModelBatch` produces). */
export interface LabelledBatch {
  /** `[N, ...inputShape]`. */
  readonly images: Tensor;
  /** Class index of each sample. */
  readonly labels: Int32Array;
}

/** Checks shapes and labels against the model, returning the sample count. */
export function checkLabelledBatch(batch: LabelledBatch, description: ModelDescription, what: string): number {
  const rows = assertBatchShape(batch.images, description.inputShape, what);
  if (batch.labels.length !== rows) {
    throw new ModelSealError('INPUT_SHAPE', `${what}: ${rows} images but ${batch.labels.length} labels`);
  }
  if (rows === 0) throw new ModelSealError('INVALID_ARGUMENT', `${what} holds no samples`);
  const bad = batch.labels.findIndex((label) => !(label >= 0 && label < description.numClasses));
  if (bad >= 0) {
    throw new ModelSealError('INVALID_ARGUMENT', `${what}: label ${batch.labels[bad]} of sample ${bad} is not a class of this ${description.numClasses}-class model`);
  }
  return rows;
}

/**
 * Endless seeded mini-batches: a fresh shuffle per pass over the data, as an epoch
 * would. Both runtimes' fine-tunes draw from it, so one seed picks the same batches in either.
 */
export function batchSampler(count: number, batchSize: number, seed: number): () => number[] {
  const random = new Random(seed);
  const all = Array.from({ length: count }, (_, i) => i);
  let order: number[] = [];
  return () => {
    const batch: number[] = [];
    while (batch.length < Math.min(batchSize, count)) {
      if (order.length === 0) order = random.shuffle(all);
      batch.push(order.pop()!);
    }
    return batch;
  };
}
