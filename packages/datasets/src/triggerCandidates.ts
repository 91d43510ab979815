import { argmaxRows, junctionDistances, junctionSpread, ModelSealError, predictAll, type FragilizeSettings, type GradientSource, type ModelAdapter } from '@modelseal/core';
import { selectSamples } from './select.ts';
import { toModelBatch } from './toModelBatch.ts';
import type { ImageSet } from './types.ts';

/**
 * `seeded` (default): the first correctly classified samples of a seeded class-balanced
 * shuffle. `junction-distance`: screen `pool` × count of those and keep the `count` whose
 * linearized minimum-norm distance to a `tieClasses`-class tie is smallest — the samples a
 * junction preset can make fragile with the smallest change.
 */
export type TriggerSelection =
  | { readonly kind: 'seeded' }
  | {
      readonly kind: 'junction-distance';
      readonly pool: number;
      /** How many of the pool (× count), nearest by log-probability spread, get exact distances; default: all. */
      readonly screen?: number;
      readonly tieClasses: number;
      readonly gradient?: GradientSource;
    };

export interface TriggerCandidates {
  /** Indices into the split. */
  readonly indices: number[];
  /** The chosen samples in the model's layout and value range. */
  readonly batch: { data: Float32Array; shape: number[] };
  /** Fraction of the screened samples the model classified correctly. */
  readonly screenedAccuracy: number;
  /** Gradient evaluations spent choosing the samples (0 for seeded selection). */
  readonly selectionGradientEvaluations: number;
  /** For `junction-distance` selection: the chosen samples' linearized distances, in order. */
  readonly distances?: number[];
  /** Correctly classified samples the choice was made from. */
  readonly poolSize: number;
  /** The next-ranked candidates after the chosen ones (as many as `spare` asked for and the pool holds). */
  readonly spares: { readonly indices: number[]; readonly batch: { data: Float32Array; shape: number[] } };
}

/**
 * Picks `count` samples the model classifies correctly (the paper starts from such
 * samples), class-balanced and reproducible from the seed. Screens a seeded shuffle in
 * chunks so that only a little more than `count` samples are ever sent to the model.
 * With `junction-distance` selection, the pool is `pool` × count correctly classified
 * samples (or every one there is, if fewer) and the `count` cheapest to tie are kept.
 * `spare` more candidates, next in the same order, come back as spares.
 */
export async function pickTriggerCandidates(
  adapter: ModelAdapter,
  images: ImageSet,
  options: { count: number; seed: number; spare?: number; signal?: AbortSignal; selection?: TriggerSelection },
): Promise<TriggerCandidates> {
  const description = adapter.describe();
  const selection = options.selection ?? { kind: 'seeded' };
  const spare = options.spare ?? 0;
  if (!Number.isInteger(spare) || spare < 0) throw new ModelSealError('INVALID_ARGUMENT', `spare candidates must be a non-negative integer, got ${spare}`);
  const wanted = selection.kind === 'seeded' ? options.count + spare : Math.max(options.count + spare, options.count * selection.pool);
  const order = selectSamples(images, { count: images.count, seed: options.seed, classBalanced: true });
  const chosen: number[] = [];
  // Forward-only log-probability spread of each chosen sample (junction-distance selection).
  const spreads: number[] = [];
  const n = description.numClasses;
  let screened = 0;
  let correct = 0;
  const chunk = Math.max(64, Math.ceil(wanted * 1.25));
  for (let start = 0; start < order.length && chosen.length < wanted; start += chunk) {
    const indices = order.slice(start, start + chunk);
    const batch = toModelBatch(images, description, indices);
    const probabilities = await predictAll(adapter, batch, options.signal);
    const predictions = argmaxRows(probabilities);
    indices.forEach((index, i) => {
      screened++;
      if (predictions[i] === images.labels[index]) {
        correct++;
        if (chosen.length < wanted) {
          chosen.push(index);
          if (selection.kind === 'junction-distance') spreads.push(junctionSpread(probabilities.data.subarray(i * n, (i + 1) * n), selection.tieClasses));
        }
      }
    });
  }
  if (chosen.length < options.count) {
    throw new ModelSealError(
      'DATASET',
      `only ${chosen.length} of ${images.count} samples are classified correctly by the model; asked for ${options.count}`,
    );
  }
  const screenedAccuracy = correct / screened;
  const sparesOf = (ranked: number[]): TriggerCandidates['spares'] => {
    const indices = ranked.slice(options.count, options.count + spare);
    return { indices, batch: toModelBatch(images, description, indices) };
  };
  if (selection.kind === 'seeded') {
    const indices = chosen.slice(0, options.count);
    return { indices, batch: toModelBatch(images, description, indices), screenedAccuracy, selectionGradientEvaluations: 0, poolSize: chosen.length, spares: sparesOf(chosen) };
  }
  // Exact distances only for the samples whose top-k log-probabilities lie closest together.
  const screenSize = Math.min(chosen.length, Math.max(options.count + spare, options.count * (selection.screen ?? selection.pool)));
  const shortlist = chosen
    .map((index, position) => ({ index, position, spread: spreads[position]! }))
    .sort((a, b) => a.spread - b.spread || a.position - b.position)
    .slice(0, screenSize)
    .sort((a, b) => a.position - b.position)
    .map((c) => c.index);
  const scored = await junctionDistances({
    adapter,
    inputs: toModelBatch(images, description, shortlist),
    tieClasses: selection.tieClasses,
    ...(selection.gradient ? { gradient: selection.gradient } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const k = scored.tieClasses;
  // Cheapest first; equal distances keep the seeded order, so the choice stays reproducible.
  const ranked = shortlist
    .map((index, position) => ({ index, position, distance: scored.distances[position]![k - 2]! }))
    .sort((a, b) => a.distance - b.distance || a.position - b.position);
  const kept = ranked.slice(0, options.count);
  const indices = kept.map((r) => r.index);
  return {
    indices,
    batch: toModelBatch(images, description, indices),
    screenedAccuracy,
    selectionGradientEvaluations: scored.gradientEvaluations,
    distances: kept.map((r) => r.distance),
    poolSize: chosen.length,
    spares: sparesOf(ranked.map((r) => r.index)),
  };
}

/** The candidate selection a fragilization preset (or resolved settings) asks for. */
export function triggerSelectionFor(
  settings: Pick<FragilizeSettings, 'selection' | 'selectionPool' | 'selectionScreen' | 'tieClasses'>,
  gradient?: GradientSource,
): TriggerSelection {
  if (settings.selection === 'seeded') return { kind: 'seeded' };
  return {
    kind: 'junction-distance',
    pool: settings.selectionPool,
    screen: settings.selectionScreen,
    tieClasses: settings.tieClasses,
    ...(gradient ? { gradient } : {}),
  };
}
