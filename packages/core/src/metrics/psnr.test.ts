import { describe, expect, it } from 'vitest';
import { psnr } from './psnr.ts';

describe('psnr', () => {
  it('is Infinity for identical inputs', () => {
    const a = new Float32Array([0, 0.5, 1]);
    expect(psnr(a, a.slice(), 1)).toBe(Infinity);
  });

  it('is 20·log10(R/|d|) for a constant offset d', () => {
    // 0.25 and 0.5 are exact in float32, so the offset is exactly 0.25.
    expect(psnr(new Float32Array(6).fill(0.25), new Float32Array(6).fill(0.5), 1)).toBeCloseTo(20 * Math.log10(4), 12);
    expect(psnr(new Float32Array(4).fill(13), new Float32Array(4).fill(10), 255)).toBeCloseTo(
      20 * Math.log10(255 / 3),
      12,
    );
  });

  it('averages squared errors over all values', () => {
    // errors 0 and 0.5 → MSE 0.125 → 10·log10(8)
    expect(psnr(new Float32Array([0, 0]), new Float32Array([0, 0.5]), 1)).toBeCloseTo(10 * Math.log10(8), 12);
  });

  it('rejects mismatched lengths, empty inputs, a bad data range and NaN', () => {
    expect(() => psnr(new Float32Array(2), new Float32Array(3), 1)).toThrow(/2 and 3 values/);
    expect(() => psnr(new Float32Array(0), new Float32Array(0), 1)).toThrow(/non-empty/);
    expect(() => psnr(new Float32Array(1), new Float32Array(1), 0)).toThrow(/data range/);
    expect(() => psnr(new Float32Array([NaN]), new Float32Array(1), 1)).toThrow(
      expect.objectContaining({ code: 'NON_FINITE' }),
    );
  });
});
