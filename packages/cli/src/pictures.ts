import { PNG } from 'pngjs';
import type { Images } from '@modelseal/datasets';

const SCALE = 3;
const GAP = 4;

/**
 * One PNG with a row per sample: original | fragile | |difference| amplified ×`amplify`,
 * so a person sees at a glance how much fragilization changed each image.
 */
export function renderComparison(original: Images, fragile: Images, options: { maxRows?: number; amplify?: number } = {}): Buffer {
  const rows = Math.min(original.count, options.maxRows ?? 12);
  const amplify = options.amplify ?? 10;
  const { height, width, channels } = original;
  const cellW = width * SCALE;
  const cellH = height * SCALE;
  const png = new PNG({ width: 3 * cellW + 4 * GAP, height: rows * (cellH + GAP) + GAP });
  png.data.fill(255);
  const size = height * width * channels;
  const put = (x: number, y: number, rgb: readonly [number, number, number]): void => {
    const o = 4 * (y * png.width + x);
    png.data[o] = rgb[0];
    png.data[o + 1] = rgb[1];
    png.data[o + 2] = rgb[2];
    png.data[o + 3] = 255;
  };
  const byte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let r = 0; r < rows; r++) {
    for (let yy = 0; yy < height; yy++) {
      for (let xx = 0; xx < width; xx++) {
        const base = r * size + (yy * width + xx) * channels;
        const pixel = (set: Images, transform: (v: number, c: number) => number): [number, number, number] => {
          const values = [0, 1, 2].map((c) => transform(set.pixels[base + (channels === 1 ? 0 : c)]!, c));
          return [byte(values[0]!), byte(values[1]!), byte(values[2]!)];
        };
        const cells: [number, number, number][] = [
          pixel(original, (v) => v),
          pixel(fragile, (v) => v),
          pixel(fragile, (v, c) => Math.abs(v - original.pixels[base + (channels === 1 ? 0 : c)]!) * amplify),
        ];
        cells.forEach((rgb, col) => {
          for (let dy = 0; dy < SCALE; dy++) {
            for (let dx = 0; dx < SCALE; dx++) {
              put(GAP + col * (cellW + GAP) + xx * SCALE + dx, GAP + r * (cellH + GAP) + yy * SCALE + dy, rgb);
            }
          }
        });
      }
    }
  }
  return PNG.sync.write(png);
}
