import { describe, expect, it } from 'vitest';
import { fromModelBatch, toModelBatch } from './toModelBatch.ts';
import type { ImageSet } from './types.ts';

// Two 2x3 RGB images; value = (image*100 + row*10 + col) + channel, scaled into [0, 1] by /200.
function tinySet(): ImageSet {
  const pixels = new Float32Array(2 * 2 * 3 * 3);
  for (let n = 0; n < 2; n++)
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 3; x++)
        for (let c = 0; c < 3; c++) pixels[((n * 2 + y) * 3 + x) * 3 + c] = (n * 100 + y * 10 + x + c) / 200;
  return { height: 2, width: 3, channels: 3, count: 2, pixels, labels: Int32Array.from([0, 1]) };
}
const code = (value: number): number => Math.round(value * 200);

describe('toModelBatch', () => {
  const images = tinySet();

  it('transposes to CHW for NCHW models', () => {
    const batch = toModelBatch(images, { inputShape: [3, 2, 3], layout: 'NCHW', valueRange: [0, 1] });
    expect(batch.shape).toEqual([2, 3, 2, 3]);
    // Image 1, channel 2, row 1, col 0 sits at ((1*3 + 2)*2 + 1)*3 + 0.
    expect(code(batch.data[((1 * 3 + 2) * 2 + 1) * 3]!)).toBe(100 + 10 + 0 + 2);
    expect([...batch.data.slice(0, 6)].map(code)).toEqual([0, 1, 2, 10, 11, 12]);
    expect([...batch.data.slice(6, 12)].map(code)).toEqual([1, 2, 3, 11, 12, 13]);
  });

  it('keeps HWC for NHWC models and flattens HWC for flat ones', () => {
    const nhwc = toModelBatch(images, { inputShape: [2, 3, 3], layout: 'NHWC', valueRange: [0, 1] });
    expect(nhwc.shape).toEqual([2, 2, 3, 3]);
    expect(nhwc.data).toEqual(images.pixels);
    const flat = toModelBatch(images, { inputShape: [18], layout: 'flat', valueRange: [0, 1] });
    expect(flat.shape).toEqual([2, 18]);
    expect(flat.data).toEqual(images.pixels);
  });

  it('maps [0, 1] onto the model value range and picks indices', () => {
    const batch = toModelBatch(images, { inputShape: [18], layout: 'flat', valueRange: [-1, 1] }, [1]);
    expect(batch.shape).toEqual([1, 18]);
    expect(batch.data[0]).toBeCloseTo(2 * (100 / 200) - 1, 6);
    expect(batch.data[17]).toBeCloseTo(2 * (114 / 200) - 1, 6);
    expect(() => toModelBatch(images, { inputShape: [18], layout: 'flat', valueRange: [0, 1] }, [2])).toThrow(/index 2 is out of range/);
  });

  it('says how the images and the model disagree', () => {
    const gray = { ...tinySet(), height: 28, width: 28, channels: 1, count: 0, pixels: new Float32Array(0) };
    expect(() => toModelBatch(gray, { inputShape: [3, 32, 32], layout: 'NCHW', valueRange: [0, 1] })).toThrow(
      expect.objectContaining({
        code: 'INPUT_SHAPE',
        message: 'dataset images are 28x28x1 but the model expects [3, 32, 32] (NCHW)',
      }),
    );
    // Right numbers in the wrong order for the layout are a mismatch too.
    expect(() => toModelBatch(images, { inputShape: [3, 2, 3], layout: 'NHWC', valueRange: [0, 1] })).toThrow(/\(NHWC\)/);
    expect(() => toModelBatch(images, { inputShape: [3, 2, 3], layout: 'NCHW', valueRange: [1, 0] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('fromModelBatch', () => {
  const images = tinySet();

  it.each([
    [{ inputShape: [3, 2, 3], layout: 'NCHW' as const, valueRange: [-1, 1] as const }],
    [{ inputShape: [2, 3, 3], layout: 'NHWC' as const, valueRange: [0, 255] as const }],
    [{ inputShape: [18], layout: 'flat' as const, valueRange: [0, 1] as const }],
  ])('inverts toModelBatch (%o)', (model) => {
    const back = fromModelBatch(toModelBatch(images, model), model, images);
    expect(back).toMatchObject({ height: 2, width: 3, channels: 3, count: 2 });
    back.pixels.forEach((value, i) => expect(value).toBeCloseTo(images.pixels[i]!, 5));
  });

  it('clips to [0, 1], needs geometry for flat input and checks the batch shape', () => {
    const model = { inputShape: [1, 1, 2], layout: 'NCHW' as const, valueRange: [0, 1] as const };
    expect([...fromModelBatch({ data: Float32Array.from([-0.5, 1.5]), shape: [1, 1, 1, 2] }, model).pixels]).toEqual([0, 1]);
    expect(() => fromModelBatch({ data: new Float32Array(2), shape: [1, 2] }, { ...model, inputShape: [2], layout: 'flat' })).toThrow(
      /flat model input needs the image height, width and channels/,
    );
    expect(() => fromModelBatch({ data: new Float32Array(4), shape: [2, 1, 2, 1] }, model)).toThrow(
      expect.objectContaining({ code: 'INPUT_SHAPE' }),
    );
    expect(() => fromModelBatch({ data: Float32Array.from([Number.NaN, 0]), shape: [1, 1, 1, 2] }, model)).toThrow(
      expect.objectContaining({ code: 'NON_FINITE' }),
    );
  });
});
