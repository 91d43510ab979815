import { psnrBatch, ssimBatch, type ModelDescription, type Tensor } from '@modelseal/core';

export interface ImageQuality {
  readonly meanPsnr: number;
  readonly meanSsim: number;
  readonly psnr: readonly number[];
  readonly ssim: readonly number[];
}

/** PSNR/SSIM of fragile samples against their originals, in the model's own value range. */
export function imageQuality(original: Tensor, fragile: Tensor, description: ModelDescription): ImageQuality {
  const dataRange = description.valueRange[1] - description.valueRange[0];
  const psnr = psnrBatch(original, fragile, { dataRange });
  // SSIM is defined on images; a flat feature vector has no neighbourhoods.
  const ssim = description.layout === 'flat' ? { values: [], mean: Number.NaN } : ssimBatch(original, fragile, { dataRange, layout: description.layout });
  return { meanPsnr: psnr.mean, meanSsim: ssim.mean, psnr: psnr.values, ssim: ssim.values };
}
