import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  describeIssues,
  ModelSealError,
  assertBatchShape,
  chunkRows,
  concatRows,
  formatShape,
  isModelSealError,
  sizeOf,
  throwIfAborted,
  type AdapterContext,
  type FineTuneOptions,
  type FineTuneResult,
  type ModelAdapter,
  type ModelDescription,
  type PredictOptions,
  type Tensor,
  type VjpResult,
  type WeightAccess,
  type WeightInfo,
} from '@modelseal/core';
import { initBackend, useBackend, type BackendInfo } from './backend.ts';
import { tfjsConfigSchema, type TfjsConfig, type TfjsConfigInput } from './config.ts';
import { resolveDescription, resolveInputShape } from './describe.ts';
import { readModelFiles, type ModelFormat } from './io/modelFiles.ts';
import { readSidecar, writeSidecar, type ModelSidecar } from './io/sidecar.ts';
import { GraphModelHandle } from './model/graphModel.ts';
import { LayersModelHandle } from './model/layersModel.ts';
import type { LoadedModel } from './model/loadedModel.ts';
import { fineTune } from './training/fineTune.ts';

// A model that claims to output probabilities but does not would make every
// verification meaningless, so its rows are checked against these bounds.
const PROBABILITY_SUM_TOLERANCE = 1e-3;

function parseConfig(config: TfjsConfigInput): TfjsConfig {
  const parsed = tfjsConfigSchema.safeParse(config);
  if (!parsed.success) {
    const details = describeIssues(parsed.error, '(config)');
    throw new ModelSealError('INVALID_CONFIG', `invalid tfjs adapter config: ${details}`);
  }
  return parsed.data;
}

/** Runs `compute` (a TF.js computation) and turns TF.js' own exceptions into ModelSealErrors naming the model. */
function guarded<T>(where: string, what: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (isModelSealError(error)) throw error;
    const message = (error as Error).message;
    if (/gradient function not found|Cannot compute gradient/i.test(message)) {
      throw new ModelSealError('UNSUPPORTED', `TF.js cannot differentiate ${where} (${message}); use a gradient-free method for this model`, {
        cause: error,
      });
    }
    throw new ModelSealError('MODEL_OUTPUT', `TF.js failed to ${what} ${where}: ${message}`, { cause: error });
  }
}

