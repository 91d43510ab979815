import { ModelSealError } from '@modelseal/core';
import type { ImageSet, Images } from './types.ts';

/** Number of float values in one image. */
export function imageSize(images: Pick<Images, 'height' | 'width' | 'channels'>): number {
  return images.height * images.width * images.channels;
}

export function describeImageShape(images: Pick<Images, 'height' | 'width' | 'channels'>): string {
  return `${images.height}x${images.width}x${images.channels}`;
}

/** The images at `indices` (in that order, repeats allowed), as a new set that owns its memory. */
export function subset(set: ImageSet, indices: readonly number[]): ImageSet {
  const size = imageSize(set);
  const pixels = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new ModelSealError(
        'INVALID_ARGUMENT',
        `subset: index ${index} is out of range for a set of ${set.count} images`,
      );
    }
    pixels.set(set.pixels.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = set.labels[index]!;
  });
  return { height: set.height, width: set.width, channels: set.channels, pixels, labels, count: indices.length };
}

/** Joins sets of one image shape, in order (e.g. the five CIFAR-10 training batches). */
export function concatImageSets(sets: readonly ImageSet[]): ImageSet {
  const first = sets[0];
  if (first === undefined) {
    throw new ModelSealError('INVALID_ARGUMENT', 'concatImageSets: no image sets given');
  }
  for (const set of sets) {
    if (set.height !== first.height || set.width !== first.width || set.channels !== first.channels) {
      throw new ModelSealError(
        'DATASET',
        `cannot join images of shape ${describeImageShape(set)} with images of shape ${describeImageShape(first)}`,
      );
    }
  }
  if (sets.length === 1) return first;
  const count = sets.reduce((sum, set) => sum + set.count, 0);
  const pixels = new Float32Array(count * imageSize(first));
  const labels = new Int32Array(count);
  let offset = 0;
  for (const set of sets) {
    pixels.set(set.pixels, offset * imageSize(first));
    labels.set(set.labels, offset);
    offset += set.count;
  }
  return { height: first.height, width: first.width, channels: first.channels, pixels, labels, count };
}
