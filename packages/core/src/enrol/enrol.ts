/**
 * Enrolment: query the deployed model under benign variations, drop the samples whose
 * answer is not stable, and record the observed noise floor and the probability-mode
 * tolerance derived from it in the trigger set's metadata.
 */
import { ModelSealError } from '../errors.ts';
import { gatherRows, topTwo, type Tensor } from '../tensor/tensor.ts';
import type { JsonValue, TriggerSetMetadata } from '../triggerset/metadata.ts';
import type { TriggerSet } from '../triggerset/triggerSet.ts';
import { measureBenignVariation, type BenignVariant, type BenignVariation } from './benign.ts';

export const DEFAULT_SAFETY_FACTOR = 10;
export const DEFAULT_MIN_TOLERANCE = 1e-6;
export const DEFAULT_ENROL_REPEATS = 3;

/** Keys of `metadata.extra` that hold one value per sample (written by fragilize) and are filtered with the samples. */
export const PER_SAMPLE_EXTRA_KEYS = ['sampleIndices', 'originalLabels', 'margins', 'iterationsPerSample'] as const;

/** The samples to enrol: a whole trigger set, or just its tensors (then the result has no `triggerSet`). */
export interface EnrolSamples {
  readonly inputs: Tensor;
  readonly labels: Int32Array;
  readonly probabilities: Tensor;
  readonly metadata?: TriggerSetMetadata;
}

export interface EnrolOptions {
  readonly triggerSet: EnrolSamples;
  readonly variants: readonly BenignVariant[];
  /** Passes of each variant over the set; default 3. */
  readonly repeats?: number;
  readonly seed?: number;
  /** probabilityTolerance = max(minTolerance, safetyFactor × noise floor); default 10. */
  readonly safetyFactor?: number;
  /** Default 1e-6: a runtime that reproduces itself bit for bit still gets a small tolerance. */
  readonly minTolerance?: number;
  /** Keep at most this many stable samples (the first ones, in their original order). */
  readonly keep?: number;
  /** Further per-sample arrays in `extra` to filter, besides PER_SAMPLE_EXTRA_KEYS. */
  readonly perSampleKeys?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, variant: string) => void;
}

export type DropReason = 'label-flip' | 'margin';

export interface DroppedSample {
  /** Index in the set given to `enrol`. */
  readonly index: number;
  readonly reason: DropReason;
  /** Top-1 minus top-2 of the recorded probabilities. */
  readonly margin: number;
  /** Largest benign |Δp| this sample showed. */
  readonly maxDelta: number;
}

export interface EnrolResult {
  readonly inputs: Tensor;
  readonly labels: Int32Array;
  readonly probabilities: Tensor;
  /** The input's `metadata.extra` filtered to the kept samples and enriched with the enrolment record. */
  readonly extra: Record<string, JsonValue>;
  /** The enrolled trigger set, when the input had metadata. */
  readonly triggerSet?: TriggerSet;
  /** Indices (in the input set) of the samples kept, ascending. */
  readonly kept: readonly number[];
  /** Unstable samples that were removed. */
  readonly dropped: readonly DroppedSample[];
  /** Stable samples left out because of `keep`. */
  readonly surplus: readonly number[];
  /** Largest benign |Δp| observed (over every sample, variant and repeat). */
  readonly noiseFloor: number;
  readonly probabilityTolerance: number;
  readonly variation: BenignVariation;
}

function marginsOf(probabilities: Tensor): Float64Array {
  const [rows = 0, n = 0] = probabilities.shape;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const { top1, top2 } = topTwo(probabilities.data.subarray(r * n, (r + 1) * n));
    out[r] = n > 1 ? top1 - top2 : top1;
  }
  return out;
}

/** JSON has no Infinity/NaN; durations and deltas are finite, but be safe. */
function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/**
 * Queries the target under the given benign variants and returns a trigger set without
 * the unstable samples: any label flip, or a largest |Δp| of at least half the sample's
 * own margin (a change that large could flip it). `extra` gains `noiseFloor`,
 * `probabilityTolerance` (which probability-mode verification uses) and `enrolment`.
 */