async function probeOutputSize(model: LoadedModel, inputShape: readonly number[], where: string): Promise<number> {
  try {
    const output = tf.tidy(() => model.forward(tf.zeros([1, ...inputShape])));
    const size = output.size;
    output.dispose();
    return size;
  } catch (error) {
    throw new ModelSealError(
      'MODEL_LOAD',
      `${where} fails on an input of shape ${formatShape([1, ...inputShape])}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** A TF.js LayersModel or GraphModel on disk, behind the ModelSeal adapter contract. */
export class TfjsAdapter implements ModelAdapter {
  readonly kind = 'tfjs';
  readonly weights: WeightAccess;
  readonly #model: LoadedModel;
  readonly #description: ModelDescription;
  readonly #backend: BackendInfo;
  readonly #sidecar: ModelSidecar | undefined;
  readonly #where: string;
  #queries = 0;
  #disposed = false;

  private constructor(model: LoadedModel, description: ModelDescription, backend: BackendInfo, sidecar: ModelSidecar | undefined, where: string) {
    this.#model = model;
    this.#description = description;
    this.#backend = backend;
    this.#sidecar = sidecar;
    this.#where = where;
    this.weights = {
      list: async () => this.#listWeights(),
      read: async (name) => {
        this.#assertUsable();
        return this.#model.readWeight(name);
      },
      write: async (name, values) => this.#writeWeight(name, values),
      save: async (destination) => this.#save(destination),
    };
  }

  /** Loads a model; relative paths resolve against `context.cwd` (default: the process's working directory). */
  static async load(input: TfjsConfigInput, context: AdapterContext = {}): Promise<TfjsAdapter> {
    const config = parseConfig(input);
    const backend = await initBackend(config.backend, context.log);
    const files = await readModelFiles(path.resolve(context.cwd ?? process.cwd(), config.path));
    const sidecar = await readSidecar(files.folder);
    const where = files.modelJsonPath;
    await useBackend(backend);
    const model = files.format === 'layers-model' ? await LayersModelHandle.load(files) : await GraphModelHandle.load(files);
    try {
      const inputShape = resolveInputShape(model.declaredInputShape(), config, sidecar, where);
      const description = resolveDescription({
        config,
        sidecar,
        inputShape,
        numClasses: await probeOutputSize(model, inputShape, where),
        endsInSoftmax: model.endsInSoftmax(),
        runtime: backend.runtime,
        fingerprint: files.fingerprint,
        where,
      });
      context.log?.(
        `loaded TF.js ${files.format} ${where} on ${backend.runtime}: input ${formatShape(description.inputShape)} ${description.layout}, ${description.numClasses} classes (${description.outputKind})`,
      );
      return new TfjsAdapter(model, description, backend, sidecar, where);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  describe(): ModelDescription {
    return this.#description;
  }

  get format(): ModelFormat {
    return this.#model.format;
  }

  /** The underlying LayersModel (e.g. to fine-tune it in an attack study); throws for GraphModels. */
  getLayersModel(): tf.LayersModel {
    this.#assertUsable();
    const model = this.#model.getLayersModel();
    if (!model) {
      throw new ModelSealError('UNSUPPORTED', `${this.#where} is a GraphModel; only LayersModels can be trained in TF.js`);
    }
    return model;
  }

  queryCount(): number {
    return this.#queries;
  }

  async predict(batch: Tensor, options: PredictOptions = {}): Promise<Tensor> {
    this.#assertUsable();
    const rows = assertBatchShape(batch, this.#description.inputShape, this.#where);
    const parts: Tensor[] = [];
    for (const chunk of chunkRows(batch, this.#description.maxBatchSize!)) {
      throwIfAborted(options.signal);
      await this.#ready();
      const output = guarded(this.#where, 'run', () => tf.tidy(() => this.#probabilities(this.#input(chunk))));
      parts.push(await this.#read(output, [chunk.shape[0]!, this.#description.numClasses]));
    }
    const probabilities = concatRows(parts, [this.#description.numClasses]);
    this.#queries += rows;
    this.#checkOutput(probabilities);
    return probabilities;
  }

  async vjp(batch: Tensor, cotangent: Tensor, options: PredictOptions = {}): Promise<VjpResult> {
    this.#assertUsable();
    const { inputShape, numClasses } = this.#description;
    const rows = assertBatchShape(batch, inputShape, this.#where);
    assertBatchShape(cotangent, [numClasses], `cotangent for ${this.#where}`);
    if (cotangent.shape[0] !== rows) {
      throw new ModelSealError('INPUT_SHAPE', `cotangent has ${cotangent.shape[0]} rows but the batch has ${rows} (${this.#where})`);
    }
    const limit = this.#description.maxBatchSize!;
    const inputChunks = chunkRows(batch, limit);
    const cotangentChunks = chunkRows(cotangent, limit);
    const gradients: Tensor[] = [];
    const probabilities: Tensor[] = [];
    for (const [i, chunk] of inputChunks.entries()) {
      throwIfAborted(options.signal);
      await this.#ready();
      const [gradient, output] = guarded(this.#where, 'differentiate', () =>
        tf.tidy(() => {
          const weight = this.#input(cotangentChunks[i]!);
          let forward: tf.Tensor | undefined;
          const gradientOf = tf.grad((x: tf.Tensor) => {
            const p = this.#probabilities(x);
            forward = tf.keep(p);
            return tf.sum(tf.mul(p, weight));
          });
          const gradient = gradientOf(this.#input(chunk));
          return [gradient, forward!] as const;
        }),
      );
      gradients.push(await this.#read(gradient, chunk.shape));
      probabilities.push(await this.#read(output, [chunk.shape[0]!, numClasses]));
    }
    const result = { gradient: concatRows(gradients, inputShape), probabilities: concatRows(probabilities, [numClasses]) };
    this.#queries += rows;
    this.#checkOutput(result.probabilities);
    for (let i = 0; i < result.gradient.data.length; i++) {
      if (!Number.isFinite(result.gradient.data[i]!)) {
        const sample = Math.floor(i / sizeOf(inputShape));
        throw new ModelSealError('MODEL_OUTPUT', `model ${this.#where} returned a NaN/Inf gradient for sample ${sample}`);
      }
    }
    return result;
  }

  /** SGD fine-tuning in place, the runtime's own (see training/fineTune.ts). */
  fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
    return fineTune(this, options);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#model.dispose();
  }

  #assertUsable(): void {
    if (this.#disposed) throw new ModelSealError('DISPOSED', `the TF.js adapter for ${this.#where} has been disposed`);
  }

  async #ready(): Promise<void> {
    await useBackend(this.#backend);
    await this.#model.prepare();
    // prepare() may have yielded to another adapter that switched the process-wide backend.
    await useBackend(this.#backend);
  }

  /** A TF.js tensor owning a copy of the rows: the caller's buffer must never alias model state. */
  #input(chunk: Tensor): tf.Tensor {
    return tf.tensor(chunk.data.slice(), [...chunk.shape], 'float32');
  }

  #probabilities(input: tf.Tensor): tf.Tensor {
    const raw = this.#model.forward(input);
    const rows = raw.shape[0] ?? 0;
    if (raw.size !== rows * this.#description.numClasses) {
      throw new ModelSealError(
        'MODEL_OUTPUT',
        `${this.#where} returned an output of shape ${formatShape(raw.shape)}, expected [${rows}, ${this.#description.numClasses}]`,
      );
    }
    const flat = raw.reshape([rows, this.#description.numClasses]);
    return this.#description.outputKind === 'logits' ? tf.softmax(flat) : flat;
  }

  async #read(output: tf.Tensor, shape: readonly number[]): Promise<Tensor> {
    try {
      return { data: (await output.data()) as Float32Array, shape: [...shape] };
    } finally {
      output.dispose();
    }
  }

  #checkOutput(probabilities: Tensor): void {
    const n = this.#description.numClasses;
    const rows = probabilities.shape[0] ?? 0;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      let negative = false;
      for (let c = 0; c < n; c++) {
        const p = probabilities.data[r * n + c]!;
        if (!Number.isFinite(p)) throw new ModelSealError('MODEL_OUTPUT', `model ${this.#where} returned NaN/Inf for sample ${r}`);
        if (p < -PROBABILITY_SUM_TOLERANCE) negative = true;
        sum += p;
      }
      if (negative || Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
        throw new ModelSealError(
          'MODEL_OUTPUT',
          `model ${this.#where} is configured as returning probabilities, but its output for sample ${r} sums to ${sum.toPrecision(6)}${negative ? ' and has negative entries' : ''}; set outputKind to "logits" if it returns logits`,
        );
      }
    }
  }

  async #listWeights(): Promise<readonly WeightInfo[]> {
    this.#assertUsable();
    return this.#model.listWeights();
  }

  async #writeWeight(name: string, values: Float32Array): Promise<void> {
    this.#assertUsable();
    const info = this.#model.listWeights().find((weight) => weight.name === name);
    if (info && values.length !== sizeOf(info.shape)) {
      throw new ModelSealError(
        'INPUT_SHAPE',
        `weight "${name}" of ${this.#where} has shape ${formatShape(info.shape)} (${sizeOf(info.shape)} values), got ${values.length} values`,
      );
    }
    await useBackend(this.#backend);
    this.#model.writeWeight(name, values);
  }

  async #save(destination: string): Promise<void> {
    this.#assertUsable();
    await useBackend(this.#backend);
    await this.#model.save(destination);
    // A saved copy should describe itself like the original (class names, value range, ...).
    if (this.#sidecar) await writeSidecar(destination, this.#sidecar);
  }
}
