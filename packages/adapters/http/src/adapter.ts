import {
  assertBatchShape,
  chunkRows,
  concatRows,
  ModelSealError,
  type AdapterContext,
  type Layout,
  type ModelAdapter,
  type ModelDescription,
  type OutputKind,
  type PredictOptions,
  type Tensor,
} from '@modelseal/core';
import { AddressGuard } from './address-guard.ts';
import { RemoteClient } from './client.ts';
import { ERROR_CODES } from './codes.ts';
import { httpAdapterConfigSchema, type HttpAdapterConfig, type HttpAdapterConfigInput } from './config.ts';
import { parseModelUrl } from './model-url.ts';
import { assertFinite, looksLikeProbabilities, toProbabilities } from './output.ts';
import { connectOip } from './protocols/oip.ts';
import type { ProtocolSession } from './protocols/session.ts';
import { connectTfServing } from './protocols/tfserving.ts';
import type { BackoffPolicy } from './retry.ts';

/** Knobs that are not part of the user-facing config. */
export interface HttpAdapterInternals {
  readonly backoff?: BackoffPolicy;
}

/** A guess good enough for the common image shapes; the config's `layout` overrides it. */
export function guessLayout(inputShape: readonly number[]): Layout {
  const channels = new Set([1, 3, 4]);
  if (inputShape.length === 3) {
    if (channels.has(inputShape[0]!) && !channels.has(inputShape[2]!)) return 'NCHW';
    if (channels.has(inputShape[2]!)) return 'NHWC';
  }
  return 'flat';
}

export function parseHttpAdapterConfig(config: unknown): HttpAdapterConfig {
  const parsed = httpAdapterConfigSchema.safeParse(config);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(config)'}: ${issue.message}`)
      .join('; ');
    throw new ModelSealError(ERROR_CODES.config, `invalid config for adapter "http": ${details}`);
  }
  return parsed.data;
}

/** Runs `task` on every item with at most `limit` in flight, keeping the input order; starts nothing new once `stop` is aborted. */
async function mapConcurrent<T, R>(items: readonly T[], limit: number, stop: AbortSignal, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop.aborted) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (stop.aborted) throw stop.reason;
  return results;
}

/**
 * A remote probability oracle (Open Inference Protocol v2 or TensorFlow
 * Serving) as a black-box ModelAdapter: predict only, no gradients, no weights.
 */
export class HttpAdapter implements ModelAdapter {
  readonly kind = 'http';
  readonly #config: HttpAdapterConfig;
  readonly #client: RemoteClient;
  readonly #session: ProtocolSession;
  readonly #description: Omit<ModelDescription, 'outputKind'>;
  readonly #batchLimit: number;
  readonly #lifetime = new AbortController();
  readonly #log: ((message: string) => void) | undefined;
  #outputKind: OutputKind | undefined;
  #samples = 0;
  #requests = 0;
  #disposed = false;

