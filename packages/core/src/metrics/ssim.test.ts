import { describe, expect, it } from 'vitest';
import type { MetricImage } from './image.ts';
import { gaussianKernel1d, ssim } from './ssim.ts';

function constant(value: number, height = 12, width = 13): MetricImage {
  return { data: new Float32Array(height * width).fill(value), height, width, channels: 1, layout: 'HWC' };
}

/** The images of fixtures/ssim_reference.py: 16×20×3, HWC. */
function referenceImages(): [MetricImage, MetricImage] {
  const [height, width, channels] = [16, 20, 3];
  const a = new Float32Array(height * width * channels);
  const b = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        a[i] = ((y * 31 + x * 17 + c * 7) % 23) / 22;
        b[i] = (((y * 13 + x * 29 + c * 5) % 19) / 18) * 0.3 + a[i]! * 0.7;
      }
    }
  }
  const image = (data: Float32Array): MetricImage => ({ data, height, width, channels, layout: 'HWC' });
  return [image(a), image(b)];
}

function toChw(image: MetricImage): MetricImage {
  const { height, width, channels } = image;
  const data = new Float32Array(image.data.length);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < height * width; p++) data[c * height * width + p] = image.data[p * channels + c]!;
  }
  return { ...image, data, layout: 'CHW' };
}

function channel(image: MetricImage, c: number): MetricImage {
  const data = new Float32Array(image.height * image.width).map((_, p) => image.data[p * image.channels + c]!);
  return { ...image, data, channels: 1 };
}

describe('gaussianKernel1d', () => {
  it('matches a hand computation for σ = 1, radius 1', () => {
    // weights e^-0.5, 1, e^-0.5 divided by 1 + 2e^-0.5
    const side = Math.exp(-0.5) / (1 + 2 * Math.exp(-0.5));
    const kernel = gaussianKernel1d(1, 1);
    expect(kernel[0]).toBeCloseTo(0.27406861906119695, 15);
    expect(kernel[0]).toBeCloseTo(side, 15);
    expect(kernel[1]).toBeCloseTo(0.45186276187760605, 15);
    expect(kernel[2]).toBe(kernel[0]);
    expect(kernel[0]! + kernel[1]! + kernel[2]!).toBeCloseTo(1, 15);
  });

  it('gives the 11 symmetric taps SSIM uses, summing to 1', () => {
    const kernel = gaussianKernel1d(1.5, 5);
    expect(kernel.length).toBe(11);
    expect(kernel.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 15);
    for (let i = 0; i < 5; i++) expect(kernel[i]).toBe(kernel[10 - i]);
    // ratio of neighbouring weights is exp(-(2x+1)/(2σ²))
    expect(kernel[6]! / kernel[5]!).toBeCloseTo(Math.exp(-1 / 4.5), 15);
  });
});

describe('ssim', () => {
  it('is 1 for identical images', () => {
    const [a] = referenceImages();
    expect(ssim(a, { ...a, data: a.data.slice() }, { dataRange: 1 })).toBeCloseTo(1, 12);
  });

  it('is (2ab + C1) / (a² + b² + C1) for constant images with means a and b', () => {
    const c1 = (0.01 * 1) ** 2;
    const expected = (2 * 0.25 * 0.75 + c1) / (0.25 ** 2 + 0.75 ** 2 + c1);
    expect(ssim(constant(0.25), constant(0.75), { dataRange: 1 })).toBeCloseTo(expected, 12);
  });

  it('matches scikit-image (reference values from fixtures/ssim_reference.py)', () => {
    const [a, b] = referenceImages();
    expect(ssim(a, b, { dataRange: 1 })).toBeCloseTo(0.8817870637785753, 12);
    expect(ssim(channel(a, 0), channel(b, 0), { dataRange: 1 })).toBeCloseTo(0.8676712031079241, 12);
    expect(ssim(channel(a, 1), channel(b, 1), { dataRange: 1 })).toBeCloseTo(0.9065125695344791, 12);
    expect(ssim(channel(a, 0), channel(b, 1), { dataRange: 1 })).toBeCloseTo(-0.28317301740806516, 12);
    expect(ssim(channel(a, 0), channel(b, 1), { dataRange: 4 })).toBeCloseTo(-0.1773105509949027, 12);
  });

  it('gives the same value for CHW and HWC storage of the same image', () => {
    const [a, b] = referenceImages();
    expect(ssim(toChw(a), toChw(b), { dataRange: 1 })).toBeCloseTo(ssim(a, b, { dataRange: 1 }), 14);
  });

  it('is symmetric', () => {
    const [a, b] = referenceImages();
    expect(ssim(a, b, { dataRange: 1 })).toBe(ssim(b, a, { dataRange: 1 }));
  });

  it('is negative for a zero-mean pattern against its negation', () => {
    const image = constant(0, 14, 15);
    const data = image.data.map((_, i) => ((Math.floor(i / 15) + (i % 15)) % 2 === 0 ? 0.5 : -0.5));
    const negated = data.map((v) => -v);
    expect(ssim({ ...image, data }, { ...image, data: negated }, { dataRange: 1 })).toBeLessThan(-0.9);
  });

  it('rejects images smaller than the window, of different sizes, or with a bad data range', () => {
    expect(() => ssim(constant(0, 10, 12), constant(0, 10, 12), { dataRange: 1 })).toThrow(/at least 11×11/);
    expect(() => ssim(constant(0, 12, 12), constant(0, 12, 13), { dataRange: 1 })).toThrow(/differ in size/);
    expect(() => ssim(constant(0), constant(0), { dataRange: -1 })).toThrow(/data range/);
    expect(() => ssim({ ...constant(0), channels: 2 }, constant(0), { dataRange: 1 })).toThrow(/needs 312 values/);
  });
});
