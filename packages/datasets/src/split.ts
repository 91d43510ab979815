import { ModelSealError, Random } from '@modelseal/core';
import { subset } from './imageSet.ts';
import type { ImageSet } from './types.ts';

export interface SplitOptions {
  /** Share of each class that goes to the test set, strictly between 0 and 1. */
  readonly testFraction: number;
  readonly seed: number;
}

export interface SplitIndices {
  /** Ascending, so both halves keep the source order. */
  readonly train: number[];
  readonly test: number[];
}

export function validateSplitOptions(options: SplitOptions, where: string): void {
  const { testFraction, seed } = options;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new ModelSealError('INVALID_ARGUMENT', `${where}: testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new ModelSealError('INVALID_ARGUMENT', `${where}: seed must be an integer, got ${seed}`);
  }
}

/**
 * Stratified so that every class keeps its share in both halves; a plain shuffle
 * can leave a small class out of the test set entirely. The test set holds
 * round(count * testFraction) images, each class getting its share rounded down
 * and the remainder going to the classes with the largest fractional shares
 * (lower label first on ties), so many small classes cannot round to an empty
 * test set. The result depends only on the labels, the fraction and the seed, so
 * the same data splits the same way on every machine.
 */
export function splitIndices(labels: Int32Array, options: SplitOptions): SplitIndices {
  validateSplitOptions(options, 'split');
  const byClass = new Map<number, number[]>();
  labels.forEach((label, index) => {
    const members = byClass.get(label);
    if (members === undefined) byClass.set(label, [index]);
    else members.push(index);
  });
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const shares = classes.map((label) => byClass.get(label)!.length * options.testFraction);
  const testCounts = shares.map(Math.floor);
  let remainder = Math.round(labels.length * options.testFraction) - testCounts.reduce((a, b) => a + b, 0);
  const byFraction = classes.map((_, i) => i).sort((a, b) => shares[b]! - testCounts[b]! - (shares[a]! - testCounts[a]!) || a - b);
  for (const i of byFraction) {
    if (remainder <= 0) break;
    testCounts[i]!++;
    remainder--;
  }

  const random = new Random(options.seed);
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((label, i) => {
    const shuffled = random.shuffle(byClass.get(label)!);
    test.push(...shuffled.slice(0, testCounts[i]));
    train.push(...shuffled.slice(testCounts[i]));
  });
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/** Splits a set that has no split of its own; both halves must end up non-empty. */
export function splitImageSet(set: ImageSet, options: SplitOptions): { train: ImageSet; test: ImageSet } {
  const { train, test } = splitIndices(set.labels, options);
  if (train.length === 0 || test.length === 0) {
    throw new ModelSealError(
      'DATASET',
      `${set.count} images are too few to hold out a test fraction of ${options.testFraction} and keep a training set`,
    );
  }
  return { train: subset(set, train), test: subset(set, test) };
}
