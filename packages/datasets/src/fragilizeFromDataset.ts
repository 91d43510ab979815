import {
  exactGradient,
  fragilize,
  gatherRows,
  PROBE_BATCH_SIZE,
  Random,
  replaceSamples,
  resolveSettings,
  type FragilizeOptions,
  type FragilizeProgress,
  type FragilizeResult,
  type LabelledBatch,
  type ModelAdapter,
  type Tensor,
} from '@modelseal/core';
import { pickTriggerCandidates, triggerSelectionFor, type TriggerCandidates } from './triggerCandidates.ts';
import { toModelBatch } from './toModelBatch.ts';
import type { ImageSet } from './types.ts';

export interface FragilizeFromDatasetOptions extends Omit<FragilizeOptions, 'adapter' | 'inputs' | 'onProgress' | 'recordTrace'> {
  readonly count: number;
  readonly seed: number;
  /**
   * `round` 0 is the first pass over all `count` samples; later rounds fragilize spares in
   * place of the `replacing` samples that ended outside the margin band.
   */
  readonly onProgress?: (progress: FragilizeProgress, round: { readonly round: number; readonly replacing: number }) => void;
  /** Called once the candidates are chosen, before fragilization starts. */
  readonly onCandidates?: (candidates: TriggerCandidates) => void | Promise<void>;
  /**
   * Normal labelled images (the training split) for the `probe` tie top's fine-tune; a seeded
   * subset of `probeSteps` × PROBE_BATCH_SIZE of them is converted. Without them `probe` keeps the runner-up.
   */
  readonly probeImages?: ImageSet;
}

export interface FragilizedFromDataset {
  readonly result: FragilizeResult;
  /** Split indices of the kept samples, in the result's order (replacements included). */
  readonly indices: number[];
  readonly candidates: TriggerCandidates;
  /** Samples that ended outside the band and were swapped for a spare that reached it. */
  readonly replaced: number;
}

/**
 * Chooses `count` candidates from a split as the settings ask (with `spareCandidates` ×
 * count spares), fragilizes them, and then fragilizes spares, round by round, for samples
 * that ended outside the margin band: such a sample keeps its label under almost any change,
 * so it only dilutes the trigger set. A spare that misses the band too leaves the original.
 */
export async function fragilizeFromDataset(adapter: ModelAdapter, images: ImageSet, options: FragilizeFromDatasetOptions): Promise<FragilizedFromDataset> {
  const { count, seed, onProgress, onCandidates, probeImages, ...fragilizeOptions } = options;
  const settings = resolveSettings(fragilizeOptions);
  const gradient = options.gradient ?? exactGradient(adapter);
  const candidates = await pickTriggerCandidates(adapter, images, {
    count,
    seed,
    spare: Math.ceil(settings.spareCandidates * count),
    selection: triggerSelectionFor(settings, gradient),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await onCandidates?.(candidates);
  const probeData = settings.method === 'junction' && settings.tieTop === 'probe' && probeImages ? probeBatch(adapter, probeImages, settings.probeSteps, seed) : undefined;
  // Spares take the class on top that the first round's probe settled on.
  const run = (inputs: Tensor, round: number, replacing: number, settled?: FragilizeResult['tieTop']): Promise<FragilizeResult> =>
    fragilize({
      ...fragilizeOptions,
      ...(settled ? { tieTop: settled.chosen } : probeData ? { probeData } : {}),
      adapter,
      inputs,
      gradient,
      seed,
      ...(onProgress ? { onProgress: (p: FragilizeProgress) => onProgress(p, { round, replacing }) } : {}),
    });

  let result = await run(candidates.batch, 0, count);
  const settled = result.tieTop;
  const indices = [...candidates.indices];
  const spares = candidates.spares;
  let nextSpare = 0;
  let replaced = 0;
  let round = 0;
  let outside = positionsOutsideBand(result);
  while (outside.length > 0 && nextSpare < spares.indices.length) {
    round++;
    const take = Math.min(outside.length, spares.indices.length - nextSpare);
    const rows = Array.from({ length: take }, (_, i) => nextSpare + i);
    const batch = gatherRows(spares.batch, rows);
    const spareIndices = rows.map((r) => spares.indices[r]!);
    nextSpare += take;
    const attempt = await run(batch, round, take, settled);
    const accepted = attempt.samples.flatMap((sample, i) => (sample.converged ? [i] : []));
    const positions = accepted.map((i) => outside[i]!);
    // Costs count whether or not a spare made it; only the rows of those that did are swapped in.
    result = replaceSamples(result, positions, attempt, accepted);
    positions.forEach((position, k) => (indices[position] = spareIndices[accepted[k]!]!));
    replaced += positions.length;
    outside = positionsOutsideBand(result);
  }
  return { result, indices, candidates, replaced };
}

/** A seeded subset of the labelled images, as many as the probe's batches draw, in the model's layout. */
function probeBatch(adapter: ModelAdapter, images: ImageSet, steps: number, seed: number): LabelledBatch {
  const take = Math.min(images.count, steps * PROBE_BATCH_SIZE);
  const picks = new Random(seed ^ 0x5eed7007).shuffle(Array.from({ length: images.count }, (_, i) => i)).slice(0, take);
  return { images: toModelBatch(images, adapter.describe(), picks), labels: Int32Array.from(picks, (i) => images.labels[i]!) };
}

function positionsOutsideBand(result: FragilizeResult): number[] {
  return result.samples.flatMap((sample, i) => (sample.converged ? [] : [i]));
}
