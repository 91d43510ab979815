import type { ModelDescription } from '../adapter/contract.ts';
import type { FragilizeResult } from '../fragilize/fragilize.ts';
import type { JsonValue } from './metadata.ts';
import type { TriggerSet } from './triggerSet.ts';

export interface TriggerSetContext {
  /** Extra metadata from the caller (dataset, sample indices, image quality, ...); wins over the defaults. */
  readonly extra?: Readonly<Record<string, JsonValue>>;
  /** Used when the model does not name its classes. */
  readonly classNames?: readonly string[];
  readonly createdAt?: Date;
}

/** JSON metadata cannot hold Infinity (PSNR of an unchanged sample) or NaN. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * The trigger set a fragilization run stands for, with the metadata every producer
 * (CLI, worker, harness) records the same way, so `inspect` and enrolment can rely on it.
 */
export function triggerSetFromFragilization(
  result: FragilizeResult,
  description: ModelDescription,
  context: TriggerSetContext = {},
): TriggerSet {
  const count = result.samples.length;
  const margins = result.samples.map((s) => s.margin);
  const classNames =
    description.classNames ?? (context.classNames?.length === description.numClasses ? context.classNames : undefined);
  return {
    inputs: result.inputs,
    labels: result.labels,
    probabilities: result.probabilities,
    metadata: {
      modelFingerprint: description.fingerprint ?? '',
      modelRuntime: description.runtime,
      objective: result.settings.objective,
      epsilon: result.settings.epsilon,
      iterations: result.iterations,
      createdAt: (context.createdAt ?? new Date()).toISOString(),
      layout: description.layout,
      valueRange: description.valueRange,
      ...(classNames ? { classNames } : {}),
      extra: {
        preset: result.settings.preset,
        settings: { ...result.settings },
        gradient: result.gradientSource,
        queries: result.queries,
        originalLabels: Array.from(result.originalLabels),
        margins: margins.map(finiteOrNull),
        iterationsPerSample: result.samples.map((s) => s.iterations),
        tieClassesPerSample: result.samples.map((s) => s.tieClasses),
        ...(result.tieTop ? { tieTop: { ...result.tieTop, flips: result.tieTop.flips ? { ...result.tieTop.flips } : null } } : {}),
        meanMargin: finiteOrNull(margins.reduce((s, m) => s + m, 0) / Math.max(1, count)),
        meanMaxProbability: finiteOrNull(result.samples.reduce((s, x) => s + x.maxProbability, 0) / Math.max(1, count)),
        ...context.extra,
      },
    },
  };
}
