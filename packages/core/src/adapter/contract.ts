import type { z } from 'zod';
import type { FineTuneOptions, FineTuneResult } from '../attacks/fineTuneOptions.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** Memory layout of one image sample. `flat` means a plain feature vector. */
export type Layout = 'NCHW' | 'NHWC' | 'flat';

/** What the model's raw output is; `predict` always returns probabilities. */
export type OutputKind = 'logits' | 'probabilities';

export interface ModelDescription {
  /** Shape of one sample, without the batch dimension (e.g. [1, 28, 28] for NCHW MNIST). */
  readonly inputShape: readonly number[];
  readonly layout: Layout;
  /** Inclusive range the model expects input values in; fragilization clips to it. */
  readonly valueRange: readonly [number, number];
  readonly numClasses: number;
  /** Raw output of the model; adapters apply softmax to logits before returning them. */
  readonly outputKind: OutputKind;
  readonly classNames?: readonly string[];
  /** Human-readable runtime, e.g. "tfjs 4.22.0 (wasm)" or "onnxruntime-node (cpu)". */
  readonly runtime: string;
  /** Largest batch one `predict`/`vjp` call accepts; callers split bigger batches. */
  readonly maxBatchSize?: number;
  /** sha256 of the model's artifacts when they are local files, so a trigger set can name its model. */
  readonly fingerprint?: string;
}

export interface VjpResult {
  /** `∇ₓ Σᵢ ⟨f(xᵢ), cotangentᵢ⟩`, shape `[N, ...inputShape]`. */
  readonly gradient: Tensor;
  /** `f(x)` as probabilities, shape `[N, numClasses]`, computed in the same pass. */
  readonly probabilities: Tensor;
}

export interface WeightInfo {
  readonly name: string;
  readonly shape: readonly number[];
  /** Only float tensors are exposed for modification; integer buffers (e.g. step counters) are not listed. */
  readonly dtype: 'float32';
  /** False for running statistics (batch-norm means/variances) and other non-trained state. */
  readonly trainable: boolean;
}

/** White-box access to parameters, used by the evaluation harness to simulate tampering. */
export interface WeightAccess {
  list(): Promise<readonly WeightInfo[]>;
  read(name: string): Promise<Float32Array>;
  write(name: string, values: Float32Array): Promise<void>;
  /** Saves the (possibly modified) model in the adapter's own format. */
  save(destination: string): Promise<void>;
}

export interface PredictOptions {
  readonly signal?: AbortSignal;
}

/**
 * One model behind a uniform, probability-returning interface.
 * Implementations must validate input shapes and reject non-finite outputs with a
 * ModelSealError, so that a broken model never silently "verifies".
 */
export interface ModelAdapter {
  readonly kind: string;
  describe(): ModelDescription;
  /** Probabilities for a batch `[N, ...inputShape]`, shape `[N, numClasses]`, rows summing to 1. */
  predict(batch: Tensor, options?: PredictOptions): Promise<Tensor>;
  /** Exact vector–Jacobian product of the probability output; absent for black-box models. */
  vjp?(batch: Tensor, cotangent: Tensor, options?: PredictOptions): Promise<VjpResult>;
  readonly weights?: WeightAccess;
  /**
   * Plain SGD on softmax cross-entropy, in place (paper §4 fine-tuning). Absent where the
   * runtime cannot train. Used to simulate tampering and, by the fragilizer's tie-top probe,
   * to learn which way fine-tuning moves this model (its weights are restored afterwards).
   */
  fineTune?(options: FineTuneOptions): Promise<FineTuneResult>;
  /** Number of samples sent to the model so far (for query accounting). */
  queryCount?(): number;
  dispose(): Promise<void>;
}

export interface AdapterContext {
  /** Receives one-line status messages (e.g. which backend was chosen). */
  readonly log?: (message: string) => void;
  /** Base folder for resolving relative paths in configs. */
  readonly cwd?: string;
}

/**
 * Creates adapters of one kind. The config schema is the single source of truth for
 * what a config may contain: the CLI, the API and the dashboard form all use it.
 */
export interface AdapterFactory<Config = unknown> {
  readonly kind: string;
  readonly title: string;
  readonly description: string;
  readonly configSchema: z.ZodType<Config>;
  /** Whether a bare location string (a path or URL given on the command line) is meant for this adapter. */
  matchesLocation?(location: string): boolean | Promise<boolean>;
  /** Turns such a location into a config (other fields take their defaults). */
  configFromLocation?(location: string): unknown;
  create(config: Config, context?: AdapterContext): Promise<ModelAdapter>;
}

/** Helps plug-in authors get the config type inferred from the schema. */
export function defineAdapterFactory<Schema extends z.ZodType>(
  factory: Omit<AdapterFactory<z.output<Schema>>, 'configSchema'> & { configSchema: Schema },
): AdapterFactory<z.output<Schema>> {
  return factory as AdapterFactory<z.output<Schema>>;
}
