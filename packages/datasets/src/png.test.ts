import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng } from './png.ts';

describe('encodePng', () => {
  it('writes an RGB image that decodes to the same pixels', () => {
    const pixels = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5, /* second image */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const decoded = PNG.sync.read(encodePng({ height: 2, width: 2, channels: 3, count: 2, pixels }));
    expect([decoded.width, decoded.height]).toEqual([2, 2]);
    expect([...decoded.data]).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 128, 128, 128, 255]);
  });

  it('writes gray images, clips out-of-range values and picks the image by index', () => {
    const pixels = Float32Array.from([0, 0, 0.2, 1.7]);
    const decoded = PNG.sync.read(encodePng({ height: 1, width: 2, channels: 1, count: 2, pixels }, 1));
    expect([...decoded.data]).toEqual([51, 51, 51, 255, 255, 255, 255, 255]);
    expect(() => encodePng({ height: 1, width: 2, channels: 1, count: 2, pixels }, 2)).toThrow(/index 2 is out of range/);
    expect(() => encodePng({ height: 1, width: 1, channels: 2, count: 2, pixels })).toThrow(/1 or 3 channels/);
  });
});
