import type { ModelAdapter, ModelDescription, VjpResult, WeightInfo } from '../adapter/contract.ts';
import type { FineTuneOptions, FineTuneResult } from '../attacks/fineTuneOptions.ts';
import { parseFineTuneParams } from '../attacks/fineTuneOptions.ts';
import { diffWeights, snapshotWeights } from '../attacks/report.ts';
import { batchSampler, checkLabelledBatch } from '../attacks/trainingData.ts';
import { ModelSealError, throwIfAborted } from '../errors.ts';
import { assertBatchShape, sizeOf, type Tensor } from '../tensor/tensor.ts';
import { Random } from '../util/random.ts';

export interface MlpAdapterOptions {
  readonly inputShape?: readonly number[];
  readonly hidden?: number;
  readonly numClasses?: number;
  readonly seed?: number;
  /** Scale of the random weights; larger gives more confident predictions. */
  readonly weightScale?: number;
}

/**
 * A small one-hidden-layer tanh network with hand-written backprop: a real white-box
 * model with no ML runtime, so core's algorithms are tested without TF.js or ONNX.
 */
export class MlpAdapter implements ModelAdapter {
  readonly kind = 'test-mlp';
  readonly #description: ModelDescription;
  readonly #w1: Float32Array;
  readonly #b1: Float32Array;
  readonly #w2: Float32Array;
  readonly #b2: Float32Array;
  readonly #inputSize: number;
  readonly #hidden: number;
  #queries = 0;
  #disposed = false;

