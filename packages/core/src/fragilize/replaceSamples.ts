import { ModelSealError } from '../errors.ts';
import { sizeOf, type Tensor } from '../tensor/tensor.ts';
import type { FragilizeResult } from './fragilize.ts';

/**
 * `base` with its samples at `positions` replaced by the rows of `replacement` (one row per
 * position, in order). Costs add up: the replaced samples' gradients and queries were spent
 * too, so a per-sample figure stays honest. The trace is dropped because its rows would mix
 * two runs of different lengths.
 */
export function replaceSamples(base: FragilizeResult, positions: readonly number[], replacement: FragilizeResult): FragilizeResult {
  const count = base.labels.length;
  if (replacement.labels.length !== positions.length) {
    throw new ModelSealError('INVALID_ARGUMENT', `replaceSamples: ${positions.length} positions but ${replacement.labels.length} replacement samples`);
  }
  if (new Set(positions).size !== positions.length || positions.some((p) => !Number.isInteger(p) || p < 0 || p >= count)) {
    throw new ModelSealError('INVALID_ARGUMENT', `replaceSamples: positions must be distinct indices below ${count}`);
  }
  const swap = (target: Tensor, source: Tensor): Tensor => {
    const row = sizeOf(target.shape.slice(1));
    if (sizeOf(source.shape.slice(1)) !== row) {
      throw new ModelSealError('INPUT_SHAPE', `replaceSamples: replacement rows have shape [${source.shape.slice(1).join(', ')}], expected [${target.shape.slice(1).join(', ')}]`);
    }
    const data = target.data.slice();
    positions.forEach((position, i) => data.set(source.data.subarray(i * row, (i + 1) * row), position * row));
    return { data, shape: [...target.shape] };
  };
  const labels = base.labels.slice();
  const originalLabels = base.originalLabels.slice();
  const samples = [...base.samples];
  positions.forEach((position, i) => {
    labels[position] = replacement.labels[i]!;
    originalLabels[position] = replacement.originalLabels[i]!;
    samples[position] = replacement.samples[i]!;
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
