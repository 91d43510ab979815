import * as ort from 'onnxruntime-node';
import { defaultOpset } from '../graph/model-info.ts';
import { readNumbers } from '../graph/tensors.ts';
import type { TrainingObjective } from '../grad/loss.ts';
import { prepareWeightGradientModel } from '../grad/prepare.ts';
import { planWeightGradients } from '../grad/weight-plan.ts';
import { encodeModel } from '../proto/codec.ts';
import { DataType, type ModelProto } from '../proto/types.ts';
import { seededValues } from './synthetic.ts';

export interface WeightCheckOptions {
  /** Full input dims including the batch. */
  readonly inputDims: readonly number[];
  /** Central-difference step, added to one weight entry at a time. */
  readonly step: number;
  readonly seed?: number;
  readonly inputRange?: readonly [number, number];
  /** Entries checked per weight, evenly spread over it. */
  readonly entries?: number;
  /** Default: ⟨output, c⟩ for a seeded cotangent c. Cross-entropy uses seeded labels and 1/batch targets. */
  readonly objective?: TrainingObjective;
  /** Weights to train; default every float initializer of the model's precision. */
  readonly candidates?: readonly string[];
}

export interface WeightCheckResult {
  /** Per trained weight: max |analytic − numeric| / max |analytic| over the checked entries. */
  readonly relativeErrors: ReadonlyMap<string, number>;
  /** Per trained weight: max |analytic| over the whole gradient. */
  readonly scales: ReadonlyMap<string, number>;
}

type FloatArray = Float32Array | Float64Array;

async function forwardDims(model: ModelProto, inputName: string, outputName: string, input: ort.Tensor): Promise<readonly number[]> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    return (await session.run({ [inputName]: input }))[outputName]!.dims;
  } finally {
    await session.release();
  }
}

/**
 * Compares the weight gradients of the generated training model with central finite
 * differences of its own forward output, entry by entry, in the model's precision.
 */
export async function checkWeightGradients(model: ModelProto, options: WeightCheckOptions): Promise<WeightCheckResult> {
  const graph = model.graph!;
  const inputName = graph.input![0]!.name!;
  const outputName = graph.output![0]!.name!;
  const floatType = graph.input![0]!.type?.tensor_type?.elem_type ?? DataType.FLOAT;
  const make = (data: ArrayLike<number>): FloatArray => (floatType === DataType.DOUBLE ? Float64Array.from(data) : Float32Array.from(data));
  const ortType = floatType === DataType.DOUBLE ? 'float64' : 'float32';
  const sessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1 } as const;
  const opset = defaultOpset(model);
  const objective = options.objective ?? { kind: 'linear' };
  const seed = options.seed ?? 11;

  const initializers = graph.initializer ?? [];
  const candidates = new Set(options.candidates ?? initializers.filter((t) => t.data_type === floatType).map((t) => t.name ?? ''));
  const plan = planWeightGradients(model, { inputName, outputName, opset, candidates });
  const count = options.inputDims.reduce((a, b) => a * b, 1);
  const [lo, hi] = options.inputRange ?? [-1, 1];
  const x = make(seededValues(count, seed, lo, hi));
  const training = await prepareWeightGradientModel(model, plan, objective, {
    opset,
    floatType,
    probeInput: { data: x, dims: options.inputDims },
    openSession: (bytes) => ort.InferenceSession.create(bytes, sessionOptions),
  });
  const session = await ort.InferenceSession.create(encodeModel(training.model), sessionOptions);
  const values = new Map(training.parameters.map((p) => [p.name, make(readNumbers(initializers.find((t) => t.name === p.name)!))]));
  const run = async (seedValues: FloatArray, seedDims: readonly number[]): Promise<ort.InferenceSession.ReturnType> => {
    const feeds: Record<string, ort.Tensor> = {
      [inputName]: new ort.Tensor(ortType, x, options.inputDims),
      [training.seedName]: new ort.Tensor(ortType, seedValues, seedDims),
    };
    for (const p of training.parameters) feeds[p.name] = new ort.Tensor(ortType, values.get(p.name)!, p.dims);
    return session.run(feeds);
  };

  try {
    const outputDims = await forwardDims(model, inputName, outputName, new ort.Tensor(ortType, x, options.inputDims));
    const outputSize = outputDims.reduce((a, b) => a * b, 1);
    const rows = outputDims[0]!;
    const classes = outputSize / rows;
    const labels = seededValues(rows, seed + 2, 0, classes).map(Math.floor);
    const seedValues =
      objective.kind === 'linear'
        ? make(seededValues(outputSize, seed + 1))
        : make(Array.from({ length: outputSize }, (_, i) => (i % classes === labels[Math.floor(i / classes)] ? 1 / rows : 0)));
    const objectiveValue = (output: FloatArray): number => {
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const row = Array.from(output.subarray(r * classes, (r + 1) * classes));
        const seedRow = seedValues.subarray(r * classes, (r + 1) * classes);
        if (objective.kind === 'linear') {
          row.forEach((v, k) => (total += v * seedRow[k]!));
        } else if (objective.outputKind === 'logits') {
          const max = Math.max(...row);
          const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
          row.forEach((v, k) => (total += seedRow[k]! * (logSum - v)));
        } else {
          row.forEach((v, k) => (total += seedRow[k]! === 0 ? 0 : -seedRow[k]! * Math.log(v)));
        }
      }
      return total;
    };

    const result = await run(seedValues, outputDims);
    const relativeErrors = new Map<string, number>();
    const scales = new Map<string, number>();
    for (const p of training.parameters) {
      const analytic = result[p.gradientName]!.data as FloatArray;
      const weights = values.get(p.name)!;
      let scale = 0;
      for (const v of analytic) scale = Math.max(scale, Math.abs(v));
      const stride = Math.max(1, Math.floor(weights.length / (options.entries ?? 5)));
      let worst = 0;
      for (let i = 0; i < weights.length; i += stride) {
        const original = weights[i]!;
        weights[i] = original + options.step;
        const up = objectiveValue((await run(seedValues, outputDims))[outputName]!.data as FloatArray);
        weights[i] = original - options.step;
        const down = objectiveValue((await run(seedValues, outputDims))[outputName]!.data as FloatArray);
        weights[i] = original;
        worst = Math.max(worst, Math.abs((up - down) / (2 * options.step) - analytic[i]!));
      }
      relativeErrors.set(p.name, worst / Math.max(scale, 1e-12));
      scales.set(p.name, scale);
    }
    return { relativeErrors, scales };
  } finally {
    await session.release();
  }
}
