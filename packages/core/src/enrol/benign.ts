/**
 * False alarms: how much an *unmodified* model's answers move under benign changes of
 * the serving setup (batch size, batch composition, thread count, backend, repeated
 * queries). Fragile samples sit right on a decision boundary, so this noise is what a
 * trigger set must stay clear of.
 */
import type { ModelAdapter } from '../adapter/contract.ts';
import { ModelSealError, throwIfAborted } from '../errors.ts';
import { assertBatchShape, gatherRows, topTwo, type Tensor } from '../tensor/tensor.ts';
import { Random } from '../util/random.ts';

/** One benign way of querying the model. */
export interface BenignVariant {
  /** Shown in reports, e.g. "batch-1", "shuffled", "backend-cpu". */
  readonly name: string;
  /** The model as this variant runs it (e.g. the same file on another backend or thread count). */
  readonly adapter: ModelAdapter;
  /** Samples per request; default: as many as the adapter takes at once (the whole set when it has no limit). */
  readonly batchSize?: number;
  /**
   * Random order and random request sizes (seeded, different on every repeat), so each
   * sample is computed next to different neighbours. `batchSize` then caps the request size.
   */
  readonly shuffle?: boolean;
}

export interface MeasureBenignVariationOptions {
  readonly variants: readonly BenignVariant[];
  /** Trigger inputs `[N, ...inputShape]`. */
  readonly inputs: Tensor;
  /** Reference top-1 labels (the ones recorded in the trigger set), `[N]`. */
  readonly labels: Int32Array;
  /** Reference probabilities (the ones recorded in the trigger set), `[N, numClasses]`. */
  readonly probabilities: Tensor;
  /** Times each variant queries the whole set (repeated queries are themselves a variation); default 3. */
  readonly repeats?: number;
  /** Seed of the shuffled orders and request sizes; default 0. */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Called after each pass over the set; `total` is variants × repeats. */
  readonly onProgress?: (done: number, total: number, variant: string) => void;
}

export interface VariantVariation {
  readonly name: string;
  /** `describe().runtime` of the variant's adapter. */
  readonly runtime: string;
  /** Requested batch size, or undefined for the adapter's own limit. */
  readonly batchSize?: number;
  readonly shuffle: boolean;
  /** Indices of samples whose top-1 label differed from the reference in at least one repeat (ascending). */
  readonly labelFlips: readonly number[];
  /** Largest per-class |p − p_reference| over all samples and repeats. */
  readonly maxDelta: number;
  /** Largest |Δp| per sample over this variant's repeats, `[N]`. */
  readonly perSampleMaxDelta: Float64Array;
  readonly queries: number;
  readonly requests: number;
}

