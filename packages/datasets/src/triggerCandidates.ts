import { argmaxRows, ModelSealError, predictAll, type ModelAdapter } from '@modelseal/core';
import { selectSamples } from './select.ts';
import { toModelBatch } from './toModelBatch.ts';
import type { ImageSet } from './types.ts';

export interface TriggerCandidates {
  /** Indices into the split. */
  readonly indices: number[];
  /** The chosen samples in the model's layout and value range. */
  readonly batch: { data: Float32Array; shape: number[] };
  /** Fraction of the screened samples the model classified correctly. */
  readonly screenedAccuracy: number;
}

/**
 * Picks `count` samples the model classifies correctly (the paper starts from such
 * samples), class-balanced and reproducible from the seed. Screens a seeded shuffle in
 * chunks so that only a little more than `count` samples are ever sent to the model.
 */
export async function pickTriggerCandidates(
  adapter: ModelAdapter,
  images: ImageSet,
  options: { count: number; seed: number; signal?: AbortSignal },
): Promise<TriggerCandidates> {
  const description = adapter.describe();
  const order = selectSamples(images, { count: images.count, seed: options.seed, classBalanced: true });
  const chosen: number[] = [];
  let screened = 0;
  let correct = 0;
  const chunk = Math.max(64, Math.ceil(options.count * 1.25));
  for (let start = 0; start < order.length && chosen.length < options.count; start += chunk) {
    const indices = order.slice(start, start + chunk);
    const batch = toModelBatch(images, description, indices);
    const predictions = argmaxRows(await predictAll(adapter, batch, options.signal));
    indices.forEach((index, i) => {
      screened++;
      if (predictions[i] === images.labels[index]) {
        correct++;
        if (chosen.length < options.count) chosen.push(index);
      }
    });
  }
  if (chosen.length < options.count) {
    throw new ModelSealError(
      'DATASET',
      `only ${chosen.length} of ${images.count} samples are classified correctly by the model; asked for ${options.count}`,
    );
  }
  return { indices: chosen, batch: toModelBatch(images, description, chosen), screenedAccuracy: correct / screened };
}