  constructor(options: MlpAdapterOptions = {}) {
    const inputShape = options.inputShape ?? [1, 6, 6];
    this.#inputSize = sizeOf(inputShape);
    this.#hidden = options.hidden ?? 16;
    const numClasses = options.numClasses ?? 10;
    const random = new Random(options.seed ?? 1);
    const scale = options.weightScale ?? 1;
    const init = (size: number, fanIn: number): Float32Array =>
      Float32Array.from({ length: size }, () => (random.gaussian() * scale * 2) / Math.sqrt(fanIn));
    this.#w1 = init(this.#inputSize * this.#hidden, this.#inputSize);
    this.#b1 = init(this.#hidden, this.#hidden);
    this.#w2 = init(this.#hidden * numClasses, this.#hidden);
    this.#b2 = init(numClasses, numClasses);
    this.#description = {
      inputShape: [...inputShape],
      layout: inputShape.length === 3 ? 'NCHW' : 'flat',
      valueRange: [0, 1],
      numClasses,
      outputKind: 'logits',
      runtime: 'javascript (test MLP)',
      maxBatchSize: 64,
    };
  }

  describe(): ModelDescription {
    return this.#description;
  }

  queryCount(): number {
    return this.#queries;
  }

  #check(batch: Tensor): number {
    if (this.#disposed) throw new ModelSealError('DISPOSED', 'the test MLP adapter was disposed');
    return assertBatchShape(batch, this.#description.inputShape, 'test MLP input');
  }

  #forward(x: Float32Array): { h: Float64Array; p: Float32Array } {
    const H = this.#hidden;
    const n = this.#description.numClasses;
    const h = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      let s = this.#b1[j]!;
      for (let i = 0; i < this.#inputSize; i++) s += x[i]! * this.#w1[i * H + j]!;
      h[j] = Math.tanh(s);
    }
    const logits = new Float64Array(n);
    let max = -Infinity;
    for (let c = 0; c < n; c++) {
      let s = this.#b2[c]!;
      for (let j = 0; j < H; j++) s += h[j]! * this.#w2[j * n + c]!;
      logits[c] = s;
      max = Math.max(max, s);
    }
    let sum = 0;
    for (let c = 0; c < n; c++) sum += Math.exp(logits[c]! - max);
    const p = Float32Array.from(logits, (l) => Math.exp(l - max) / sum);
    return { h, p };
  }

  async predict(batch: Tensor): Promise<Tensor> {
    const rows = this.#check(batch);
    const n = this.#description.numClasses;
    const out = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const { p } = this.#forward(batch.data.subarray(r * this.#inputSize, (r + 1) * this.#inputSize));
      if (!p.every(Number.isFinite)) throw new ModelSealError('MODEL_OUTPUT', `the test MLP returned NaN/Inf for sample ${r}`);
      out.set(p, r * n);
    }
    this.#queries += rows;
    return { data: out, shape: [rows, n] };
  }

  async vjp(batch: Tensor, cotangent: Tensor): Promise<VjpResult> {
    const rows = this.#check(batch);
    const n = this.#description.numClasses;
    const H = this.#hidden;
    const gradient = new Float32Array(batch.data.length);
    const probabilities = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const x = batch.data.subarray(r * this.#inputSize, (r + 1) * this.#inputSize);
      const { h, p } = this.#forward(x);
      probabilities.set(p, r * n);
      // Softmax pullback: dL/dz = p ⊙ (c − ⟨c, p⟩).
      let dot = 0;
      for (let c = 0; c < n; c++) dot += cotangent.data[r * n + c]! * p[c]!;
      const dz = new Float64Array(n);
      for (let c = 0; c < n; c++) dz[c] = p[c]! * (cotangent.data[r * n + c]! - dot);
      const dpre = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += dz[c]! * this.#w2[j * n + c]!;
        dpre[j] = s * (1 - h[j]! * h[j]!);
      }
      for (let i = 0; i < this.#inputSize; i++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += dpre[j]! * this.#w1[i * H + j]!;
        gradient[r * this.#inputSize + i] = s;
      }
    }
    this.#queries += rows;
    return { gradient: { data: gradient, shape: [...batch.shape] }, probabilities: { data: probabilities, shape: [rows, n] } };
  }

  /** Mini-batch SGD on mean cross-entropy with the same hand-written backprop (no batch-norm, so both modes agree). */
  async fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
    const params = parseFineTuneParams(options);
    const count = checkLabelledBatch(options, this.#description, 'fine-tuning data');
    const before = await snapshotWeights(this.weights);
    const nextBatch = batchSampler(count, params.batchSize, params.seed);
    const n = this.#description.numClasses;
    const H = this.#hidden;
    const D = this.#inputSize;
    const losses: number[] = [];
    for (let step = 1; step <= params.steps; step++) {
      throwIfAborted(options.signal);
      const indices = nextBatch();
      const gw1 = new Float64Array(this.#w1.length);
      const gb1 = new Float64Array(H);
      const gw2 = new Float64Array(this.#w2.length);
      const gb2 = new Float64Array(n);
      let loss = 0;
      for (const index of indices) {
        const x = options.images.data.subarray(index * D, (index + 1) * D);
        const { h, p } = this.#forward(x);
        const label = options.labels[index]!;
        loss -= Math.log(Math.max(p[label]!, 1e-30));
        const dz = Float64Array.from(p, (v, c) => v - (c === label ? 1 : 0));
        for (let j = 0; j < H; j++) {
          let s = 0;
          for (let c = 0; c < n; c++) {
            gw2[j * n + c] = gw2[j * n + c]! + h[j]! * dz[c]!;
            s += dz[c]! * this.#w2[j * n + c]!;
          }
          const dpre = s * (1 - h[j]! * h[j]!);
          gb1[j] = gb1[j]! + dpre;
          for (let i = 0; i < D; i++) gw1[i * H + j] = gw1[i * H + j]! + x[i]! * dpre;
        }
        for (let c = 0; c < n; c++) gb2[c] = gb2[c]! + dz[c]!;
      }
      const rate = params.learningRate / indices.length;
      const update = (w: Float32Array, g: Float64Array): void => {
        for (let k = 0; k < w.length; k++) w[k] = w[k]! - rate * g[k]!;
      };
      update(this.#w1, gw1);
      update(this.#b1, gb1);
      update(this.#w2, gw2);
      update(this.#b2, gb2);
      losses.push(loss / indices.length);
      options.onStep?.({ step, steps: params.steps, loss: loss / indices.length });
    }
    return { losses, weights: await diffWeights(this.weights, before) };
  }

  readonly weights = {
    list: async (): Promise<WeightInfo[]> => [
      { name: 'w1', shape: [this.#inputSize, this.#hidden], dtype: 'float32', trainable: true },
      { name: 'b1', shape: [this.#hidden], dtype: 'float32', trainable: true },
      { name: 'w2', shape: [this.#hidden, this.#description.numClasses], dtype: 'float32', trainable: true },
      { name: 'b2', shape: [this.#description.numClasses], dtype: 'float32', trainable: true },
    ],
    read: async (name: string): Promise<Float32Array> => this.#tensor(name).slice(),
    write: async (name: string, values: Float32Array): Promise<void> => {
      const target = this.#tensor(name);
      if (values.length !== target.length) {
        throw new ModelSealError('INPUT_SHAPE', `weight "${name}" has ${target.length} values, got ${values.length}`);
      }
      target.set(values);
    },
    save: async (): Promise<void> => {
      throw new ModelSealError('UNSUPPORTED', 'the test MLP adapter cannot be saved');
    },
  };

  #tensor(name: string): Float32Array {
    const map: Record<string, Float32Array> = { w1: this.#w1, b1: this.#b1, w2: this.#w2, b2: this.#b2 };
    const found = map[name];
    if (!found) throw new ModelSealError('INVALID_ARGUMENT', `the test MLP has no weight "${name}"`);
    return found;
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
  }
}
