import { describe, expect, it } from 'vitest';
import { concatImageSets, subset } from './imageSet.ts';
import type { ImageSet } from './types.ts';

function set(values: number[], labels: number[]): ImageSet {
  return { height: 1, width: 2, channels: 1, count: labels.length, pixels: Float32Array.from(values), labels: Int32Array.from(labels) };
}

describe('image sets', () => {
  it('subset copies the chosen images in the given order', () => {
    const s = subset(set([0, 0.1, 0.2, 0.3, 0.4, 0.5], [7, 8, 9]), [2, 0, 2]);
    expect(s.count).toBe(3);
    expect([...s.labels]).toEqual([9, 7, 9]);
    expect([...s.pixels]).toEqual([0.4, 0.5, 0, 0.1, 0.4, 0.5].map(Math.fround));
    expect(() => subset(set([0, 0], [1]), [1])).toThrow(/index 1 is out of range for a set of 1 images/);
  });

  it('concatImageSets joins sets of one shape and rejects others', () => {
    const joined = concatImageSets([set([0, 0.5], [1]), set([1, 1, 0, 0], [2, 3])]);
    expect(joined.count).toBe(3);
    expect([...joined.labels]).toEqual([1, 2, 3]);
    expect([...joined.pixels]).toEqual([0, 0.5, 1, 1, 0, 0]);
    const other = { ...set([0, 0], [1]), width: 1, channels: 2 };
    expect(() => concatImageSets([set([0, 0], [1]), other])).toThrow(/shape 1x1x2 with images of shape 1x2x1/);
  });
});
