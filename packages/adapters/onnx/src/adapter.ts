import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import {
  assertBatchShape,
  formatShape,
  ModelSealError,
  sizeOf,
  throwIfAborted,
  type AdapterContext,
  type FineTuneOptions,
  type FineTuneResult,
  type ModelAdapter,
  type ModelDescription,
  type OutputKind,
  type PredictOptions,
  type Tensor,
  type VjpResult,
  type WeightAccess,
} from '@modelseal/core';
import type { OnnxAdapterConfig } from './config.ts';
import type { GradientModel } from './grad/backward.ts';
import { planGradient, zerothOrderHint, type GradientPlan } from './grad/plan.ts';
import { prepareGradientModel, prepareWeightGradientModel } from './grad/prepare.ts';
import type { WeightGradientModel } from './grad/weight-gradients.ts';
import { planWeightGradients } from './grad/weight-plan.ts';
import { inspectModel, type ModelInfo } from './graph/model-info.ts';
import { servingModel, withInitializers, type ServingModel } from './graph/serving.ts';
import { loadOnnxFile, type LoadedModel } from './load.ts';
import { encodeModel } from './proto/codec.ts';
import { DataType, type TensorProto } from './proto/types.ts';
import {
  createSession,
  createSessionWithFallback,
  ORT_VERSION,
  releaseSession,
  runFloat,
  type SessionSettings,
} from './runtime/session.ts';
import { detectLayout, resolveSampleShape } from './sample-shape.ts';
import { TrainingGraph } from './training/graph.ts';
import { InitializerStore } from './weights.ts';
import { fineTuneOnnx } from './training/fineTune.ts';

interface TrainingSession {
  readonly graph: TrainingGraph;
  /** The frozen (non-trained) initializers the session was built with; writing one of them makes it stale. */
  readonly frozen: ReadonlyMap<string, TensorProto | undefined>;
}

interface VersionedSession {
  readonly session: InferenceSession;
  /** InitializerStore version the session was built from. */
  readonly version: number;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** ORT reads a typed array's whole buffer in some paths, so views into a larger buffer are copied. */
function standalone(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

/** A classifier in an .onnx file, run by onnxruntime-node, with exact gradients from a generated backward graph. */
export class OnnxAdapter implements ModelAdapter {
  readonly kind = 'onnx';
  readonly weights: WeightAccess;

  readonly #loaded: LoadedModel;
  readonly #info: ModelInfo;
  readonly #serving: ServingModel;
  readonly #store: InitializerStore;
  readonly #settings: SessionSettings;
  readonly #description: ModelDescription;
  readonly #sampleShape: readonly number[];
  /** The batch size the file fixes, when it does not leave the batch symbolic. */
  readonly #fixedBatch: number | undefined;
  readonly #chunkRows: number;
  readonly #log: (message: string) => void;
  readonly #cwd: string;
  #gradientPlan: GradientPlan | ModelSealError;
  #predictSession: VersionedSession | undefined;
  #gradientModel: GradientModel | undefined;
  #gradientSession: VersionedSession | undefined;
  #trainingModel: WeightGradientModel | undefined;
  #trainingSession: TrainingSession | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #queries = 0;
  #disposed = false;

  private constructor(parts: {
    loaded: LoadedModel;
    info: ModelInfo;
    serving: ServingModel;
    settings: SessionSettings;
    predictSession: InferenceSession;
    description: ModelDescription;
    sampleShape: readonly number[];
    fixedBatch: number | undefined;
    chunkRows: number;
    gradientPlan: GradientPlan | ModelSealError;
    log: (message: string) => void;
    cwd: string;
  }) {
    this.#loaded = parts.loaded;
    this.#info = parts.info;
    this.#serving = parts.serving;
    this.#store = new InitializerStore(parts.loaded.model);
    this.#settings = parts.settings;
    this.#predictSession = { session: parts.predictSession, version: 0 };
    this.#description = parts.description;
    this.#sampleShape = parts.sampleShape;
    this.#fixedBatch = parts.fixedBatch;
    this.#chunkRows = parts.chunkRows;
    this.#gradientPlan = parts.gradientPlan;
    this.#log = parts.log;
    this.#cwd = parts.cwd;
    const store = this.#store;
    this.weights = {
      list: async () => {
        this.#assertOpen();
        return store.list();
      },
      read: async (name) => {
        this.#assertOpen();
        return store.read(name);
      },
      write: (name, values) =>
        this.#exclusive(async () => {
          store.write(name, values);
        }),
      save: (destination) => this.#exclusive(() => this.#save(destination)),
    };
  }

