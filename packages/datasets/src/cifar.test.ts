import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASS_NAMES, loadCifar10, loadCifar100 } from './cifar.ts';
import { tempDir } from './testHelpers.ts';

/** A record whose R, G and B planes hold constants r, g, b, except pixel (0, 1) which is (1, 2, 3). */
function record(labels: readonly number[], r: number, g: number, b: number): Buffer {
  const pixels = Buffer.alloc(3072);
  pixels.fill(r, 0, 1024);
  pixels.fill(g, 1024, 2048);
  pixels.fill(b, 2048, 3072);
  pixels[1] = 1;
  pixels[1024 + 1] = 2;
  pixels[2048 + 1] = 3;
  return Buffer.concat([Buffer.from(labels), pixels]);
}

describe('CIFAR-10', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(await tempDir(), 'cifar-10-batches-bin');
    await mkdir(dir);
    for (let i = 1; i <= 5; i++) {
      await writeFile(join(dir, `data_batch_${i}.bin`), Buffer.concat([record([i], 255, 0, 51), record([0], 0, 0, 0)]));
    }
    await writeFile(join(dir, 'test_batch.bin'), Buffer.concat([record([9], 10, 20, 30), record([3], 0, 0, 0), record([4], 0, 0, 0)]));
    await writeFile(join(dir, 'batches.meta.txt'), `${CIFAR10_CLASS_NAMES.map((n) => n.toUpperCase()).join('\n')}\n\n`);
  });

  it('reads the five training batches and the test batch as HWC images', async () => {
    // The parent folder is accepted too: it is where the archive extracts to.
    const cifar = await loadCifar10(join(dir, '..'));
    expect(cifar.name).toBe('cifar-10');
    expect(cifar.classNames).toEqual(CIFAR10_CLASS_NAMES.map((n) => n.toUpperCase()));
    expect(cifar.train).toMatchObject({ count: 10, height: 32, width: 32, channels: 3 });
    expect([...cifar.train.labels]).toEqual([1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
    expect([...cifar.test.labels]).toEqual([9, 3, 4]);
    const first = cifar.train.pixels;
    expect([...first.slice(0, 3)]).toEqual([1, 0, 51 / 255].map(Math.fround));
    expect([...first.slice(3, 6)]).toEqual([1 / 255, 2 / 255, 3 / 255].map(Math.fround));
    const test = cifar.test.pixels;
    expect([...test.slice(3 * 1023, 3 * 1024)]).toEqual([10 / 255, 20 / 255, 30 / 255].map(Math.fround));
  });

  it('rejects a truncated batch, naming the file', async () => {
    const broken = await tempDir();
    for (let i = 1; i <= 5; i++) await writeFile(join(broken, `data_batch_${i}.bin`), record([1], 0, 0, 0));
    await writeFile(join(broken, 'test_batch.bin'), record([1], 0, 0, 0).subarray(0, 3000));
    await expect(loadCifar10(broken)).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(/test_batch\.bin: size 3000 bytes is not a whole number of 3073-byte CIFAR records/),
    });
  });

  it('rejects an out-of-range label and a missing batch', async () => {
    const broken = await tempDir();
    for (let i = 1; i <= 4; i++) await writeFile(join(broken, `data_batch_${i}.bin`), record([1], 0, 0, 0));
    await writeFile(join(broken, 'test_batch.bin'), record([1], 0, 0, 0));
    await expect(loadCifar10(broken)).rejects.toThrow(/data_batch_5\.bin: file not found/);
    await writeFile(join(broken, 'data_batch_5.bin'), Buffer.concat([record([1], 0, 0, 0), record([10], 0, 0, 0)]));
    await expect(loadCifar10(broken)).rejects.toThrow(/data_batch_5\.bin: record 1 has label 10, expected 0\.\.9/);
  });

  it('explains what it expected in a folder without CIFAR files', async () => {
    await expect(loadCifar10(await tempDir())).rejects.toThrow(/no data_batch_1\.bin here or in cifar-10-batches-bin\//);
  });
});

describe('CIFAR-100', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    await writeFile(join(dir, 'train.bin'), Buffer.concat([record([3, 42], 255, 0, 0), record([19, 99], 0, 255, 0)]));
    await writeFile(join(dir, 'test.bin'), Buffer.concat([record([0, 7], 0, 0, 255), record([1, 8], 0, 0, 0), record([2, 9], 0, 0, 0)]));
    await writeFile(join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'));
    await writeFile(join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'));
  });

  it('uses the fine labels by default', async () => {
    const cifar = await loadCifar100(dir);
    expect(cifar.name).toBe('cifar-100');
    expect(cifar.classNames).toHaveLength(100);
    expect(cifar.classNames[42]).toBe('fine42');
    expect([...cifar.train.labels]).toEqual([42, 99]);
    expect([...cifar.test.labels]).toEqual([7, 8, 9]);
    expect([...cifar.train.pixels.slice(0, 3)]).toEqual([1, 0, 0]);
    expect([...cifar.test.pixels.slice(0, 3)]).toEqual([0, 0, 1]);
  });

  it('uses the coarse labels when asked', async () => {
    const cifar = await loadCifar100(dir, { labels: 'coarse' });
    expect(cifar.classNames).toEqual(Array.from({ length: 20 }, (_, i) => `coarse${i}`));
    expect([...cifar.train.labels]).toEqual([3, 19]);
    expect([...cifar.test.labels]).toEqual([0, 1, 2]);
  });

  it('rejects a truncated file, naming it', async () => {
    const broken = await tempDir();
    await writeFile(join(broken, 'train.bin'), Buffer.concat([record([0, 0], 0, 0, 0), Buffer.alloc(100)]));
    await writeFile(join(broken, 'test.bin'), record([0, 0], 0, 0, 0));
    await expect(loadCifar100(broken)).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(/train\.bin: size 3174 bytes is not a whole number of 3074-byte CIFAR records/),
    });
  });
});