  private constructor(config: HttpAdapterConfig, client: RemoteClient, session: ProtocolSession, log?: (message: string) => void) {
    this.#config = config;
    this.#client = client;
    this.#session = session;
    this.#log = log;
    this.#outputKind = config.outputKind === 'auto' ? undefined : config.outputKind;
    const { signature } = session;
    this.#batchLimit = Math.min(config.maxBatchSize, signature.maxBatchSize ?? Infinity);
    const platform = signature.platform ? `, ${signature.platform}` : '';
    this.#description = {
      inputShape: signature.inputShape,
      layout: config.layout ?? guessLayout(signature.inputShape),
      valueRange: config.valueRange,
      numClasses: signature.numClasses,
      runtime: `remote ${client.target.protocol}${platform} at ${client.target.display}`,
    };
  }

  /** Validates the config, checks the address, waits for the server to be ready and reads the model's shapes. */
  static async create(config: HttpAdapterConfigInput, context?: AdapterContext, internals?: HttpAdapterInternals): Promise<HttpAdapter> {
    const parsed = parseHttpAdapterConfig(config);
    const target = parseModelUrl(parsed.url, parsed.protocol, parsed.modelVersion);
    const guard = new AddressGuard({ allowPrivate: parsed.allowPrivate, allowHosts: parsed.allowHosts });
    const client = new RemoteClient({
      target,
      headers: parsed.headers,
      timeoutMs: parsed.timeoutMs,
      retries: parsed.retries,
      guard,
      ...(internals?.backoff ? { backoff: internals.backoff } : {}),
    });
    try {
      const session = await (target.protocol === 'oip-v2' ? connectOip : connectTfServing)(client, parsed);
      const adapter = new HttpAdapter(parsed, client, session, context?.log);
      const { inputShape, numClasses } = session.signature;
      context?.log?.(
        `http adapter: ${target.protocol} model '${target.modelName}' at ${target.display}, input [${inputShape.join(', ')}], ${numClasses} classes`,
      );
      return adapter;
    } catch (error) {
      client.dispose();
      throw error;
    }
  }

  describe(): ModelDescription {
    // Until the first answer shows otherwise, assume the common case for a remote oracle.
    return { ...this.#description, outputKind: this.#outputKind ?? 'probabilities' };
  }

  /** Samples sent to the server so far, counting every attempt (a retried request is sent again). */
  queryCount(): number {
    return this.#samples;
  }

  /** Inference requests sent so far, retries included. */
  requestCount(): number {
    return this.#requests;
  }

  async predict(batch: Tensor, options?: PredictOptions): Promise<Tensor> {
    if (this.#disposed) throw new ModelSealError('DISPOSED', `http adapter for ${this.#client.target.display} was disposed`);
    const rows = assertBatchShape(batch, this.#description.inputShape, `http adapter (${this.#client.target.display})`);
    const numClasses = this.#description.numClasses;
    if (rows === 0) return { data: new Float32Array(0), shape: [0, numClasses] };
    const bad = batch.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const sample = Math.floor(bad / (batch.data.length / rows));
      throw new ModelSealError('NON_FINITE', `input sample ${sample} contains ${batch.data[bad]}; JSON cannot carry it to ${this.#client.target.display}`);
    }
    this.#checkBudget(rows);
    // Sibling chunks stop as soon as one fails: their answers would be thrown away anyway.
    const failed = new AbortController();
    const signals = [this.#lifetime.signal, failed.signal, ...(options?.signal ? [options.signal] : [])];
    const signal = AbortSignal.any(signals);
    let firstError: unknown;
    try {
      const parts = await mapConcurrent(chunkRows(batch, this.#batchLimit), this.#config.concurrency, signal, async (chunk) => {
        try {
          return await this.#predictChunk(chunk, signal);
        } catch (error) {
          firstError ??= error;
          failed.abort();
          throw error;
        }
      });
      return concatRows(parts, [numClasses]);
    } catch (error) {
      if (this.#disposed) throw new ModelSealError('DISPOSED', `http adapter for ${this.#client.target.display} was disposed during predict`);
      if (firstError === undefined && options?.signal?.aborted) {
        throw new ModelSealError('ABORTED', `predict on ${this.#client.target.display} was cancelled`, { cause: error });
      }
      throw firstError ?? error;
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#lifetime.abort();
    this.#client.dispose();
  }

  #checkBudget(rows: number): void {
    const budget = this.#config.queryBudget;
    if (budget !== undefined && this.#samples + rows > budget) {
      throw new ModelSealError(
        ERROR_CODES.budget,
        `sending ${rows} more sample${rows === 1 ? '' : 's'} to ${this.#client.target.display} would exceed the query budget (${this.#samples} of ${budget} used); nothing was sent`,
      );
    }
  }

  async #predictChunk(chunk: Tensor, signal: AbortSignal): Promise<Tensor> {
    const rows = chunk.shape[0]!;
    const numClasses = this.#description.numClasses;
    const { path, body } = this.#session.request(chunk.data, rows);
    const { body: json, answer } = await this.#client.json({
      method: 'POST',
      path,
      body,
      signal,
      beforeAttempt: () => {
        // Checked per attempt, so that retries cannot overrun the budget either.
        this.#checkBudget(rows);
        this.#samples += rows;
        this.#requests++;
      },
    });
    const values = this.#session.decode(json, rows, answer.where);
    assertFinite(values, numClasses, `${answer.where}: response`);
    if (this.#outputKind === undefined) {
      this.#outputKind = looksLikeProbabilities(values, numClasses) ? 'probabilities' : 'logits';
      this.#log?.(`http adapter: ${this.#client.target.display} returns ${this.#outputKind} (decided from its first answer)`);
    }
    return { data: toProbabilities(values, numClasses, this.#outputKind, answer.where), shape: [rows, numClasses] };
  }
}

/** Creates an adapter from a config (defaults applied); the same as the factory's create. */
export function createHttpAdapter(config: HttpAdapterConfigInput, context?: AdapterContext): Promise<HttpAdapter> {
  return HttpAdapter.create(config, context);
}
