import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor/tensor.ts';
import { psnrBatch, ssimBatch } from './batch.ts';

/** Two 2-channel 12×12 samples with distinct per-pixel patterns, NCHW. */
function nchwBatch(): Tensor {
  const [n, c, h, w] = [2, 2, 12, 12];
  const data = new Float32Array(n * c * h * w).map((_, i) => ((i * 37) % 101) / 100);
  return { data, shape: [n, c, h, w] };
}

function toNhwc(batch: Tensor): Tensor {
  const [n = 0, c = 0, h = 0, w = 0] = batch.shape;
  const data = new Float32Array(batch.data.length);
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++) data[(s * h * w + p) * c + ch] = batch.data[(s * c + ch) * h * w + p]!;
    }
  }
  return { data, shape: [n, h, w, c] };
}

describe('psnrBatch', () => {
  it('returns one value per sample and their mean', () => {
    const a: Tensor = { data: new Float32Array([0.5, 0.5, 0.5, 0.5]), shape: [2, 2] };
    const b: Tensor = { data: new Float32Array([0.25, 0.25, 0, 0]), shape: [2, 2] };
    const result = psnrBatch(a, b, { dataRange: 1 });
    expect(result.values[0]).toBeCloseTo(20 * Math.log10(4), 12);
    expect(result.values[1]).toBeCloseTo(20 * Math.log10(2), 12);
    expect(result.mean).toBeCloseTo((20 * Math.log10(4) + 20 * Math.log10(2)) / 2, 12);
  });

  it('rejects batches of different shapes', () => {
    const a: Tensor = { data: new Float32Array(4), shape: [2, 2] };
    expect(() => psnrBatch(a, { data: new Float32Array(4), shape: [1, 4] }, { dataRange: 1 })).toThrow(
      /equal shape, got \[2, 2\] and \[1, 4\]/,
    );
  });
});

describe('ssimBatch', () => {
  it('pairs samples in order and reads either layout the same way', () => {
    const a = nchwBatch();
    // Sample 0 unchanged, sample 1 shifted by a constant.
    const b: Tensor = { data: a.data.map((v, i) => (i < a.data.length / 2 ? v : v + 0.1)), shape: a.shape };
    const nchw = ssimBatch(a, b, { dataRange: 1, layout: 'NCHW' });
    expect(nchw.values[0]).toBeCloseTo(1, 12);
    expect(nchw.values[1]).toBeLessThan(1);
    expect(nchw.mean).toBeCloseTo((nchw.values[0]! + nchw.values[1]!) / 2, 15);
    const nhwc = ssimBatch(toNhwc(a), toNhwc(b), { dataRange: 1, layout: 'NHWC' });
    expect(nhwc.values[1]).toBeCloseTo(nchw.values[1]!, 14);
  });

  it('reads the shape according to the layout argument', () => {
    const a = nchwBatch();
    // Read as NHWC, [2, 2, 12, 12] is two 2×12 images with 12 channels: too small for the window.
    expect(() => ssimBatch(a, a, { dataRange: 1, layout: 'NHWC' })).toThrow(/at least 11×11 .* got 2×12/);
    expect(ssimBatch(a, a, { dataRange: 1, layout: 'NCHW' }).values).toHaveLength(2);
  });

  it('rejects flat layouts', () => {
    const a: Tensor = { data: new Float32Array(4), shape: [2, 2] };
    expect(() => ssimBatch(a, a, { dataRange: 1, layout: 'flat' })).toThrow(/NCHW or NHWC batch, got layout flat/);
  });
});
