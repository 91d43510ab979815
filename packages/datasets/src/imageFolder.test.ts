import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from './imageFolder.ts';
import { tempDir } from './testHelpers.ts';

type Rgb = readonly [number, number, number];

/** A solid image with pixel (0, 0) set to `corner`, as RGBA bytes. */
function rgba(width: number, height: number, fill: Rgb, corner: Rgb = fill): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([...(p === 0 ? corner : fill), 255], 4 * p);
  return data;
}

function png(width: number, height: number, fill: Rgb, corner?: Rgb): Buffer {
  const image = new PNG({ width, height });
  rgba(width, height, fill, corner).copy(image.data);
  return PNG.sync.write(image);
}

function jpg(width: number, height: number, fill: Rgb): Buffer {
  return jpeg.encode({ width, height, data: rgba(width, height, fill) }, 100).data;
}

async function put(root: string, file: string, bytes: Buffer): Promise<void> {
  const path = join(root, file);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, bytes);
}

describe('loadImageFolder', () => {
  let colour: string;
  beforeAll(async () => {
    colour = await tempDir();
    // Five images per class; "bird" sorts first, so it is class 0.
    for (let i = 0; i < 5; i++) {
      // The corner tells the cat images apart (c0 has a blue corner), so splits can be compared.
      await put(colour, `cat/c${i}.png`, png(4, 3, [255, 0, 0], [0, 5 * i, 255]));
      await put(colour, `dog/d${i}.JPG`, jpg(4, 3, [0, 255, 0]));
      await put(colour, `bird/b${i}.jpeg`, jpg(4, 3, [255, 255, 255]));
    }
    await put(colour, 'cat/notes.txt', Buffer.from('not an image'));
    await put(colour, '.cache/x.png', png(4, 3, [0, 0, 0]));
  });

  it('takes classes from sorted subfolders and splits each class by the test fraction', async () => {
    const data = await loadImageFolder(colour, { testFraction: 0.4, seed: 7 });
    expect(data.name).toBe(`folder:${colour}`);
    expect(data.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(data.train).toMatchObject({ count: 9, height: 3, width: 4, channels: 3 });
    expect(data.test).toMatchObject({ count: 6, height: 3, width: 4, channels: 3 });
    for (const set of [data.train, data.test]) {
      const perClass = [0, 0, 0];
      for (const label of set.labels) perClass[label]!++;
      expect(perClass).toEqual(set === data.train ? [3, 3, 3] : [2, 2, 2]);
    }
    // A PNG decodes exactly, HWC: pixel 0 is the blue corner, pixel 1 red.
    const cat = data.train.labels.indexOf(1);
    const px = data.train.pixels.subarray(cat * 36, cat * 36 + 6);
    expect([px[0], px[2]]).toEqual([0, 1]);
    expect([...px.subarray(3)]).toEqual([1, 0, 0]);
    // JPEG is lossy, but a solid colour survives at quality 100.
    const dog = data.train.labels.indexOf(2);
    const green = data.train.pixels.subarray(dog * 36 + 3, dog * 36 + 6);
    expect(green[0]).toBeLessThan(0.05);
    expect(green[1]).toBeGreaterThan(0.95);
  });

  it('splits the same way every time for a seed, differently for another', async () => {
    const a = await loadImageFolder(colour, { seed: 1, testFraction: 0.4 });
    const b = await loadImageFolder(colour, { seed: 1, testFraction: 0.4 });
    expect(b.test.pixels).toEqual(a.test.pixels);
    const differs = await Promise.all([2, 3, 4, 5].map(async (seed) => {
      const other = await loadImageFolder(colour, { seed, testFraction: 0.4 });
      return other.test.pixels.some((v, i) => v !== a.test.pixels[i]);
    }));
    expect(differs).toContain(true);
  });

  it('converts to luminance for one channel', async () => {
    const data = await loadImageFolder(colour, { channels: 1, testFraction: 0.2 });
    expect(data.train.channels).toBe(1);
    const cat = data.train.labels.indexOf(1);
    expect(data.train.pixels[cat * 12 + 1]).toBeCloseTo(0.299, 5);
    const bird = data.train.labels.indexOf(0);
    expect(data.train.pixels[bird * 12 + 1]).toBeCloseTo(1, 2);
  });

  it('keeps one channel for all-gray folders unless told otherwise, and uses train/ and test/ when present', async () => {
    const root = await tempDir();
    await put(root, 'train/a/1.png', png(2, 2, [51, 51, 51]));
    await put(root, 'train/a/2.png', png(2, 2, [102, 102, 102]));
    await put(root, 'train/b/1.png', png(2, 2, [0, 0, 0]));
    await put(root, 'test/c/1.png', png(2, 2, [255, 255, 255]));
    await put(root, 'test/a/1.png', png(2, 2, [204, 204, 204]));
    const data = await loadImageFolder(root);
    expect(data.classNames).toEqual(['a', 'b', 'c']);
    expect(data.train).toMatchObject({ count: 3, channels: 1 });
    expect([...data.train.labels]).toEqual([0, 0, 1]);
    expect([...data.test.labels]).toEqual([0, 2]);
    expect(data.train.pixels[0]).toBeCloseTo(0.2, 6);
    expect(data.test.pixels[0]).toBeCloseTo(0.8, 6);

    const rgb = await loadImageFolder(root, { channels: 3 });
    expect(rgb.train.channels).toBe(3);
    expect([...rgb.train.pixels.slice(0, 3)].map((v) => v.toFixed(3))).toEqual(['0.200', '0.200', '0.200']);
  });

  it('requires one image size unless asked to resize', async () => {
    const root = await tempDir();
    await put(root, 'a/small.png', png(2, 2, [255, 255, 255]));
    await put(root, 'a/wide.png', png(6, 2, [255, 255, 255]));
    await put(root, 'b/x.png', png(2, 2, [0, 0, 0]));
    await expect(loadImageFolder(root)).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(/wide\.png: image is 6x2 \(width x height\) but .*small\.png is 2x2; .* pass a size/),
    });
    const data = await loadImageFolder(root, { size: [3, 3], testFraction: 0.5 });
    expect(data.train).toMatchObject({ height: 3, width: 3, channels: 1 });
    expect(data.train.pixels.length + data.test.pixels.length).toBe(3 * 9);
  });

  it('names a corrupt image', async () => {
    const root = await tempDir();
    await put(root, 'a/good.png', png(2, 2, [0, 0, 0]));
    await put(root, 'a/broken.png', png(2, 2, [0, 0, 0]).subarray(0, 40));
    await put(root, 'b/fake.jpg', Buffer.from('hello, not a jpeg'));
    await expect(loadImageFolder(root)).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(/a\/broken\.png: cannot decode image/),
    });
    await put(root, 'a/broken.png', png(2, 2, [0, 0, 0]));
    await expect(loadImageFolder(root)).rejects.toThrow(/b\/fake\.jpg: cannot decode image \(neither a PNG nor a JPEG file\)/);
  });

  it('explains an empty or missing folder and bad options', async () => {
    await expect(loadImageFolder(join(colour, 'missing'))).rejects.toThrow(/missing: folder not found/);
    await expect(loadImageFolder(await tempDir())).rejects.toThrow(/no class folders/);
    const onlyTrain = await tempDir();
    await put(onlyTrain, 'train/a/1.png', png(2, 2, [0, 0, 0]));
    await expect(loadImageFolder(onlyTrain)).rejects.toThrow(/has a train\/ folder but no test\//);
    await expect(loadImageFolder(colour, { testFraction: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(loadImageFolder(colour, { size: [0, 3] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
