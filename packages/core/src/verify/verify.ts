import type { ModelAdapter } from '../adapter/contract.ts';
import { ModelSealError, throwIfAborted } from '../errors.ts';
import { assertBatchShape, chunkRows, concatRows, topTwo, type Tensor } from '../tensor/tensor.ts';

export type VerifyMode = 'label' | 'probability';

export interface VerifyOptions {
  readonly adapter: ModelAdapter;
  readonly inputs: Tensor;
  readonly labels: Int32Array;
  /** Probabilities recorded at enrolment; required for probability mode. */
  readonly probabilities?: Tensor;
  readonly mode?: VerifyMode;
  /** Largest allowed |p − p_recorded| per class in probability mode. */
  readonly tolerance?: number;
  /** Samples per request; defaults to the adapter's batch limit. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ChangedSample {
  readonly index: number;
  readonly expectedLabel: number;
  readonly observedLabel: number;
  /** Largest per-class probability difference to the recorded vector (probability mode). */
  readonly maxDelta?: number;
}

export interface VerifyReport {
  readonly mode: VerifyMode;
  /** True when no sample changed (Algorithm 2). */
  readonly intact: boolean;
  /** Paper eq. 5: (# labels that differ) / N. */
  readonly changeRate: number;
  /** Samples whose label changed or (probability mode) whose vector moved beyond the tolerance. */
  readonly changed: readonly ChangedSample[];
  readonly labelChanges: number;
  readonly total: number;
  readonly queries: number;
  readonly requests: number;
  readonly durationMs: number;
  readonly tolerance?: number;
  /** Largest per-class probability difference over all samples (probability mode). */
  readonly maxDelta?: number;
  readonly observedLabels: Int32Array;
  readonly observedProbabilities: Tensor;
}

export const DEFAULT_PROBABILITY_TOLERANCE = 1e-4;

/**
 * Paper Algorithm 2: query the model with the trigger inputs and compare each top-1 label
 * with the stored one. Probability mode also compares whole vectors, which catches
 * changes too small to flip a label, for endpoints that return probabilities.
 */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const { adapter, inputs, labels, signal } = options;
  const mode = options.mode ?? 'label';
  const description = adapter.describe();
  const total = assertBatchShape(inputs, description.inputShape, 'trigger inputs');
  if (labels.length !== total) {
    throw new ModelSealError('INPUT_SHAPE', `trigger set has ${total} inputs but ${labels.length} labels`);
  }
  const n = description.numClasses;
  const tolerance = options.tolerance ?? DEFAULT_PROBABILITY_TOLERANCE;
  if (mode === 'probability') {
    if (!options.probabilities) {
      throw new ModelSealError('INVALID_ARGUMENT', 'probability mode needs the recorded probabilities of the trigger set');
    }
    if (options.probabilities.shape[0] !== total || options.probabilities.shape[1] !== n) {
      throw new ModelSealError(
        'MODEL_MISMATCH',
        `trigger set records ${options.probabilities.shape[1]} classes but the model has ${n}`,
      );
    }
    if (!(tolerance >= 0)) throw new ModelSealError('INVALID_ARGUMENT', `tolerance must be ≥ 0, got ${tolerance}`);
  }
  const batchSize = options.batchSize ?? description.maxBatchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ModelSealError('INVALID_ARGUMENT', `batch size must be a positive integer, got ${batchSize}`);
  }

  const parts: Tensor[] = [];
  let done = 0;
  for (const chunk of chunkRows(inputs, batchSize)) {
    throwIfAborted(signal);
    parts.push(await adapter.predict(chunk, signal ? { signal } : undefined));
    done += chunk.shape[0] ?? 0;
    options.onProgress?.(done, total);
  }
  const observed = concatRows(parts, [n]);
  const observedLabels = new Int32Array(total);
  const changed: ChangedSample[] = [];
  let labelChanges = 0;
  let maxDelta = 0;
  for (let i = 0; i < total; i++) {
    const row = observed.data.subarray(i * n, (i + 1) * n);
    const observedLabel = topTwo(row).index;
    observedLabels[i] = observedLabel;
    const expectedLabel = labels[i]!;
    const labelChanged = observedLabel !== expectedLabel;
    if (labelChanged) labelChanges++;
    let delta: number | undefined;
    if (mode === 'probability') {
      delta = 0;
      for (let c = 0; c < n; c++) {
        delta = Math.max(delta, Math.abs(row[c]! - options.probabilities!.data[i * n + c]!));
      }
      maxDelta = Math.max(maxDelta, delta);
    }
    if (labelChanged || (delta !== undefined && delta > tolerance)) {
      changed.push({ index: i, expectedLabel, observedLabel, ...(delta !== undefined ? { maxDelta: delta } : {}) });
    }
  }
  return {
    mode,
    intact: changed.length === 0,
    changeRate: labelChanges / total,
    changed,
    labelChanges,
    total,
    queries: total,
    requests: parts.length,
    durationMs: performance.now() - started,
    ...(mode === 'probability' ? { tolerance, maxDelta } : {}),
    observedLabels,
    observedProbabilities: observed,
  };
}
