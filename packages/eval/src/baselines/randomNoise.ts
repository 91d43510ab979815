import { argmaxRows, ModelSealError, predictAll, Random, sizeOf, type ModelAdapter } from '@modelseal/core';
import type { TriggerSamples } from './types.ts';

/** The paper's random baseline: images of i.i.d. uniform values over the model's input range. */
export async function randomNoiseSamples(adapter: ModelAdapter, options: { count: number; seed: number }): Promise<TriggerSamples> {
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new ModelSealError('INVALID_ARGUMENT', `random baseline needs a positive integer count, got ${options.count}`);
  }
  const started = performance.now();
  const { inputShape, valueRange } = adapter.describe();
  const [lo, hi] = valueRange;
  const random = new Random(options.seed);
  const data = new Float32Array(options.count * sizeOf(inputShape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random.next();
  const inputs = { data, shape: [options.count, ...inputShape] };
  const labels = argmaxRows(await predictAll(adapter, inputs));
  return { inputs, labels, gradientEvaluations: 0, durationMs: performance.now() - started };
}
