import { ModelSealError, type Layout } from '@modelseal/core';
import type { ModelInfo } from './graph/model-info.ts';

/**
 * The per-sample input shape: the model's dims after the batch, with symbolic ones
 * taken from the config. A config shape that contradicts a fixed dim is refused.
 */
export function resolveSampleShape(info: ModelInfo, configured: readonly number[] | undefined, label: string): number[] {
  const fromModel = info.inputDims.slice(1);
  if (configured) {
    const conflict =
      configured.length !== fromModel.length || fromModel.some((dim, i) => dim !== undefined && dim !== configured[i]);
    if (conflict) {
      throw new ModelSealError(
        'INVALID_CONFIG',
        `inputShape [${configured.join(', ')}] does not fit ${label}, whose input "${info.inputName}" is [N, ${fromModel.map((d) => d ?? '?').join(', ')}]`,
      );
    }
    return [...configured];
  }
  if (fromModel.some((dim) => dim === undefined)) {
    throw new ModelSealError(
      'INVALID_CONFIG',
      `${label} leaves input dimensions symbolic ([N, ${fromModel.map((d) => d ?? '?').join(', ')}]); give the sample shape in the config as inputShape`,
    );
  }
  return fromModel as number[];
}

const CHANNEL_COUNTS = new Set([1, 3]);

/** Images with 1 or 3 leading channels are NCHW (PyTorch exports); other images are NHWC. */
export function detectLayout(sampleShape: readonly number[]): Layout {
  if (sampleShape.length !== 3) return 'flat';
  return CHANNEL_COUNTS.has(sampleShape[0]!) ? 'NCHW' : 'NHWC';
}