export async function enrol(options: EnrolOptions): Promise<EnrolResult> {
  const { triggerSet } = options;
  const safetyFactor = options.safetyFactor ?? DEFAULT_SAFETY_FACTOR;
  const minTolerance = options.minTolerance ?? DEFAULT_MIN_TOLERANCE;
  if (!(safetyFactor >= 1) || !Number.isFinite(safetyFactor)) {
    throw new ModelSealError('INVALID_ARGUMENT', `safety factor must be a finite number ≥ 1, got ${safetyFactor}`);
  }
  if (!(minTolerance >= 0) || !Number.isFinite(minTolerance)) {
    throw new ModelSealError('INVALID_ARGUMENT', `minimum tolerance must be a finite number ≥ 0, got ${minTolerance}`);
  }
  if (options.keep !== undefined && (!Number.isInteger(options.keep) || options.keep < 1)) {
    throw new ModelSealError('INVALID_ARGUMENT', `keep must be a positive integer, got ${options.keep}`);
  }
  const variation = await measureBenignVariation({
    variants: options.variants,
    inputs: triggerSet.inputs,
    labels: triggerSet.labels,
    probabilities: triggerSet.probabilities,
    ...(options.repeats !== undefined ? { repeats: options.repeats } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const total = variation.total;
  const margins = marginsOf(triggerSet.probabilities);
  const flips = new Set(variation.labelFlips);
  const dropped: DroppedSample[] = [];
  const stable: number[] = [];
  for (let i = 0; i < total; i++) {
    const maxDelta = variation.perSampleMaxDelta[i]!;
    const margin = margins[i]!;
    if (flips.has(i)) dropped.push({ index: i, reason: 'label-flip', margin, maxDelta });
    else if (maxDelta >= margin / 2) dropped.push({ index: i, reason: 'margin', margin, maxDelta });
    else stable.push(i);
  }
  if (stable.length === 0) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `every one of the ${total} samples was unstable under benign variation (noise floor ${variation.maxDelta.toExponential(2)}); fragilize again with a larger minimum margin, or check that this is the model the set was made for`,
    );
  }
  const kept = options.keep === undefined ? stable : stable.slice(0, options.keep);
  const surplus = stable.slice(kept.length);
  const noiseFloor = variation.maxDelta;
  const probabilityTolerance = Math.max(minTolerance, safetyFactor * noiseFloor);

  const inputs = gatherRows(triggerSet.inputs, kept);
  const labels = Int32Array.from(kept, (i) => triggerSet.labels[i]!);
  const probabilities = gatherRows(triggerSet.probabilities, kept);
  const extra = filterExtra(triggerSet.metadata?.extra ?? {}, kept, total, [...PER_SAMPLE_EXTRA_KEYS, ...(options.perSampleKeys ?? [])]);
  if (Array.isArray(extra.margins)) {
    const values = extra.margins.filter((m): m is number => typeof m === 'number');
    if (values.length > 0 && 'meanMargin' in extra) extra.meanMargin = values.reduce((s, m) => s + m, 0) / values.length;
  }
  if ('meanMaxProbability' in extra) {
    const n = probabilities.shape[1] ?? 0;
    let sum = 0;
    for (let r = 0; r < kept.length; r++) sum += topTwo(probabilities.data.subarray(r * n, (r + 1) * n)).top1;
    extra.meanMaxProbability = sum / kept.length;
  }
  extra.noiseFloor = noiseFloor;
  extra.probabilityTolerance = probabilityTolerance;
  extra.enrolment = {
    date: new Date().toISOString(),
    samplesBefore: total,
    samplesAfter: kept.length,
    repeats: variation.repeats,
    seed: options.seed ?? 0,
    safetyFactor,
    minTolerance,
    variants: variation.variants.map((v) => ({
      name: v.name,
      runtime: v.runtime,
      batchSize: v.batchSize ?? null,
      shuffle: v.shuffle,
      labelFlips: v.labelFlips.length,
      maxDelta: finite(v.maxDelta),
    })),
    dropped: dropped.map((d) => d.index),
    droppedReasons: dropped.map((d) => d.reason),
    ...(surplus.length > 0 ? { surplus } : {}),
  };
  const result = {
    inputs,
    labels,
    probabilities,
    extra,
    kept,
    dropped,
    surplus,
    noiseFloor,
    probabilityTolerance,
    variation,
  };
  if (triggerSet.metadata === undefined) return result;
  return { ...result, triggerSet: { inputs, labels, probabilities, metadata: { ...triggerSet.metadata, extra } } };
}

/** A copy of `extra` with the per-sample arrays (of length `total`) cut down to `kept`. */
function filterExtra(
  extra: Readonly<Record<string, JsonValue>>,
  kept: readonly number[],
  total: number,
  perSampleKeys: readonly string[],
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { ...extra };
  for (const key of perSampleKeys) {
    const value = out[key];
    if (Array.isArray(value) && value.length === total) out[key] = kept.map((i) => value[i] as JsonValue);
  }
  return out;
}
