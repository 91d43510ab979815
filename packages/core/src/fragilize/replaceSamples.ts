import { ModelSealError } from '../errors.ts';
import { sizeOf, type Tensor } from '../tensor/tensor.ts';
import type { FragilizeResult } from './fragilize.ts';

/**
 * `base` with its samples at `positions` replaced by the rows `chosen` of `replacement` (by
 * default all its rows in order, one per position). Costs add up, for every row of `replacement`
 * whether swapped in or not: its gradients and queries were spent, so a per-sample figure stays
 * honest. The trace is dropped because its rows would mix two runs of different lengths.
 */
export function replaceSamples(
  base: FragilizeResult,
  positions: readonly number[],
  replacement: FragilizeResult,
  chosen?: readonly number[],
): FragilizeResult {
  const count = base.labels.length;
  const available = replacement.labels.length;
  const rows = chosen ?? positions.map((_, i) => i);
  const offered = chosen ? chosen.length : available;
  if (offered !== positions.length) {
    throw new ModelSealError('INVALID_ARGUMENT', `replaceSamples: ${positions.length} positions but ${offered} replacement samples`);
  }
  if (new Set(positions).size !== positions.length || positions.some((p) => !Number.isInteger(p) || p < 0 || p >= count)) {
    throw new ModelSealError('INVALID_ARGUMENT', `replaceSamples: positions must be distinct indices below ${count}`);
  }
  if (rows.some((r) => !Number.isInteger(r) || r < 0 || r >= available)) {
    throw new ModelSealError('INVALID_ARGUMENT', `replaceSamples: replacement rows must be indices below ${available}`);
  }
  const swap = (target: Tensor, source: Tensor): Tensor => {
    const row = sizeOf(target.shape.slice(1));
    if (sizeOf(source.shape.slice(1)) !== row) {
      throw new ModelSealError('INPUT_SHAPE', `replaceSamples: replacement rows have shape [${source.shape.slice(1).join(', ')}], expected [${target.shape.slice(1).join(', ')}]`);
    }
    const data = target.data.slice();
    positions.forEach((position, i) => data.set(source.data.subarray(rows[i]! * row, (rows[i]! + 1) * row), position * row));
    return { data, shape: [...target.shape] };
  };
  const labels = base.labels.slice();
  const originalLabels = base.originalLabels.slice();
  const samples = [...base.samples];
  positions.forEach((position, i) => {
    labels[position] = replacement.labels[rows[i]!]!;
    originalLabels[position] = replacement.originalLabels[rows[i]!]!;
    samples[position] = replacement.samples[rows[i]!]!;
  });
  const { trace: _dropped, ...rest } = base;
  return {
    ...rest,
    inputs: swap(base.inputs, replacement.inputs),
    labels,
    probabilities: swap(base.probabilities, replacement.probabilities),
    originalInputs: swap(base.originalInputs, replacement.originalInputs),
    originalLabels,
    samples,
    iterations: Math.max(base.iterations, replacement.iterations),
    gradientEvaluations: base.gradientEvaluations + replacement.gradientEvaluations,
    queries: base.queries + replacement.queries,
    durationMs: base.durationMs + replacement.durationMs,
  };
}