  static async open(config: OnnxAdapterConfig, context: AdapterContext = {}): Promise<OnnxAdapter> {
    const cwd = context.cwd ?? process.cwd();
    const log = context.log ?? (() => undefined);
    const path = resolve(cwd, config.path);
    const loaded = await loadOnnxFile(path);
    const info = inspectModel(loaded.model, path);
    const sampleShape = resolveSampleShape(info, config.inputShape, path);
    const fixedBatch = info.inputDims[0];
    const outputKind: OutputKind = config.outputKind === 'auto' ? info.detectedOutputKind : config.outputKind;
    const serving = servingModel(loaded.model, info.outputName, outputKind === 'logits');
    const threads = config.threads ?? availableParallelism();

    let opened;
    try {
      opened = await createSessionWithFallback(encodeModel(serving.model), config.executionProvider, threads);
    } catch (error) {
      throw new ModelSealError('MODEL_LOAD', `ONNX Runtime cannot load ${path}: ${firstLine(error)}`, { cause: error });
    }
    if (opened.fallbackReason !== undefined) {
      log(`onnx: CUDA execution provider unavailable (${opened.fallbackReason}); running ${basename(path)} on CPU`);
    }
    const settings: SessionSettings = { threads, provider: opened.provider };
    log(`onnx: ${basename(path)} on onnxruntime-node ${ORT_VERSION} (${opened.provider}, ${threads} threads), output: ${outputKind}`);

    // One real run finds the class count when the file leaves it symbolic and proves the model runs at this input shape.
    const smokeRows = fixedBatch ?? 1;
    let numClasses: number;
    try {
      const [lo, hi] = config.valueRange;
      const probe = new Float32Array(smokeRows * sizeOf(sampleShape)).fill((lo + hi) / 2);
      const [out] = await runFloat(opened.session, { [info.inputName]: { data: probe, dims: [smokeRows, ...sampleShape] } }, [serving.outputName]);
      if (out!.dims.length !== 2 || out!.dims[0] !== smokeRows) {
        throw new Error(`output has shape ${formatShape(out!.dims)}, expected [batch, classes]`);
      }
      numClasses = out!.dims[1]!;
    } catch (error) {
      await releaseSession(opened.session);
      throw new ModelSealError('MODEL_LOAD', `${path} does not run on a sample of shape ${formatShape(sampleShape)}: ${firstLine(error)}`, {
        cause: error,
      });
    }
    if (numClasses < 2) {
      await releaseSession(opened.session);
      throw new ModelSealError('UNSUPPORTED', `${path} outputs ${numClasses} value per sample; a classifier needs at least 2 classes`);
    }
    if (config.classNames && config.classNames.length !== numClasses) {
      await releaseSession(opened.session);
      throw new ModelSealError('INVALID_CONFIG', `classNames lists ${config.classNames.length} names but ${path} has ${numClasses} classes`);
    }

    let gradientPlan: GradientPlan | ModelSealError;
    try {
      gradientPlan = planGradient(serving.model, info.inputName, serving.outputName, info.opset);
    } catch (error) {
      if (!(error instanceof ModelSealError)) throw error;
      gradientPlan = error;
      log(`onnx: ${error.message}`);
    }

    const chunkRows = fixedBatch ?? config.maxBatchSize;
    return new OnnxAdapter({
      loaded,
      info,
      serving,
      settings,
      predictSession: opened.session,
      sampleShape,
      fixedBatch,
      chunkRows,
      gradientPlan,
      log,
      cwd,
      description: {
        inputShape: sampleShape,
        layout: config.layout ?? detectLayout(sampleShape),
        valueRange: config.valueRange,
        numClasses,
        outputKind,
        ...(config.classNames ? { classNames: config.classNames } : {}),
        runtime: `onnxruntime-node ${ORT_VERSION} (${opened.provider})`,
        maxBatchSize: chunkRows,
        fingerprint: loaded.fingerprint,
      },
    });
  }

