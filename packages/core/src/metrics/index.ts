export { psnr } from './psnr.ts';
export { SSIM_K1, SSIM_K2, SSIM_SIGMA, SSIM_WINDOW, gaussianKernel1d, ssim } from './ssim.ts';
export type { SsimOptions } from './ssim.ts';
export { batchImages } from './image.ts';
export type { ImageLayout, MetricImage } from './image.ts';
export { psnrBatch, ssimBatch } from './batch.ts';
export type { BatchMetricOptions, MetricSummary, SsimBatchOptions } from './batch.ts';
