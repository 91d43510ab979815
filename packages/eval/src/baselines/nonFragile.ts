import { argmaxRows, predictAll, type ModelAdapter } from '@modelseal/core';
import { toModelBatch, type ImageSet } from '@modelseal/datasets';
import type { TriggerSamples } from './types.ts';

/**
 * The paper's non-fragile baseline: plain test images the model classifies correctly,
 * over the whole test set (Tables 4-9), so a fraction of a percent is measurable.
 */
export async function nonFragileSamples(adapter: ModelAdapter, test: ImageSet): Promise<TriggerSamples> {
  const started = performance.now();
  const all = toModelBatch(test, adapter.describe());
  const predicted = argmaxRows(await predictAll(adapter, all));
  const kept: number[] = [];
  predicted.forEach((label, i) => {
    if (label === test.labels[i]) kept.push(i);
  });
  const inputs = toModelBatch(test, adapter.describe(), kept);
  const labels = Int32Array.from(kept, (i) => test.labels[i]!);
  return { inputs, labels, originals: inputs, gradientEvaluations: 0, durationMs: performance.now() - started };
}
