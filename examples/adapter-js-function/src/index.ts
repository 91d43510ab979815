/**
 * A ModelSeal adapter plug-in that wraps a model written as a plain JavaScript
 * module. It is deliberately small: it shows everything a third-party adapter needs
 * (a config schema, a factory, shape checks, clear errors) and nothing else.
 *
 * The wrapped module must export `model`:
 *   { inputShape: number[], numClasses: number, outputKind?: 'logits' | 'probabilities',
 *     valueRange?: [lo, hi], predict(rows: Float32Array[]): ArrayLike<number>[],
 *     gradient?(row: Float32Array, cotangent: Float32Array): ArrayLike<number> }
 * where `gradient` returns ∇ₓ⟨probabilities(x), cotangent⟩ when the author can provide it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  assertBatchShape,
  defineAdapterFactory,
  ModelSealError,
  sizeOf,
  type AdapterContext,
  type ModelAdapter,
  type ModelDescription,
  type Tensor,
  type VjpResult,
} from '@modelseal/core';

interface JsModel {
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly outputKind?: 'logits' | 'probabilities';
  readonly valueRange?: readonly [number, number];
  predict(rows: Float32Array[]): ArrayLike<number>[];
  gradient?(row: Float32Array, cotangent: Float32Array): ArrayLike<number>;
}

export const configSchema = z.object({
  module: z.string().min(1).describe('Path of the JavaScript module that exports `model`'),
  maxBatchSize: z.number().int().positive().default(128).describe('Largest batch passed to predict at once'),
});
export type JsFunctionConfig = z.output<typeof configSchema>;

function softmax(values: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  let sum = 0;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) sum += out[i] = Math.exp(values[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

function validateModel(value: unknown, path: string): JsModel {
  const m = value as Partial<JsModel> | undefined;
  const problem =
    !m || typeof m !== 'object'
      ? 'does not export `model`'
      : !Array.isArray(m.inputShape) || !m.inputShape.every((d) => Number.isInteger(d) && d > 0)
        ? '`model.inputShape` must be an array of positive integers'
        : !Number.isInteger(m.numClasses) || (m.numClasses ?? 0) < 2
          ? '`model.numClasses` must be an integer ≥ 2'
          : typeof m.predict !== 'function'
            ? '`model.predict` must be a function'
            : undefined;
  if (problem) throw new ModelSealError('MODEL_LOAD', `${path}: ${problem}`);
  return m as JsModel;
}

class JsFunctionAdapter implements ModelAdapter {
  readonly kind = 'js-function';
  #disposed = false;
  #queries = 0;

  constructor(
    private readonly model: JsModel,
    private readonly description: ModelDescription,
  ) {
    if (model.gradient) this.vjp = this.#vjp;
  }

  describe(): ModelDescription {
    return this.description;
  }

  queryCount(): number {
    return this.#queries;
  }

  #rows(batch: Tensor): Float32Array[] {
    if (this.#disposed) throw new ModelSealError('DISPOSED', 'js-function adapter was disposed');
    const count = assertBatchShape(batch, this.description.inputShape, 'js-function input');
    const size = sizeOf(this.description.inputShape);
    return Array.from({ length: count }, (_, r) => batch.data.slice(r * size, (r + 1) * size));
  }

  #probabilities(raw: ArrayLike<number>, row: number): Float32Array {
    const n = this.description.numClasses;
    if (!raw || raw.length !== n) {
      throw new ModelSealError('MODEL_OUTPUT', `model.predict returned ${raw?.length ?? 'nothing'} values for sample ${row}, expected ${n}`);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(raw[i]!)) throw new ModelSealError('MODEL_OUTPUT', `model.predict returned a non-finite value for sample ${row}`);
    }
    return this.description.outputKind === 'logits' ? softmax(raw) : Float32Array.from(raw);
  }

  async predict(batch: Tensor): Promise<Tensor> {
    const rows = this.#rows(batch);
    const n = this.description.numClasses;
    const out = new Float32Array(rows.length * n);
    const raw = this.model.predict(rows);
    if (!Array.isArray(raw) || raw.length !== rows.length) {
      throw new ModelSealError('MODEL_OUTPUT', `model.predict must return one row per sample (${rows.length})`);
    }
    raw.forEach((values, r) => out.set(this.#probabilities(values, r), r * n));
    this.#queries += rows.length;
    return { data: out, shape: [rows.length, n] };
  }

  vjp?: (batch: Tensor, cotangent: Tensor) => Promise<VjpResult>;

  #vjp = async (batch: Tensor, cotangent: Tensor): Promise<VjpResult> => {
    const rows = this.#rows(batch);
    const n = this.description.numClasses;
    const gradient = new Float32Array(batch.data.length);
    const size = sizeOf(this.description.inputShape);
    rows.forEach((row, r) => {
      const g = this.model.gradient!(row, cotangent.data.subarray(r * n, (r + 1) * n));
      if (g.length !== size) throw new ModelSealError('MODEL_OUTPUT', `model.gradient returned ${g.length} values, expected ${size}`);
      gradient.set(Array.from(g), r * size);
    });
    const probabilities = await this.predict(batch);
    return { gradient: { data: gradient, shape: [...batch.shape] }, probabilities };
  };

  async dispose(): Promise<void> {
    this.#disposed = true;
  }
}

export const adapterFactory = defineAdapterFactory({
  kind: 'js-function',
  title: 'JavaScript function',
  description: 'A classifier written as a plain JavaScript module exporting `model`.',
  configSchema,
  matchesLocation: (location: string) => /\.(m?js)$/.test(location),
  configFromLocation: (location: string) => ({ module: location }),
  async create(config: JsFunctionConfig, context?: AdapterContext) {
    const path = resolve(context?.cwd ?? process.cwd(), config.module);
    let bytes: Buffer;
    let module: { model?: unknown };
    try {
      bytes = await readFile(path);
      module = (await import(pathToFileURL(path).href)) as { model?: unknown };
    } catch (error) {
      throw new ModelSealError('MODEL_LOAD', `cannot load ${path}: ${(error as Error).message}`, { cause: error });
    }
    const model = validateModel(module.model, path);
    context?.log?.(`js-function: loaded ${path}${model.gradient ? ' (with gradients)' : ''}`);
    return new JsFunctionAdapter(model, {
      inputShape: [...model.inputShape],
      layout: model.inputShape.length === 3 ? 'NCHW' : 'flat',
      valueRange: model.valueRange ?? [0, 1],
      numClasses: model.numClasses,
      outputKind: model.outputKind ?? 'logits',
      runtime: `node ${process.versions.node} (plain JavaScript)`,
      maxBatchSize: config.maxBatchSize,
      fingerprint: createHash('sha256').update(bytes).digest('hex'),
    });
  },
});

export default adapterFactory;