export interface BenignVariation {
  readonly total: number;
  readonly repeats: number;
  readonly variants: readonly VariantVariation[];
  /** Union of the variants' label flips (ascending). */
  readonly labelFlips: readonly number[];
  /** Largest |Δp| over every variant, repeat and sample: the observed noise floor. */
  readonly maxDelta: number;
  /** Largest |Δp| per sample over every variant and repeat, `[N]`. */
  readonly perSampleMaxDelta: Float64Array;
  readonly durationMs: number;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ModelSealError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Splits `order` into consecutive requests: fixed size, or random sizes in [1, cap] when `random` is given. */
function plan(order: readonly number[], cap: number, random: Random | undefined): number[][] {
  const requests: number[][] = [];
  for (let start = 0; start < order.length; ) {
    const size = random ? 1 + random.int(cap) : cap;
    requests.push(order.slice(start, start + size));
    start += size;
  }
  return requests;
}

/**
 * Queries the unmodified model with the trigger inputs under each variant, `repeats`
 * times, and compares every answer with the reference: label flips and the largest
 * per-class probability change, per variant and overall.
 */
export async function measureBenignVariation(options: MeasureBenignVariationOptions): Promise<BenignVariation> {
  const started = performance.now();
  const { variants, inputs, labels, probabilities, signal } = options;
  const repeats = positiveInteger(options.repeats ?? 3, 'repeats');
  if (variants.length === 0) throw new ModelSealError('INVALID_ARGUMENT', 'measuring benign variation needs at least one variant');
  const total = inputs.shape[0] ?? 0;
  if (total === 0) throw new ModelSealError('INVALID_ARGUMENT', 'measuring benign variation needs at least one sample');
  if (labels.length !== total) {
    throw new ModelSealError('INPUT_SHAPE', `trigger set has ${total} inputs but ${labels.length} labels`);
  }
  const n = probabilities.shape[1] ?? 0;
  if (probabilities.shape.length !== 2 || probabilities.shape[0] !== total || probabilities.data.length !== total * n) {
    throw new ModelSealError('INPUT_SHAPE', `reference probabilities must be [${total}, numClasses], got [${probabilities.shape.join(', ')}]`);
  }
  const random = new Random(options.seed ?? 0);
  const identity = Array.from({ length: total }, (_, i) => i);
  const overall = new Float64Array(total);
  const results: VariantVariation[] = [];
  let passes = 0;

  for (const variant of variants) {
    const description = variant.adapter.describe();
    assertBatchShape(inputs, description.inputShape, `trigger inputs (variant "${variant.name}")`);
    if (description.numClasses !== n) {
      throw new ModelSealError('MODEL_MISMATCH', `variant "${variant.name}": the model has ${description.numClasses} classes but the reference records ${n}`);
    }
    const limit = description.maxBatchSize ?? total;
    const cap = Math.min(total, limit, variant.batchSize === undefined ? limit : positiveInteger(variant.batchSize, `batch size of variant "${variant.name}"`));
    const perSample = new Float64Array(total);
    const flipped = new Set<number>();
    let queries = 0;
    let requests = 0;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const requestPlan = variant.shuffle ? plan(random.shuffle(identity), cap, random) : plan(identity, cap, undefined);
      for (const indices of requestPlan) {
        throwIfAborted(signal);
        const output = await variant.adapter.predict(gatherRows(inputs, indices), signal ? { signal } : undefined);
        if (output.shape[0] !== indices.length || output.shape[1] !== n || output.data.length !== indices.length * n) {
          throw new ModelSealError('MODEL_OUTPUT', `variant "${variant.name}" returned shape [${output.shape.join(', ')}] for ${indices.length} samples`);
        }
        requests++;
        queries += indices.length;
        indices.forEach((sample, r) => {
          const row = output.data.subarray(r * n, (r + 1) * n);
          if (topTwo(row).index !== labels[sample]) flipped.add(sample);
          let delta = 0;
          for (let c = 0; c < n; c++) delta = Math.max(delta, Math.abs(row[c]! - probabilities.data[sample * n + c]!));
          if (Number.isNaN(delta)) {
            throw new ModelSealError('NON_FINITE', `variant "${variant.name}" returned a non-finite probability for sample ${sample}`);
          }
          perSample[sample] = Math.max(perSample[sample]!, delta);
        });
      }
      passes++;
      options.onProgress?.(passes, variants.length * repeats, variant.name);
    }
    perSample.forEach((d, i) => (overall[i] = Math.max(overall[i]!, d)));
    results.push({
      name: variant.name,
      runtime: description.runtime,
      ...(variant.batchSize !== undefined ? { batchSize: variant.batchSize } : {}),
      shuffle: variant.shuffle ?? false,
      labelFlips: [...flipped].sort((a, b) => a - b),
      maxDelta: perSample.reduce((m, d) => Math.max(m, d), 0),
      perSampleMaxDelta: perSample,
      queries,
      requests,
    });
  }
  const allFlips = new Set(results.flatMap((r) => r.labelFlips));
  return {
    total,
    repeats,
    variants: results,
    labelFlips: [...allFlips].sort((a, b) => a - b),
    maxDelta: overall.reduce((m, d) => Math.max(m, d), 0),
    perSampleMaxDelta: overall,
    durationMs: performance.now() - started,
  };
}
