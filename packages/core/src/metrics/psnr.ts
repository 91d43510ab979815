/** Peak signal-to-noise ratio, as scikit-image's `peak_signal_noise_ratio`. */
import { ModelSealError } from '../errors.ts';
import { assertDataRange } from './image.ts';

/**
 * PSNR in dB: `10·log10(R² / MSE)` with `R = dataRange` (e.g. 1 for inputs in
 * [0, 1], the width of the model's value range in general). Identical inputs give
 * Infinity. Layout does not matter, only that both hold the same values in the
 * same order.
 */
export function psnr(a: Float32Array, b: Float32Array, dataRange: number): number {
  assertDataRange(dataRange);
  if (a.length !== b.length || a.length === 0) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `psnr: inputs must be non-empty and of equal length, got ${a.length} and ${b.length} values`,
    );
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  if (!Number.isFinite(sum)) {
    throw new ModelSealError('NON_FINITE', 'psnr: inputs contain NaN or infinite values');
  }
  if (sum === 0) return Infinity;
  return 10 * Math.log10((dataRange * dataRange) / (sum / a.length));
}