  describe(): ModelDescription {
    return this.#description;
  }

  queryCount(): number {
    return this.#queries;
  }

  /** Whether exact gradients are available; when not, `vjp` throws the reason. */
  get gradientSupport(): { readonly supported: boolean; readonly reason?: string } {
    return this.#gradientPlan instanceof ModelSealError ? { supported: false, reason: this.#gradientPlan.message } : { supported: true };
  }

  async predict(batch: Tensor, options?: PredictOptions): Promise<Tensor> {
    this.#assertOpen();
    const rows = assertBatchShape(batch, this.#sampleShape, 'onnx predict');
    this.#assertFiniteInput(batch);
    return this.#exclusive(async () => {
      const session = await this.#currentPredictSession();
      const classes = this.#description.numClasses;
      const out = new Float32Array(rows * classes);
      for (let start = 0; start < rows; start += this.#chunkRows) {
        throwIfAborted(options?.signal);
        const count = Math.min(this.#chunkRows, rows - start);
        const [probabilities] = await this.#run(session, batch, start, count, undefined, [this.#serving.outputName]);
        this.#checkProbabilities(probabilities!, count, start);
        out.set(probabilities!.subarray(0, count * classes), start * classes);
      }
      this.#queries += rows;
      return { data: out, shape: [rows, classes] };
    });
  }

