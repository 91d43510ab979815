import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from './registry.ts';
import { encodeIdx, tempDir } from './testHelpers.ts';

describe('loadDataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    // Ten 2x2 images of labels 0..4 twice, and a 3-image test pair.
    await writeFile(join(dir, 'images.gz'), gzipSync(encodeIdx('uint8', [10, 2, 2], new Uint8Array(40).fill(255))));
    await writeFile(join(dir, 'labels'), encodeIdx('uint8', [10], [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]));
    await writeFile(join(dir, 'test-images'), encodeIdx('uint8', [3, 2, 2], new Uint8Array(12)));
    await writeFile(join(dir, 'test-labels'), encodeIdx('uint8', [3], [4, 5, 6]));
    await writeFile(join(dir, 'wide-images'), encodeIdx('uint8', [3, 2, 3], new Uint8Array(18)));
    for (const cls of ['x', 'y']) {
      await mkdir(join(dir, 'folder', cls), { recursive: true });
      for (let i = 0; i < 5; i++) {
        const png = new PNG({ width: 1, height: 1 });
        png.data.set([i * 50, i * 50, i * 50, 255]);
        await writeFile(join(dir, 'folder', cls, `${i}.png`), PNG.sync.write(png));
      }
    }
  });

  it('loads mnist', async () => {
    const mnist = await loadDataset('mnist');
    expect(mnist.name).toBe('mnist');
    expect(mnist.train.count).toBe(8000);
  });

  it('loads a pair of IDX files, split by the seed, with paths relative to cwd', async () => {
    const data = await loadDataset('idx:images.gz,labels', { cwd: dir, testFraction: 0.5, seed: 3 });
    expect(data.train.count).toBe(5);
    expect(data.test.count).toBe(5);
    expect(data.classNames).toEqual(['0', '1', '2', '3', '4']);
    expect(data.source).toBe(`${join(dir, 'images.gz')}, ${join(dir, 'labels')}`);
  });

  it('loads two IDX pairs as train and test', async () => {
    const spec = `idx:${['images.gz', 'labels', 'test-images', 'test-labels'].map((f) => join(dir, f)).join(',')}`;
    const data = await loadDataset(spec);
    expect(data.train.count).toBe(10);
    expect([...data.test.labels]).toEqual([4, 5, 6]);
    expect(data.classNames).toHaveLength(7);
    const wide = `idx:${['images.gz', 'labels', 'wide-images', 'test-labels'].map((f) => join(dir, f)).join(',')}`;
    await expect(loadDataset(wide)).rejects.toThrow(/wide-images: test images are 2x3x1 but .*images\.gz holds 2x2x1 images/);
  });

  it('loads an image folder with the folder options', async () => {
    const data = await loadDataset(`folder:${join(dir, 'folder')}`, { channels: 3, testFraction: 0.4 });
    expect(data.classNames).toEqual(['x', 'y']);
    expect(data.train).toMatchObject({ count: 6, channels: 3 });
    expect(data.test.count).toBe(4);
  });

  it.each([
    ['', /it is empty/],
    ['imagenet', /unknown kind "imagenet"/],
    ['cifar-10', /cifar-10 needs a path after "cifar-10:"/],
    ['mnist:/x', /mnist takes no path/],
    ['idx:/a', /idx needs 2 comma-separated files/],
  ])('explains the valid forms for %j', async (spec, problem) => {
    const error = await loadDataset(spec).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(problem) });
    expect((error as Error).message).toContain('valid forms are mnist, fashion-mnist[:/folder], cifar-10:/folder');
  });

  it('passes dataset errors through for the other kinds', async () => {
    await expect(loadDataset(`cifar-100:${dir}`)).rejects.toThrow(/no train\.bin here or in cifar-100-binary\//);
    await expect(loadDataset(`fashion-mnist:${join(dir, 'none')}`)).rejects.toThrow(/apt-get install dataset-fashion-mnist/);
  });
});
