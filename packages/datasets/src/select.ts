import { ModelSealError, Random } from '@modelseal/core';
import type { ImageSet } from './types.ts';

export interface SelectOptions {
  readonly count: number;
  readonly seed: number;
  /** Take classes in turn so every class is represented as evenly as the data allows. */
  readonly classBalanced?: boolean;
  /** Only indices for which this returns true are candidates (e.g. correctly classified samples). */
  readonly filter?: (index: number) => boolean;
}

/**
 * Picks `count` distinct sample indices. The choice depends only on the labels,
 * the options and the seed (integer-only PRNG, no locale or platform input), so
 * the same call yields the same indices on every machine; trigger sets rely on it.
 * Asking for more samples than there are candidates is an error rather than a
 * silently smaller selection.
 */
export function selectSamples(set: Pick<ImageSet, 'labels' | 'count'>, options: SelectOptions): number[] {
  const { count, seed, classBalanced = false, filter } = options;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new ModelSealError('INVALID_ARGUMENT', `selectSamples: count must be a positive integer, got ${count}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new ModelSealError('INVALID_ARGUMENT', `selectSamples: seed must be an integer, got ${seed}`);
  }
  const candidates: number[] = [];
  for (let index = 0; index < set.count; index++) {
    if (filter === undefined || filter(index)) candidates.push(index);
  }
  if (count > candidates.length) {
    const pool = filter === undefined ? `the set has only ${set.count}` : `only ${candidates.length} of ${set.count} pass the filter`;
    throw new ModelSealError('INVALID_ARGUMENT', `selectSamples: asked for ${count} samples but ${pool}`);
  }
  const random = new Random(seed);
  if (!classBalanced) return random.shuffle(candidates).slice(0, count);

  const byClass = new Map<number, number[]>();
  for (const index of candidates) {
    const label = set.labels[index]!;
    const members = byClass.get(label);
    if (members === undefined) byClass.set(label, [index]);
    else members.push(index);
  }
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((label) => random.shuffle(byClass.get(label)!));
  const selected: number[] = [];
  for (let round = 0; selected.length < count; round++) {
    for (const queue of queues) {
      const index = queue[round];
      if (index !== undefined && selected.length < count) selected.push(index);
    }
  }
  return selected;
}
