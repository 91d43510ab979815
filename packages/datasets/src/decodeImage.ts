import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ModelSealError } from '@modelseal/core';

export interface RgbImage {
  readonly height: number;
  readonly width: number;
  /** HWC, 3 channels, values in [0, 1]; alpha is dropped, not composited. */
  readonly rgb: Float32Array;
  /** True when every pixel has R = G = B, i.e. nothing is lost by keeping one channel. */
  readonly gray: boolean;
}

/** Decodes PNG or JPEG bytes, chosen by magic bytes rather than by the file name. */
export function decodeImage(bytes: Uint8Array, file: string): RgbImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    if (isPng(bytes)) {
      decoded = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } else if (isJpeg(bytes)) {
      // Caps guard against a crafted header claiming a gigantic image.
      decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 100, maxMemoryUsageInMB: 1024 });
    } else {
      throw new Error('neither a PNG nor a JPEG file');
    }
  } catch (error) {
    throw new ModelSealError('DATASET', `${file}: cannot decode image (${(error as Error).message})`, { cause: error });
  }
  const { width, height, data } = decoded;
  if (width < 1 || height < 1 || data.length < width * height * 4) {
    throw new ModelSealError('DATASET', `${file}: cannot decode image (no pixel data)`);
  }
  const rgb = new Float32Array(width * height * 3);
  let gray = true;
  for (let p = 0; p < width * height; p++) {
    const r = data[4 * p]!;
    const g = data[4 * p + 1]!;
    const b = data[4 * p + 2]!;
    if (r !== g || g !== b) gray = false;
    rgb[3 * p] = r / 255;
    rgb[3 * p + 1] = g / 255;
    rgb[3 * p + 2] = b / 255;
  }
  return { height, width, rgb, gray };
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}
