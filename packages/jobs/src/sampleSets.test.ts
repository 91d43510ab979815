import { describe, expect, it } from 'vitest';
import { parseSampleSetSpec, sampleSetLabelMap, sampleSetSpec } from './sampleSets.ts';

const digest = 'ab'.repeat(32);

describe('sample-set dataset specs', () => {
  it('round-trips a digest and leaves other specs alone', () => {
    expect(sampleSetSpec(digest)).toBe(`sample-set:${digest}`);
    expect(parseSampleSetSpec(`sample-set:${digest}`)).toBe(digest);
    expect(parseSampleSetSpec('mnist')).toBeUndefined();
    expect(parseSampleSetSpec('folder:/data/x')).toBeUndefined();
  });

  it('refuses a sample-set spec without a valid digest', () => {
    expect(() => parseSampleSetSpec('sample-set:../../etc')).toThrow(/expected sample-set:<sha256 hex digest>/);
    expect(() => parseSampleSetSpec(`sample-set:${digest.toUpperCase()}`)).toThrow();
    expect(() => sampleSetSpec('xyz')).toThrow(/not a sha256 digest/);
  });
});

describe('sampleSetLabelMap', () => {
  it("prefers the model's class names, then output indices, then one folder per class in order", () => {
    expect(sampleSetLabelMap(['cat', 'dog'], { classNames: ['bird', 'cat', 'dog'], numClasses: 3 })).toEqual([1, 2]);
    expect(sampleSetLabelMap(['3', '7', '9'], { numClasses: 10 })).toEqual([3, 7, 9]);
    // Sorted by name, "10" comes before "2"; the index is what counts.
    expect(sampleSetLabelMap(['1', '10', '2'], { numClasses: 11 })).toEqual([1, 10, 2]);
    expect(sampleSetLabelMap(['a', 'b', 'c'], { numClasses: 3 })).toEqual([0, 1, 2]);
  });

  it('refuses folders it cannot match to the outputs', () => {
    expect(() => sampleSetLabelMap(['cat', 'dog'], { numClasses: 10 })).toThrow(/class folders \(cat, dog\) do not match the model's 10 classes/);
    expect(() => sampleSetLabelMap(['3', '12'], { numClasses: 10 })).toThrow(/output index \(0 to 9\)/);
    expect(() => sampleSetLabelMap(['07'], { numClasses: 10 })).toThrow();
  });
});
