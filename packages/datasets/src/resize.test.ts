import { describe, expect, it } from 'vitest';
import { resizeBilinear } from './resize.ts';

describe('resizeBilinear', () => {
  it('interpolates between pixel centres and keeps edges', () => {
    // One row 0, 1 upscaled to four columns: centres at -0.25, 0.25, 0.75, 1.25 source pixels.
    expect([...resizeBilinear(Float32Array.from([0, 1]), 1, 2, 1, 1, 4)]).toEqual([0, 0.25, 0.75, 1]);
  });

  it('averages a 2x2 block down to its mean and handles channels independently', () => {
    const rgb = Float32Array.from([0, 1, 0.5, 1, 1, 0.5, 0, 0, 0.5, 1, 0, 0.5]);
    expect([...resizeBilinear(rgb, 2, 2, 3, 1, 1)]).toEqual([0.5, 0.5, 0.5]);
  });

  it('returns the input unchanged at the same size', () => {
    const pixels = Float32Array.from([0.1, 0.2]);
    expect(resizeBilinear(pixels, 1, 2, 1, 1, 2)).toBe(pixels);
  });
});
