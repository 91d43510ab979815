import { formatShape, ModelSealError } from '@modelseal/core';
import type { RemoteClient } from '../client.ts';
import { ERROR_CODES } from '../codes.ts';
import type { HttpAdapterConfig } from '../config.ts';

/** What the remote model accepts and returns, after combining its metadata with the config. */
export interface RemoteSignature {
  /** Shape of one sample as the adapter describes it (the config's, when it gives one). */
  readonly inputShape: readonly number[];
  /** Shape of one sample on the wire: the model's own, which may be a flat view of inputShape. */
  readonly wireShape: readonly number[];
  readonly numClasses: number;
  /** The model's fixed batch size, when its metadata has one. */
  readonly maxBatchSize?: number;
  readonly platform?: string;
}

/** One protocol's view of a connected model: how to ask it and how to read its answer. */
export interface ProtocolSession {
  readonly signature: RemoteSignature;
  /** Path and JSON body of an inference request for `rows` samples of `wireShape`. */
  request(data: Float32Array, rows: number): { path: string; body: string };
  /** Class scores from a 2xx answer, `rows × numClasses` numbers, or a ModelSealError naming `where`. */
  decode(body: unknown, rows: number, where: string): number[];
}

export type ConnectProtocol = (client: RemoteClient, config: HttpAdapterConfig, signal?: AbortSignal) => Promise<ProtocolSession>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * Reconciles the model's per-sample shape (`remote`, -1 for dynamic dimensions;
 * undefined when unknown) with the configured one. The config may give a
 * different view of the same data, e.g. [1, 28, 28] for a model that takes 784 values.
 */
export function resolveInputShape(
  remote: readonly number[] | undefined,
  configured: readonly number[] | undefined,
  where: string,
): { inputShape: number[]; wireShape: number[] } {
  if (remote === undefined) {
    if (configured === undefined) {
      throw new ModelSealError(ERROR_CODES.config, `${where}: the input shape is unknown; give inputShape in the config`);
    }
    return { inputShape: [...configured], wireShape: [...configured] };
  }
  const fixed = remote.every((d) => d > 0);
  if (configured === undefined) {
    if (!fixed) {
      throw new ModelSealError(
        ERROR_CODES.config,
        `${where}: the model's input shape ${formatShape(remote)} has dynamic dimensions (-1); give inputShape in the config`,
      );
    }
    return { inputShape: [...remote], wireShape: [...remote] };
  }
  const compatible = remote.length === configured.length && remote.every((d, i) => d < 0 || d === configured[i]);
  if (compatible) return { inputShape: [...configured], wireShape: [...configured] };
  if (fixed && product(remote) === product(configured)) return { inputShape: [...configured], wireShape: [...remote] };
  throw new ModelSealError(
    ERROR_CODES.config,
    `${where}: inputShape ${formatShape(configured)} in the config does not fit the model's input shape ${formatShape(remote)}`,
  );
}

export function resolveNumClasses(remote: number | undefined, configured: number | undefined, where: string): number {
  const known = remote !== undefined && remote > 0 ? remote : undefined;
  if (known !== undefined && configured !== undefined && known !== configured) {
    throw new ModelSealError(
      ERROR_CODES.config,
      `${where}: numClasses is ${configured} in the config but the model's output has ${known} classes`,
    );
  }
  const numClasses = configured ?? known;
  if (numClasses === undefined) {
    throw new ModelSealError(ERROR_CODES.config, `${where}: the number of classes is unknown; give numClasses in the config`);
  }
  if (numClasses < 2) {
    throw new ModelSealError(ERROR_CODES.unsupported, `${where}: the model has ${numClasses} output value(s) per sample; a classifier needs at least 2 classes`);
  }
  return numClasses;
}

/** Chooses the named entry, or the only one; otherwise explains which names exist. */
export function pickNamed<T extends { name: string }>(entries: readonly T[], wanted: string | undefined, what: string, option: string, where: string): T {
  const names = entries.map((entry) => `'${entry.name}'`).join(', ') || 'none';
  if (wanted !== undefined) {
    const found = entries.find((entry) => entry.name === wanted);
    if (!found) throw new ModelSealError(ERROR_CODES.config, `${where}: the model has no ${what} '${wanted}' (${what}s: ${names})`);
    return found;
  }
  if (entries.length === 1) return entries[0]!;
  throw new ModelSealError(
    entries.length === 0 ? ERROR_CODES.load : ERROR_CODES.config,
    entries.length === 0
      ? `${where}: the model metadata lists no ${what}s`
      : `${where}: the model has several ${what}s (${names}); choose one with ${option} in the config`,
  );
}

export function shapeMismatch(where: string, output: string, shape: readonly number[], rows: number, numClasses: number): ModelSealError {
  return new ModelSealError(
    ERROR_CODES.output,
    `${where}: response output ${output} has shape ${formatShape(shape)} but the request had ${rows} sample${rows === 1 ? '' : 's'} and the model has ${numClasses} classes`,
  );
}
