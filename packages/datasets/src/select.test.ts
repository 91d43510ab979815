import { describe, expect, it } from 'vitest';
import { selectSamples } from './select.ts';

// 100 samples: label i % 4 for i < 90, then ten more of class 0 (so classes are unequal).
const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 90 ? i % 4 : 0));
const set = { labels, count: labels.length };

describe('selectSamples', () => {
  it('returns the same indices for the same seed', () => {
    const a = selectSamples(set, { count: 20, seed: 42 });
    expect(selectSamples(set, { count: 20, seed: 42 })).toEqual(a);
    expect(new Set(a).size).toBe(20);
    expect(a.every((i) => Number.isInteger(i) && i >= 0 && i < 100)).toBe(true);
    expect(selectSamples(set, { count: 20, seed: 43 })).not.toEqual(a);
  });

  it('is pinned to its algorithm, so stored selections stay reproducible across versions and machines', () => {
    expect(selectSamples(set, { count: 8, seed: 42 })).toEqual([36, 54, 9, 63, 87, 75, 76, 25]);
    expect(selectSamples(set, { count: 8, seed: 42, classBalanced: true })).toEqual([20, 13, 46, 75, 68, 53, 2, 43]);
  });

  it('balances classes when asked', () => {
    const picked = selectSamples(set, { count: 40, seed: 1, classBalanced: true });
    const perClass = [0, 0, 0, 0];
    for (const i of picked) perClass[labels[i]!]!++;
    expect(perClass).toEqual([10, 10, 10, 10]);
    // Without balancing, class 0 (33 % of the data) would usually dominate some draw; balancing is exact.
    const counts = [3, 5, 7].map((seed) => {
      const plain = selectSamples(set, { count: 40, seed });
      return plain.filter((i) => labels[i] === 0).length;
    });
    expect(counts.some((n) => n !== 10)).toBe(true);
  });

  it('takes what a small class has and fills up from the others', () => {
    const skewed = { labels: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 2, 2, 2]), count: 10 };
    const picked = selectSamples(skewed, { count: 7, seed: 3, classBalanced: true });
    const perClass = [0, 0, 0];
    for (const i of picked) perClass[skewed.labels[i]!]!++;
    expect(perClass).toEqual([3, 1, 3]);
  });

  it('only picks indices that pass the filter', () => {
    const picked = selectSamples(set, { count: 10, seed: 9, filter: (i) => i % 5 === 0, classBalanced: true });
    expect(picked).toHaveLength(10);
    expect(picked.every((i) => i % 5 === 0)).toBe(true);
    expect(new Set(picked).size).toBe(10);
  });

  it('refuses to return fewer samples than asked for', () => {
    expect(() => selectSamples(set, { count: 21, seed: 1, filter: (i) => i < 20 })).toThrow(
      /asked for 21 samples but only 20 of 100 pass the filter/,
    );
    expect(() => selectSamples(set, { count: 101, seed: 1 })).toThrow(/the set has only 100/);
    expect(() => selectSamples(set, { count: 0, seed: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => selectSamples(set, { count: 5, seed: 1.5 })).toThrow(/seed must be an integer/);
  });
});
