import type { ModelAdapter } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { chunkRows, concatRows, type Tensor } from '../tensor/tensor.ts';

export interface GradientResult {
  /** `Jᵀ · cotangent` per sample, shape of the inputs. */
  readonly gradient: Tensor;
  /** Probabilities at the inputs, `[N, numClasses]`. */
  readonly probabilities: Tensor;
  /** Samples sent to the model to get this result (N for exact gradients, more for estimates). */
  readonly queries: number;
}

/** Anything that can pull a cotangent back through the model: exact vjp or a zeroth-order estimate. */
export interface GradientSource {
  readonly name: string;
  compute(inputs: Tensor, cotangent: Tensor, signal?: AbortSignal): Promise<GradientResult>;
}

/** Exact gradients from a white-box adapter, split into the adapter's batch limit. */
export function exactGradient(adapter: ModelAdapter): GradientSource {
  const vjp = adapter.vjp?.bind(adapter);
  if (!vjp) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `adapter "${adapter.kind}" has no exact gradients (vjp); use a zeroth-order estimator (gradient: nes or spsa)`,
    );
  }
  const description = adapter.describe();
  const maxRows = description.maxBatchSize ?? 256;
  return {
    name: 'exact',
    async compute(inputs, cotangent, signal) {
      const inputChunks = chunkRows(inputs, maxRows);
      const cotangentChunks = chunkRows(cotangent, maxRows);
      const gradients: Tensor[] = [];
      const probabilities: Tensor[] = [];
      for (let i = 0; i < inputChunks.length; i++) {
        const result = await vjp(inputChunks[i]!, cotangentChunks[i]!, signal ? { signal } : undefined);
        gradients.push(result.gradient);
        probabilities.push(result.probabilities);
      }
      return {
        gradient: concatRows(gradients, description.inputShape),
        probabilities: concatRows(probabilities, [description.numClasses]),
        queries: inputs.shape[0] ?? 0,
      };
    },
  };
}

/** Probabilities for any number of rows, respecting the adapter's batch limit. */
export async function predictAll(adapter: ModelAdapter, inputs: Tensor, signal?: AbortSignal): Promise<Tensor> {
  const description = adapter.describe();
  const parts: Tensor[] = [];
  for (const chunk of chunkRows(inputs, description.maxBatchSize ?? 256)) {
    parts.push(await adapter.predict(chunk, signal ? { signal } : undefined));
  }
  return concatRows(parts, [description.numClasses]);
}