  async vjp(batch: Tensor, cotangent: Tensor, options?: PredictOptions): Promise<VjpResult> {
    this.#assertOpen();
    const rows = assertBatchShape(batch, this.#sampleShape, 'onnx vjp');
    const classes = this.#description.numClasses;
    if (cotangent.shape.length !== 2 || cotangent.shape[0] !== rows || cotangent.shape[1] !== classes || cotangent.data.length !== rows * classes) {
      throw new ModelSealError('INPUT_SHAPE', `onnx vjp: cotangent must have shape [${rows}, ${classes}], got ${formatShape(cotangent.shape)}`);
    }
    this.#assertFiniteInput(batch);
    if (this.#gradientPlan instanceof ModelSealError) throw this.#gradientPlan;
    return this.#exclusive(async () => {
      const { session, gradientModel } = await this.#currentGradientSession();
      const sampleSize = sizeOf(this.#sampleShape);
      const probabilities = new Float32Array(rows * classes);
      const gradient = new Float32Array(rows * sampleSize);
      for (let start = 0; start < rows; start += this.#chunkRows) {
        throwIfAborted(options?.signal);
        const count = Math.min(this.#chunkRows, rows - start);
        const [p, g] = await this.#run(session, batch, start, count, { name: gradientModel.cotangentName, data: cotangent.data }, [
          gradientModel.outputName,
          gradientModel.gradientName,
        ]);
        this.#checkProbabilities(p!, count, start);
        for (let i = 0; i < count * sampleSize; i++) {
          if (!Number.isFinite(g![i]!)) {
            throw new ModelSealError('MODEL_OUTPUT', `the model's input gradient for sample ${start + Math.floor(i / sampleSize)} is not finite`);
          }
        }
        probabilities.set(p!.subarray(0, count * classes), start * classes);
        gradient.set(g!.subarray(0, count * sampleSize), start * sampleSize);
      }
      this.#queries += rows;
      return {
        gradient: { data: gradient, shape: [rows, ...this.#sampleShape] },
        probabilities: { data: probabilities, shape: [rows, classes] },
      };
    });
  }

  /** SGD fine-tuning in place, the runtime's own (see training/fineTune.ts). */
  fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
    return fineTuneOnnx(this, options);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue.catch(() => undefined);
    await releaseSession(this.#predictSession?.session);
    await releaseSession(this.#gradientSession?.session);
    await this.#trainingSession?.graph.release();
    this.#predictSession = undefined;
    this.#gradientSession = undefined;
    this.#trainingSession = undefined;
  }

  /**
   * The model with weight gradients that `fineTuneOnnx` runs: its trained weights are
   * inputs fed with every run. Built on first use and kept until dispose; its session
   * is rebuilt only when a frozen tensor (not a trained one) has been written since.
   * Throws UNSUPPORTED naming the operator when the model cannot be fine-tuned.
   */
  async trainingGraph(): Promise<TrainingGraph> {
    this.#assertOpen();
    return this.#exclusive(async () => {
      const model = this.#trainingModel ?? (await this.#buildTrainingModel());
      this.#trainingModel = model;
      const current = (name: string) => this.#store.current(name);
      const stale = !this.#trainingSession || [...this.#trainingSession.frozen].some(([name, tensor]) => current(name) !== tensor);
      if (stale) {
        await this.#trainingSession?.graph.release();
        this.#trainingSession = undefined;
        const frozen = new Map((model.model.graph?.initializer ?? []).map((t) => [t.name ?? '', current(t.name ?? '')] as const));
        const session = await createSession(encodeModel(withInitializers(model.model, current)), this.#settings);
        const graph = new TrainingGraph({
          session,
          model,
          sampleShape: this.#sampleShape,
          classes: this.#description.numClasses,
          fixedBatch: this.#fixedBatch,
          chunkRows: this.#chunkRows,
          exclusive: (task) => this.#exclusive(task),
        });
        this.#trainingSession = { graph, frozen };
      }
      return this.#trainingSession!.graph;
    });
  }

  async #buildTrainingModel(): Promise<WeightGradientModel> {
    // The raw output (logits or probabilities), not the serving model's appended Softmax: the loss is computed from it.
    const source = servingModel(this.#loaded.model, this.#info.outputName, false).model;
    const candidates = new Set(this.#store.list().filter((info) => info.trainable).map((info) => info.name));
    const plan = planWeightGradients(source, { inputName: this.#info.inputName, outputName: this.#info.outputName, opset: this.#info.opset, candidates });
    const rows = this.#fixedBatch ?? 2;
    const [lo, hi] = this.#description.valueRange;
    try {
      return await prepareWeightGradientModel(
        source,
        plan,
        { kind: 'cross-entropy', outputKind: this.#description.outputKind },
        {
          opset: this.#info.opset,
          floatType: DataType.FLOAT,
          probeInput: { data: new Float32Array(rows * sizeOf(this.#sampleShape)).fill((lo + hi) / 2), dims: [rows, ...this.#sampleShape] },
          openSession: (bytes) => createSession(bytes, this.#settings),
        },
      );
    } catch (error) {
      if (error instanceof ModelSealError) throw error;
      throw new ModelSealError('UNSUPPORTED', `cannot build the fine-tuning graph of ${this.#loaded.path}: ${firstLine(error)}`, { cause: error });
    }
  }

  /**
   * Runs rows [start, start + count) of `batch` (and of the cotangent), padding to
   * the file's fixed batch size when it has one; padded rows get a zero cotangent.
   */
  async #run(
    session: InferenceSession,
    batch: Tensor,
    start: number,
    count: number,
    cotangent: { name: string; data: Float32Array } | undefined,
    outputs: readonly string[],
  ): Promise<Float32Array[]> {
    const sampleSize = sizeOf(this.#sampleShape);
    const classes = this.#description.numClasses;
    const rows = this.#fixedBatch ?? count;
    let input = standalone(batch.data.subarray(start * sampleSize, (start + count) * sampleSize));
    if (rows !== count) {
      const padded = new Float32Array(rows * sampleSize);
      padded.set(input);
      input = padded;
    }
    const feeds: Record<string, { data: Float32Array; dims: readonly number[] }> = {
      [this.#info.inputName]: { data: input, dims: [rows, ...this.#sampleShape] },
    };
    if (cotangent) {
      const c = new Float32Array(rows * classes);
      c.set(cotangent.data.subarray(start * classes, (start + count) * classes));
      feeds[cotangent.name] = { data: c, dims: [rows, classes] };
    }
    const results = await runFloat(session, feeds, outputs);
    return results.map((r) => (r.data instanceof Float32Array ? r.data : Float32Array.from(r.data)));
  }

  #checkProbabilities(values: Float32Array, count: number, offset: number): void {
    const classes = this.#description.numClasses;
    if (values.length < count * classes) {
      throw new ModelSealError('MODEL_OUTPUT', `the model returned ${values.length} values for ${count} samples of ${classes} classes`);
    }
    for (let r = 0; r < count; r++) {
      let sum = 0;
      let negative = false;
      for (let c = 0; c < classes; c++) {
        const v = values[r * classes + c]!;
        if (!Number.isFinite(v)) {
          throw new ModelSealError('MODEL_OUTPUT', `the model's output for sample ${offset + r} is not finite (${v})`);
        }
        sum += v;
        if (v < -1e-6) negative = true;
      }
      if (negative || Math.abs(sum - 1) > 1e-3) {
        throw new ModelSealError(
          'MODEL_OUTPUT',
          `the model's output for sample ${offset + r} is not a probability vector (sum ${sum.toPrecision(6)}${negative ? ', negative entries' : ''}); if it outputs logits, set outputKind to "logits"`,
        );
      }
    }
  }

  #assertOpen(): void {
    if (this.#disposed) throw new ModelSealError('DISPOSED', `the ONNX adapter for ${this.#loaded.path} has been disposed`);
  }

  #assertFiniteInput(batch: Tensor): void {
    const data = batch.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new ModelSealError('NON_FINITE', `input value ${i} (sample ${Math.floor(i / sizeOf(this.#sampleShape))}) is ${data[i]}`);
      }
    }
  }

  /** Runs `task` after every earlier call has finished, so sessions are never rebuilt or released mid-run. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      this.#assertOpen();
      return task();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #currentPredictSession(): Promise<InferenceSession> {
    const version = this.#store.version;
    if (this.#predictSession?.version === version) return this.#predictSession.session;
    await releaseSession(this.#predictSession?.session);
    this.#predictSession = undefined;
    const model = withInitializers(this.#serving.model, (name) => this.#store.current(name));
    this.#predictSession = { session: await createSession(encodeModel(model), this.#settings), version };
    return this.#predictSession.session;
  }

  async #currentGradientSession(): Promise<{ session: InferenceSession; gradientModel: GradientModel }> {
    const plan = this.#gradientPlan;
    if (plan instanceof ModelSealError) throw plan;
    const current = (name: string) => this.#store.current(name);
    if (!this.#gradientModel) {
      const rows = this.#fixedBatch ?? 2;
      const [lo, hi] = this.#description.valueRange;
      try {
        this.#gradientModel = await prepareGradientModel(withInitializers(this.#serving.model, current), plan, {
          opset: this.#info.opset,
          floatType: DataType.FLOAT,
          probeInput: { data: new Float32Array(rows * sizeOf(this.#sampleShape)).fill((lo + hi) / 2), dims: [rows, ...this.#sampleShape] },
          openSession: (bytes) => createSession(bytes, this.#settings),
        });
      } catch (error) {
        const failure =
          error instanceof ModelSealError
            ? error
            : new ModelSealError('UNSUPPORTED', `cannot build the gradient graph of ${this.#loaded.path}: ${firstLine(error)}. ${zerothOrderHint()}`, {
                cause: error,
              });
        this.#gradientPlan = failure;
        this.#log(`onnx: ${failure.message}`);
        throw failure;
      }
    }
    const gradientModel = this.#gradientModel;
    const version = this.#store.version;
    if (this.#gradientSession?.version !== version) {
      await releaseSession(this.#gradientSession?.session);
      this.#gradientSession = undefined;
      const bytes = encodeModel(withInitializers(gradientModel.model, current));
      this.#gradientSession = { session: await createSession(bytes, this.#settings), version };
    }
    return { session: this.#gradientSession.session, gradientModel };
  }

  async #save(destination: string): Promise<void> {
    const path = resolve(this.#cwd, destination);
    const bytes = encodeModel(this.#loaded.model);
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      throw new ModelSealError('INVALID_ARGUMENT', `cannot save the ONNX model to ${path}: ${firstLine(error)}`, { cause: error });
    }
  }
}
