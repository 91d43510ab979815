/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004), computed the way
 * scikit-image's `structural_similarity(im1, im2, data_range=R,
 * gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
 * channel_axis=...)` does, so numbers can be compared with the paper's and with
 * Python tooling.
 *
 * scikit-image filters with an 11×11 Gaussian (σ = 1.5, truncate 3.5) using
 * reflect padding and then crops (11 − 1) / 2 = 5 pixels from every side before
 * averaging. A pixel at least 5 pixels from the border only sees real pixels
 * through an 11-tap window, so the cropped result is exactly a "valid"
 * correlation and the padding never matters; that is what is computed here.
 * Arithmetic is float64 (scikit-image uses float32 for float32 inputs, which
 * moves results by about 1e-6).
 */
import { ModelSealError } from '../errors.ts';
import { assertDataRange, assertImage, channelPlane } from './image.ts';
import type { MetricImage } from './image.ts';

export const SSIM_SIGMA = 1.5;
export const SSIM_WINDOW = 11;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

/**
 * Normalised 1-D Gaussian weights at offsets −radius…radius, as scipy.ndimage
 * builds them: `exp(−x² / 2σ²)` divided by their sum.
 */
export function gaussianKernel1d(sigma: number, radius: number): Float64Array {
  if (!(sigma > 0) || !Number.isSafeInteger(radius) || radius < 0) {
    throw new ModelSealError('INVALID_ARGUMENT', `gaussian kernel needs sigma > 0 and an integer radius ≥ 0`);
  }
  const weights = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    const x = i - radius;
    weights[i] = Math.exp((-0.5 * x * x) / (sigma * sigma));
    sum += weights[i]!;
  }
  for (let i = 0; i < weights.length; i++) weights[i]! /= sum;
  return weights;
}

const KERNEL = gaussianKernel1d(SSIM_SIGMA, (SSIM_WINDOW - 1) / 2);

export interface SsimOptions {
  /** Width of the range pixel values can take (hi − lo of the model's value range). */
  readonly dataRange: number;
}

/** Mean SSIM over channels, each the mean of the SSIM map over the valid region. */
export function ssim(a: MetricImage, b: MetricImage, options: SsimOptions): number {
  assertDataRange(options.dataRange);
  assertImage(a, 'ssim first image');
  assertImage(b, 'ssim second image');
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `ssim: images differ in size: ${a.height}×${a.width}×${a.channels} vs ${b.height}×${b.width}×${b.channels}`,
    );
  }
  if (a.height < SSIM_WINDOW || a.width < SSIM_WINDOW) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `ssim: images must be at least ${SSIM_WINDOW}×${SSIM_WINDOW} for the Gaussian window, got ${a.height}×${a.width}`,
    );
  }
  let total = 0;
  for (let c = 0; c < a.channels; c++) {
    total += ssimPlane(channelPlane(a, c), channelPlane(b, c), a.height, a.width, options.dataRange);
  }
  const result = total / a.channels;
  if (!Number.isFinite(result)) {
    throw new ModelSealError('NON_FINITE', 'ssim: images contain NaN or infinite values');
  }
  return result;
}

function ssimPlane(x: Float64Array, y: Float64Array, height: number, width: number, dataRange: number): number {
  const c1 = (SSIM_K1 * dataRange) ** 2;
  const c2 = (SSIM_K2 * dataRange) ** 2;
  const products = (f: (p: number, q: number) => number): Float64Array => x.map((p, i) => f(p, y[i]!));
  const ux = filterValid(x, height, width);
  const uy = filterValid(y, height, width);
  const uxx = filterValid(products((p) => p * p), height, width);
  const uyy = filterValid(products((_p, q) => q * q), height, width);
  const uxy = filterValid(products((p, q) => p * q), height, width);

  let sum = 0;
  for (let i = 0; i < ux.length; i++) {
    const mx = ux[i]!;
    const my = uy[i]!;
    // Population (co)variances, as in Wang et al. (use_sample_covariance=False).
    const vx = uxx[i]! - mx * mx;
    const vy = uyy[i]! - my * my;
    const vxy = uxy[i]! - mx * my;
    sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
  }
  return sum / ux.length;
}

/** Separable Gaussian correlation keeping only outputs whose window lies inside the image. */
function filterValid(plane: Float64Array, height: number, width: number): Float64Array {
  const taps = KERNEL.length;
  const outHeight = height - taps + 1;
  const outWidth = width - taps + 1;
  // Along columns first, then rows, the order scipy.ndimage.gaussian_filter uses.
  const columns = new Float64Array(outHeight * width);
  for (let r = 0; r < outHeight; r++) {
    for (let col = 0; col < width; col++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += KERNEL[k]! * plane[(r + k) * width + col]!;
      columns[r * width + col] = acc;
    }
  }
  const out = new Float64Array(outHeight * outWidth);
  for (let r = 0; r < outHeight; r++) {
    for (let col = 0; col < outWidth; col++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += KERNEL[k]! * columns[r * width + col + k]!;
      out[r * outWidth + col] = acc;
    }
  }
  return out;
}
