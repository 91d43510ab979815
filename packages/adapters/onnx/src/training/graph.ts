import type { InferenceSession } from 'onnxruntime-node';
import { ModelSealError, sizeOf, throwIfAborted } from '@modelseal/core';
import type { TrainedParameter, WeightGradientModel } from '../grad/weight-gradients.ts';
import { releaseSession, runFloat, type FloatFeed } from '../runtime/session.ts';

export interface TrainingRun {
  /** The model's output for each row, [rows × classes]. */
  readonly output: Float32Array;
  /** Gradient of Σ targets·(−log p) for each trained weight, in `parameters` order, summed over the rows. */
  readonly gradients: Float32Array[];
}

export interface TrainingGraphParts {
  readonly session: InferenceSession;
  readonly model: WeightGradientModel;
  readonly sampleShape: readonly number[];
  readonly classes: number;
  /** The batch size the file fixes, when it does not leave the batch symbolic. */
  readonly fixedBatch: number | undefined;
  readonly chunkRows: number;
  /** Runs a task after every earlier call on the adapter, so the session is never released mid-run. */
  readonly exclusive: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * One ONNX Runtime session of the model with weight gradients. The trained weights
 * are inputs, so every run takes the caller's current values: an SGD loop feeds its
 * updated Float32Arrays and never rebuilds the session.
 */
export class TrainingGraph {
  readonly #parts: TrainingGraphParts;
  #released = false;

  constructor(parts: TrainingGraphParts) {
    this.#parts = parts;
  }

  get parameters(): readonly TrainedParameter[] {
    return this.#parts.model.parameters;
  }

  /**
   * Runs `rows` samples with their cross-entropy targets (one-hot rows scaled by the
   * weight of each sample in the loss), split into chunks of at most the adapter's
   * batch size; the chunks' gradients are summed.
   */
  async run(images: Float32Array, rows: number, targets: Float32Array, values: readonly Float32Array[], signal?: AbortSignal): Promise<TrainingRun> {
    const { model, classes, chunkRows, sampleShape } = this.#parts;
    const sampleSize = sizeOf(sampleShape);
    const output = new Float32Array(rows * classes);
    let gradients: Float32Array[] | undefined;
    const names = [model.outputName, ...model.parameters.map((p) => p.gradientName)];
    for (let start = 0; start < rows; start += chunkRows) {
      throwIfAborted(signal);
      const count = Math.min(chunkRows, rows - start);
      // Padding rows (for a file with a fixed batch) get zero targets, so they add nothing to the gradients.
      const padded = this.#parts.fixedBatch ?? count;
      const feeds: Record<string, FloatFeed> = {
        [model.inputName]: { data: rowSlice(images, start, count, sampleSize, padded), dims: [padded, ...sampleShape] },
        [model.seedName]: { data: rowSlice(targets, start, count, classes, padded), dims: [padded, classes] },
      };
      model.parameters.forEach((p, i) => {
        feeds[p.name] = { data: values[i]!, dims: p.dims };
      });
      const [out, ...parts] = await this.#parts.exclusive(() => {
        if (this.#released) {
          // The adapter replaced this session: a frozen tensor was written, or the adapter was disposed, mid-training.
          throw new ModelSealError('DISPOSED', 'the fine-tuning graph was released while it was in use; start the fine-tune again');
        }
        return runFloat(this.#parts.session, feeds, names);
      });
      output.set(out!.data.subarray(0, count * classes), start * classes);
      if (!gradients) {
        gradients = parts.map((part) => (part.data instanceof Float32Array ? part.data : Float32Array.from(part.data)));
      } else {
        gradients.forEach((sum, i) => {
          const part = parts[i]!.data;
          for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! + part[k]!;
        });
      }
    }
    return { output, gradients: gradients ?? model.parameters.map((p) => new Float32Array(sizeOf(p.dims))) };
  }

  async release(): Promise<void> {
    this.#released = true;
    await releaseSession(this.#parts.session);
  }
}

/** Rows [start, start + count) of a row-major array, zero-padded to `rows` rows, in a buffer of its own (ORT may read the whole buffer). */
function rowSlice(data: Float32Array, start: number, count: number, rowSize: number, rows: number): Float32Array {
  const out = new Float32Array(rows * rowSize);
  out.set(data.subarray(start * rowSize, (start + count) * rowSize));
  return out;
}
