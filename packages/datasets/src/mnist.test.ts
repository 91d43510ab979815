import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMnist, MNIST_SPLIT_FILE } from './mnist.ts';

describe('loadMnist', () => {
  it('loads the 10,000 digits with the fixture models\' 8,000 / 2,000 split', async () => {
    const mnist = await loadMnist();
    expect(mnist.name).toBe('mnist');
    expect(mnist.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (const set of [mnist.train, mnist.test]) {
      expect(set).toMatchObject({ height: 28, width: 28, channels: 1 });
      expect(set.pixels).toHaveLength(set.count * 784);
      expect(set.labels).toHaveLength(set.count);
      let min = Infinity;
      let max = -Infinity;
      for (const value of set.pixels) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
    expect(mnist.train.count).toBe(8000);
    expect(mnist.test.count).toBe(2000);

    const histogram = new Array<number>(10).fill(0);
    for (const label of [...mnist.train.labels, ...mnist.test.labels]) histogram[label]!++;
    // The package holds 1,001 zeros, 1,127 ones, ...; every digit appears roughly a tenth of the time.
    expect(histogram).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const testHistogram = new Array<number>(10).fill(0);
    for (const label of mnist.test.labels) testHistogram[label]!++;
    for (const n of testHistogram) expect(n).toBeGreaterThan(120);
  });

  it('takes image i of the split from position i of the concatenated package files', async () => {
    const mnist = await loadMnist();
    const split = JSON.parse(readFileSync(MNIST_SPLIT_FILE, 'utf8')) as { train: number[]; test: number[] };
    // Digits of value d occupy one contiguous block of the concatenation, in file order.
    const starts = [0, 1001, 2128, 3119, 4151, 5131, 5994, 7008, 8078, 9022, 10000];
    const labelOf = (index: number): number => starts.findIndex((start) => start > index) - 1;
    expect([...mnist.train.labels.slice(0, 50)]).toEqual(split.train.slice(0, 50).map(labelOf));
    expect([...mnist.test.labels]).toEqual(split.test.map(labelOf));
  });

  it('is loaded once per process', async () => {
    expect(await loadMnist()).toBe(await loadMnist());
  });
});
