import { PNG } from 'pngjs';
import { ModelSealError } from '@modelseal/core';
import { imageSize } from './imageSet.ts';
import type { Images } from './types.ts';

/** Image `index` of `images` as an 8-bit PNG (gray or RGB); values are clipped to [0, 1]. */
export function encodePng(images: Images, index = 0): Buffer {
  const { height, width, channels } = images;
  if (channels !== 1 && channels !== 3) {
    throw new ModelSealError('INVALID_ARGUMENT', `encodePng: images must have 1 or 3 channels, got ${channels}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= images.count) {
    throw new ModelSealError('INVALID_ARGUMENT', `encodePng: index ${index} is out of range for ${images.count} images`);
  }
  const png = new PNG({ width, height });
  const base = index * imageSize(images);
  const toByte = (value: number): number => Math.round(Math.min(1, Math.max(0, value)) * 255);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      png.data[4 * p + c] = toByte(images.pixels[base + p * channels + (channels === 1 ? 0 : c)]!);
    }
    png.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}
