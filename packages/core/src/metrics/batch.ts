/** PSNR and SSIM for every pair of samples in two batches (originals vs fragile samples). */
import type { Layout } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { formatShape, row } from '../tensor/tensor.ts';
import { batchImages } from './image.ts';
import { psnr } from './psnr.ts';
import { ssim } from './ssim.ts';

export interface MetricSummary {
  /** One value per sample, in batch order. */
  readonly values: readonly number[];
  /** Arithmetic mean of `values` (Infinity for PSNR when any pair is identical). */
  readonly mean: number;
}

export interface BatchMetricOptions {
  /** Width of the model's value range (hi − lo). */
  readonly dataRange: number;
}

export interface SsimBatchOptions extends BatchMetricOptions {
  /** Layout of both batches, as the model describes it. */
  readonly layout: Layout;
}

export function psnrBatch(a: Tensor, b: Tensor, options: BatchMetricOptions): MetricSummary {
  const rows = assertSameBatch(a, b, 'psnr');
  return summarize(Array.from({ length: rows }, (_, i) => psnr(row(a, i), row(b, i), options.dataRange)));
}

export function ssimBatch(a: Tensor, b: Tensor, options: SsimBatchOptions): MetricSummary {
  assertSameBatch(a, b, 'ssim');
  const first = batchImages(a, options.layout, 'ssim first batch');
  const second = batchImages(b, options.layout, 'ssim second batch');
  return summarize(first.map((image, i) => ssim(image, second[i]!, { dataRange: options.dataRange })));
}

function assertSameBatch(a: Tensor, b: Tensor, metric: string): number {
  const same = a.shape.length === b.shape.length && a.shape.every((dim, i) => dim === b.shape[i]);
  if (!same || a.shape.length < 2) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${metric}: batches must be [N, ...] of equal shape, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const rows = a.shape[0]!;
  if (rows === 0) throw new ModelSealError('INVALID_ARGUMENT', `${metric}: batches are empty`);
  return rows;
}

function summarize(values: number[]): MetricSummary {
  return { values, mean: values.reduce((sum, v) => sum + v, 0) / values.length };
}
