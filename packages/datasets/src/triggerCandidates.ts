import { argmaxRows, junctionDistances, ModelSealError, predictAll, type FragilizeSettings, type GradientSource, type ModelAdapter } from '@modelseal/core';
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
  | { readonly kind: 'junction-distance'; readonly pool: number; readonly tieClasses: number; readonly gradient?: GradientSource };

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
}

/**
 * Picks `count` samples the model classifies correctly (the paper starts from such
 * samples), class-balanced and reproducible from the seed. Screens a seeded shuffle in
 * chunks so that only a little more than `count` samples are ever sent to the model.
 * With `junction-distance` selection, the pool is `pool` × count correctly classified
 * samples (or every one there is, if fewer) and the `count` cheapest to tie are kept.
 */
export async function pickTriggerCandidates(
  adapter: ModelAdapter,
  images: ImageSet,
  options: { count: number; seed: number; signal?: AbortSignal; selection?: TriggerSelection },
): Promise<TriggerCandidates> {
  const description = adapter.describe();
  const selection = options.selection ?? { kind: 'seeded' };
  const wanted = selection.kind === 'seeded' ? options.count : options.count * selection.pool;
  const order = selectSamples(images, { count: images.count, seed: options.seed, classBalanced: true });
  const chosen: number[] = [];
  let screened = 0;
  let correct = 0;
  const chunk = Math.max(64, Math.ceil(wanted * 1.25));
  for (let start = 0; start < order.length && chosen.length < wanted; start += chunk) {
    const indices = order.slice(start, start + chunk);
    const batch = toModelBatch(images, description, indices);
    const predictions = argmaxRows(await predictAll(adapter, batch, options.signal));
    indices.forEach((index, i) => {
      screened++;
      if (predictions[i] === images.labels[index]) {
        correct++;
        if (chosen.length < wanted) chosen.push(index);
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
  if (selection.kind === 'seeded') {
    return { indices: chosen, batch: toModelBatch(images, description, chosen), screenedAccuracy, selectionGradientEvaluations: 0, poolSize: chosen.length };
  }
  const scored = await junctionDistances({
    adapter,
    inputs: toModelBatch(images, description, chosen),
    tieClasses: selection.tieClasses,
    ...(selection.gradient ? { gradient: selection.gradient } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const k = scored.tieClasses;
  // Cheapest first; equal distances keep the seeded order, so the choice stays reproducible.
  const ranked = chosen
    .map((index, position) => ({ index, position, distance: scored.distances[position]![k - 2]! }))
    .sort((a, b) => a.distance - b.distance || a.position - b.position)
    .slice(0, options.count);
  const indices = ranked.map((r) => r.index);
  return {
    indices,
    batch: toModelBatch(images, description, indices),
    screenedAccuracy,
    selectionGradientEvaluations: scored.gradientEvaluations,
    distances: ranked.map((r) => r.distance),
    poolSize: chosen.length,
  };
}

/** The candidate selection a fragilization preset (or resolved settings) asks for. */
export function triggerSelectionFor(
  settings: Pick<FragilizeSettings, 'selection' | 'selectionPool' | 'tieClasses'>,
  gradient?: GradientSource,
): TriggerSelection {
  if (settings.selection === 'seeded') return { kind: 'seeded' };
  return { kind: 'junction-distance', pool: settings.selectionPool, tieClasses: settings.tieClasses, ...(gradient ? { gradient } : {}) };
}
