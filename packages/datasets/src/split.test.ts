import { describe, expect, it } from 'vitest';
import { splitImageSet, splitIndices } from './split.ts';

const labels = Int32Array.from({ length: 50 }, (_, i) => (i < 40 ? 0 : 1));

describe('splitIndices', () => {
  it('holds out the test fraction of every class, deterministically', () => {
    const { train, test } = splitIndices(labels, { testFraction: 0.2, seed: 5 });
    expect(test.filter((i) => i < 40)).toHaveLength(8);
    expect(test.filter((i) => i >= 40)).toHaveLength(2);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(train).toEqual([...train].sort((a, b) => a - b));
    expect(splitIndices(labels, { testFraction: 0.2, seed: 5 })).toEqual({ train, test });
    expect(splitIndices(labels, { testFraction: 0.2, seed: 6 }).test).not.toEqual(test);
  });

  it('rounds on the whole set, so many small classes still yield a test set', () => {
    const small = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const { train, test } = splitIndices(small, { testFraction: 0.2, seed: 1 });
    expect(test).toHaveLength(2);
    expect(test.map((i) => small[i])).toEqual([0, 1]);
    expect(train).toHaveLength(8);
    // 7 of class 0 (share 1.4) and 3 of class 1 (share 0.6): the larger remainder wins the second slot.
    const uneven = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(splitIndices(uneven, { testFraction: 0.2, seed: 1 }).test.map((i) => uneven[i])).toEqual([0, 1]);
  });

  it('refuses a split that leaves a half empty', () => {
    const set = { height: 1, width: 1, channels: 1, count: 2, labels: Int32Array.from([0, 1]), pixels: new Float32Array(2) };
    expect(() => splitImageSet(set, { testFraction: 0.2, seed: 1 })).toThrow(/2 images are too few to hold out a test fraction of 0.2/);
  });

  it('rejects a fraction outside (0, 1)', () => {
    for (const testFraction of [0, 1, -0.1, Number.NaN]) {
      expect(() => splitIndices(labels, { testFraction, seed: 1 })).toThrow(/testFraction must be between 0 and 1/);
    }
  });

  it('splits an image set into matching pixels and labels', () => {
    const set = { height: 1, width: 1, channels: 1, count: 50, labels, pixels: Float32Array.from(labels, (_, i) => i / 50) };
    const { train, test } = splitImageSet(set, { testFraction: 0.2, seed: 5 });
    expect(train.count + test.count).toBe(50);
    test.pixels.forEach((value, n) => expect(test.labels[n]).toBe(labels[Math.round(value * 50)]));
  });
});
