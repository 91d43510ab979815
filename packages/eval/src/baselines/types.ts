import type { Tensor } from '@modelseal/core';

/** Trigger samples of one method, in the model's layout and value range. */
export interface TriggerSamples {
  readonly inputs: Tensor;
  /** Labels the intact model gives them; verification compares against these. */
  readonly labels: Int32Array;
  /** The natural images the samples were made from, when there are any (for PSNR/SSIM). */
  readonly originals?: Tensor;
  readonly gradientEvaluations: number;
  readonly durationMs: number;
}
