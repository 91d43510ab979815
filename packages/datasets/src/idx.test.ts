import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIdxPair, parseIdx, readIdxFile } from './idx.ts';
import { encodeIdx, tempDir } from './testHelpers.ts';

// Three 2x3 images whose bytes are 0..17, so pixel i of the concatenation is i/255.
const IMAGE_BYTES = Array.from({ length: 18 }, (_, i) => i * 15);
const LABELS = [2, 0, 1];

describe('IDX files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });

  async function write(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  it.each([
    ['raw', (b: Buffer) => b],
    ['gzip', (b: Buffer) => gzipSync(b)],
  ])('reads a %s image/label pair as an image set', async (kind, wrap) => {
    // The gzip file deliberately has no .gz suffix: detection is by magic bytes.
    const images = await write(`${kind}-images`, wrap(encodeIdx('uint8', [3, 2, 3], IMAGE_BYTES)));
    const labels = await write(`${kind}-labels`, wrap(encodeIdx('uint8', [3], LABELS)));
    const set = await loadIdxPair(images, labels);
    expect(set).toMatchObject({ count: 3, height: 2, width: 3, channels: 1 });
    expect([...set.labels]).toEqual(LABELS);
    expect(set.pixels).toHaveLength(18);
    IMAGE_BYTES.forEach((byte, i) => expect(set.pixels[i]).toBeCloseTo(byte / 255, 6));
  });

  it('reads 4-D RGB images and big-endian wide types', async () => {
    const images = await write('rgb-images', encodeIdx('uint8', [1, 1, 2, 3], [255, 0, 0, 0, 0, 255]));
    const labels = await write('int32-labels', encodeIdx('int32', [1], [300]));
    const set = await loadIdxPair(images, labels);
    expect(set).toMatchObject({ count: 1, height: 1, width: 2, channels: 3 });
    expect([...set.pixels]).toEqual([1, 0, 0, 0, 0, 1]);
    expect([...set.labels]).toEqual([300]);

    expect([...parseIdx(encodeIdx('int16', [2], [-2, 1000]), 'x').data]).toEqual([-2, 1000]);
    expect([...parseIdx(encodeIdx('float64', [2], [0.25, -3.5]), 'x').data]).toEqual([0.25, -3.5]);
    const floats = parseIdx(encodeIdx('float32', [1, 2], [0.5, 1]), 'x');
    expect(floats).toMatchObject({ type: 'float32', dims: [1, 2] });
    expect([...floats.data]).toEqual([0.5, 1]);
  });

  it('accepts float images in [0, 1] and rejects signed integer images', async () => {
    const labels = await write('one-label', encodeIdx('uint8', [1], [0]));
    const floats = await write('float-images', encodeIdx('float32', [1, 1, 2], [0.25, 0.75]));
    expect([...(await loadIdxPair(floats, labels)).pixels]).toEqual([0.25, 0.75]);
    const outOfRange = await write('float-images-bad', encodeIdx('float32', [1, 1, 2], [0.25, 7]));
    await expect(loadIdxPair(outOfRange, labels)).rejects.toThrow(/float-images-bad: float pixel values must be in \[0, 1\]/);
    const signed = await write('int8-images', encodeIdx('int8', [1, 1, 2], [-1, 1]));
    await expect(loadIdxPair(signed, labels)).rejects.toThrow(/int8-images: images must be unsigned bytes/);
  });

  it('rejects a bad magic number, naming the file', async () => {
    const bytes = encodeIdx('uint8', [3], LABELS);
    bytes[0] = 0x12;
    const path = await write('bad-magic', bytes);
    await expect(readIdxFile(path)).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(/bad-magic: not an IDX file: the first two bytes must be 00 00, got 12 00/),
    });
  });

  it('rejects an unknown data type', async () => {
    const bytes = encodeIdx('uint8', [3], LABELS);
    bytes[2] = 0x0a;
    await expect(readIdxFile(await write('bad-type', bytes))).rejects.toThrow(/bad-type: unknown IDX data type 0A/);
  });

  it('rejects truncated data and a truncated header', async () => {
    const full = encodeIdx('uint8', [3, 2, 3], IMAGE_BYTES);
    const truncated = await write('truncated.gz', gzipSync(full.subarray(0, full.length - 5)));
    await expect(readIdxFile(truncated)).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(/truncated\.gz: truncated: dimensions \[3, 2, 3\] of uint8 need 18 data bytes, file has 13/),
    });
    await expect(readIdxFile(await write('short-header', full.subarray(0, 9)))).rejects.toThrow(
      /short-header: truncated IDX header/,
    );
    await expect(readIdxFile(await write('trailing', Buffer.concat([full, Buffer.from([1])])))).rejects.toThrow(
      /trailing: has trailing bytes/,
    );
  });

  it('rejects corrupt gzip data', async () => {
    const gz = gzipSync(encodeIdx('uint8', [3], LABELS));
    gz.fill(0x55, 10, gz.length);
    await expect(readIdxFile(await write('corrupt.gz', gz))).rejects.toThrow(/corrupt\.gz: corrupt gzip data/);
  });

  it('rejects images and labels whose counts disagree', async () => {
    const images = await write('count-images', encodeIdx('uint8', [3, 2, 3], IMAGE_BYTES));
    const labels = await write('count-labels', encodeIdx('uint8', [2], [0, 1]));
    await expect(loadIdxPair(images, labels)).rejects.toMatchObject({
      code: 'DATASET',
      message: expect.stringMatching(/count-labels: holds 2 labels but .*count-images holds 3 images/),
    });
  });

  it('names a missing file', async () => {
    await expect(readIdxFile(join(dir, 'nope.gz'))).rejects.toThrow(/nope\.gz: file not found/);
  });
});
