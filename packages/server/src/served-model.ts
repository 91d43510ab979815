import {
  chunkRows,
  concatRows,
  formatShape,
  isModelSealError,
  sizeOf,
  type ModelAdapter,
  type ModelDescription,
  type Tensor,
} from '@modelseal/core';
import { HttpError } from './http-error.ts';
import { SerialQueue } from './serial.ts';

/** Client-caused adapter failures; every other adapter failure is the server's (500). */
const CLIENT_ERROR_CODES = new Set(['INPUT_SHAPE', 'INVALID_ARGUMENT']);

/** One adapter as the HTTP layer sees it: a name, a version and a serialised predict. */
export class ServedModel {
  readonly name: string;
  readonly version: string;
  readonly description: ModelDescription;
  readonly #adapter: ModelAdapter;
  readonly #queue = new SerialQueue();

  constructor(adapter: ModelAdapter, name: string, version: string) {
    this.#adapter = adapter;
    this.name = name;
    this.version = version;
    this.description = adapter.describe();
  }

  /** Throws 404 unless `name` (and `version`, when the path names one) is this model. */
  assertAddressed(name: string, version: string | undefined): void {
    if (name !== this.name) {
      throw new HttpError(404, `model '${name}' is not served here (this server serves '${this.name}')`);
    }
    if (version !== undefined && version !== this.version) {
      throw new HttpError(
        404,
        `model '${name}' has no version '${version}' (this server serves version '${this.version}')`,
      );
    }
  }

  /** Checks that `shape` is `[N, ...inputShape]` and returns N. */
  batchSize(shape: readonly number[], where: string): number {
    const expected = this.description.inputShape;
    const ok = shape.length === expected.length + 1 && expected.every((dim, i) => shape[i + 1] === dim);
    if (!ok) {
      throw new HttpError(
        400,
        `${where} has shape ${formatShape(shape)} but model '${this.name}' expects [N, ${expected.join(', ')}]`,
      );
    }
    return shape[0]!;
  }

  async predict(batch: Tensor, signal?: AbortSignal): Promise<Tensor> {
    const numClasses = this.description.numClasses;
    const rows = batch.shape[0] ?? 0;
    if (rows === 0) return { data: new Float32Array(0), shape: [0, numClasses] };
    if (batch.data.length !== rows * sizeOf(this.description.inputShape)) {
      throw new HttpError(400, `input has ${batch.data.length} values, which does not match shape ${formatShape(batch.shape)}`);
    }
    const limit = this.description.maxBatchSize ?? rows;
    try {
      return await this.#queue.run(async () => {
        const parts: Tensor[] = [];
        for (const chunk of chunkRows(batch, Math.max(1, limit))) {
          parts.push(await this.#adapter.predict(chunk, signal ? { signal } : undefined));
        }
        return concatRows(parts, [numClasses]);
      });
    } catch (error) {
      if (isModelSealError(error) && CLIENT_ERROR_CODES.has(error.code)) throw new HttpError(400, error.message);
      throw error;
    }
  }
}
