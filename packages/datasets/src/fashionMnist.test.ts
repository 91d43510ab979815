import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_FASHION_MNIST_DIR, fashionMnistDir, loadFashionMnist } from './fashionMnist.ts';
import { encodeIdx, tempDir } from './testHelpers.ts';

describe('loadFashionMnist', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.skipIf(!existsSync(DEFAULT_FASHION_MNIST_DIR))('loads the standard 60,000 / 10,000 split from the Debian files', async () => {
    const fashion = await loadFashionMnist({ dir: DEFAULT_FASHION_MNIST_DIR });
    expect(fashion.classNames).toHaveLength(10);
    expect(fashion.classNames[0]).toBe('T-shirt/top');
    expect(fashion.classNames[9]).toBe('Ankle boot');
    expect(fashion.train).toMatchObject({ count: 60000, height: 28, width: 28, channels: 1 });
    expect(fashion.test).toMatchObject({ count: 10000, height: 28, width: 28, channels: 1 });
    expect(fashion.train.pixels).toHaveLength(60000 * 784);
    // Fashion-MNIST is exactly balanced: 6,000 and 1,000 images per class.
    const histogram = new Array<number>(10).fill(0);
    for (const label of fashion.test.labels) histogram[label]!++;
    expect(histogram).toEqual(new Array(10).fill(1000));
    // The first test image is an ankle boot.
    expect(fashion.test.labels[0]).toBe(9);
    expect(await loadFashionMnist({ dir: DEFAULT_FASHION_MNIST_DIR })).toBe(fashion);
  });

  it('takes its folder from the option, then the environment, then the Debian location', () => {
    vi.stubEnv('MODELSEAL_FASHION_MNIST_DIR', '');
    expect(fashionMnistDir()).toBe(DEFAULT_FASHION_MNIST_DIR);
    vi.stubEnv('MODELSEAL_FASHION_MNIST_DIR', '/somewhere/else');
    expect(fashionMnistDir()).toBe('/somewhere/else');
    expect(fashionMnistDir({ dir: '/explicit' })).toBe('/explicit');
  });

  it('tells the user how to install it when the folder is missing', async () => {
    vi.stubEnv('MODELSEAL_FASHION_MNIST_DIR', '/nonexistent/fashion');
    await expect(loadFashionMnist()).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(
        /\/nonexistent\/fashion is not a folder; install it with "apt-get install dataset-fashion-mnist" or set MODELSEAL_FASHION_MNIST_DIR/,
      ),
    });
  });

  it('reads uncompressed files and lists missing ones', async () => {
    const dir = join(await tempDir(), 'fashion');
    await mkdir(dir);
    const images = encodeIdx('uint8', [2, 28, 28], new Uint8Array(2 * 784).fill(51));
    await writeFile(join(dir, 'train-images-idx3-ubyte'), images);
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [2], [3, 4]));
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), images);
    await expect(loadFashionMnist({ dir })).rejects.toThrow(/incomplete: missing t10k-labels-idx1-ubyte;/);

    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx('uint8', [2], [9, 0]));
    const fashion = await loadFashionMnist({ dir });
    expect(fashion.train.count).toBe(2);
    expect([...fashion.test.labels]).toEqual([9, 0]);
    expect(fashion.train.pixels[0]).toBeCloseTo(0.2, 6);
  });
});
