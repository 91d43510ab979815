import type { WeightAccess, WeightInfo } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { ChangeTally, selectWeights, type AttackReport } from './report.ts';

export type PruneScope = 'global' | 'per-tensor';

export interface PruneOptions {
  /** Share of the weights in scope to set to zero, in [0, 1]; ⌊fraction · count⌋ weights are zeroed. */
  readonly fraction: number;
  /** Rank magnitudes across all tensors at once (default) or within each tensor. */
  readonly scope?: PruneScope;
  /**
   * Prune trained parameters only (default true): zeroing a batch-norm running
   * variance divides by ε and is a model breakage, not magnitude pruning.
   */
  readonly trainableOnly?: boolean;
}

export interface PruneReport extends AttackReport {
  /** Weights set to zero, including ones that already were zero. */
  readonly pruned: number;
}

/**
 * Zeroes the `count` values of smallest |w| across `tensors`. Ties at the
 * threshold are broken by tensor order then index, so exactly `count` values are
 * zeroed and the result does not depend on the sort algorithm.
 */
function zeroSmallest(tensors: readonly Float32Array[], count: number): void {
  if (count === 0) return;
  const total = tensors.reduce((sum, values) => sum + values.length, 0);
  const magnitudes = new Float32Array(total);
  let offset = 0;
  for (const values of tensors) {
    for (let i = 0; i < values.length; i++) magnitudes[offset + i] = Math.abs(values[i]!);
    offset += values.length;
  }
  magnitudes.sort();
  const threshold = magnitudes[count - 1]!;
  let below = 0;
  for (let i = 0; i < count; i++) if (magnitudes[i]! < threshold) below++;
  let tiesLeft = count - below;
  for (const values of tensors) {
    for (let i = 0; i < values.length; i++) {
      const magnitude = Math.abs(values[i]!);
      if (magnitude < threshold) values[i] = 0;
      else if (magnitude === threshold && tiesLeft > 0) {
        values[i] = 0;
        tiesLeft--;
      }
    }
  }
}

/** ⌊fraction · n⌋, immune to products such as 0.29 · 100 = 28.999999999999996. */
function countOf(fraction: number, n: number): number {
  return Math.floor(Math.round(fraction * n * 1e6) / 1e6);
}

/** Magnitude pruning: sets the smallest `fraction` of the weights (by |w|) to zero, in place. */
export async function pruneSmallest(weights: WeightAccess, options: PruneOptions): Promise<PruneReport> {
  const { fraction } = options;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new ModelSealError('INVALID_ARGUMENT', `prune fraction must be a number in [0, 1], got ${fraction}`);
  }
  const scope = options.scope ?? 'global';
  if (scope !== 'global' && scope !== 'per-tensor') {
    throw new ModelSealError('INVALID_ARGUMENT', `prune scope must be "global" or "per-tensor", got ${JSON.stringify(scope)}`);
  }
  const infos: WeightInfo[] = await selectWeights(weights, options.trainableOnly ?? true);
  const before: Float32Array[] = [];
  for (const info of infos) before.push(await weights.read(info.name));
  const after = before.map((values) => values.slice());
  let pruned = 0;
  if (scope === 'global') {
    const count = countOf(fraction, after.reduce((sum, values) => sum + values.length, 0));
    zeroSmallest(after, count);
    pruned = count;
  } else {
    for (const values of after) {
      const count = countOf(fraction, values.length);
      zeroSmallest([values], count);
      pruned += count;
    }
  }
  const tally = new ChangeTally();
  for (const [i, info] of infos.entries()) {
    await weights.write(info.name, after[i]!);
    tally.add(before[i]!, after[i]!);
  }
  return { ...tally.report(), pruned };
}
