import * as ort from 'onnxruntime-node';
import { prepareGradientModel } from '../grad/prepare.ts';
import { planGradient } from '../grad/plan.ts';
import { encodeModel } from '../proto/codec.ts';
import { DataType, toNumber, type ModelProto } from '../proto/types.ts';
import { seededValues } from './synthetic.ts';

export interface GradientCheckOptions {
  /** Full input dims including the batch. */
  readonly inputDims: readonly number[];
  /** Central-difference step (float32 models need a large one; linear maps tolerate any). */
  readonly step: number;
  readonly seed?: number;
  readonly inputRange?: readonly [number, number];
  /** At most this many coordinates are checked (evenly spread). */
  readonly maxCoordinates?: number;
}

export interface GradientCheckResult {
  /** max |analytic − numeric| / max |analytic| over the checked coordinates. */
  readonly relativeError: number;
  readonly gradientScale: number;
  readonly checked: number;
}

type FloatArray = Float32Array | Float64Array;

/**
 * Compares the backward graph's input gradient of ⟨f(x), c⟩ with central finite
 * differences, coordinate by coordinate, on the model's own precision.
 */
export async function checkGradient(model: ModelProto, options: GradientCheckOptions): Promise<GradientCheckResult> {
  const graph = model.graph!;
  const inputName = graph.input![0]!.name!;
  const outputName = graph.output![0]!.name!;
  const floatType = graph.input![0]!.type?.tensor_type?.elem_type ?? DataType.FLOAT;
  const opset = toNumber(model.opset_import?.[0]?.version);
  const make = (data: number[] | FloatArray): FloatArray => (floatType === DataType.DOUBLE ? Float64Array.from(data) : Float32Array.from(data));
  const ortType = floatType === DataType.DOUBLE ? 'float64' : 'float32';
  const options_ = { executionProviders: ['cpu'], intraOpNumThreads: 1 } as const;

  const count = options.inputDims.reduce((a, b) => a * b, 1);
  const [lo, hi] = options.inputRange ?? [-1, 1];
  const x = make(seededValues(count, options.seed ?? 11, lo, hi));
  const forward = await ort.InferenceSession.create(encodeModel(model), options_);
  const run = async (input: FloatArray): Promise<FloatArray> =>
    (await forward.run({ [inputName]: new ort.Tensor(ortType, input, options.inputDims) }))[outputName]!.data as FloatArray;
  const base = await run(x);
  const cotangent = make(seededValues(base.length, (options.seed ?? 11) + 1));
  const outputDims = (await forward.run({ [inputName]: new ort.Tensor(ortType, x, options.inputDims) }))[outputName]!.dims;

  const plan = planGradient(model, inputName, outputName, opset);
  const gradientModel = await prepareGradientModel(model, plan, {
    opset,
    floatType,
    probeInput: { data: x, dims: options.inputDims },
    openSession: (bytes) => ort.InferenceSession.create(bytes, options_),
  });
  const backward = await ort.InferenceSession.create(encodeModel(gradientModel.model), options_);
  const result = await backward.run({
    [inputName]: new ort.Tensor(ortType, x, options.inputDims),
    [gradientModel.cotangentName]: new ort.Tensor(ortType, cotangent, outputDims),
  });
  const analytic = result[gradientModel.gradientName]!.data as FloatArray;

  const objective = async (input: FloatArray): Promise<number> => {
    const out = await run(input);
    let total = 0;
    for (let i = 0; i < out.length; i++) total += out[i]! * cotangent[i]!;
    return total;
  };
  const stride = Math.max(1, Math.ceil(count / (options.maxCoordinates ?? 400)));
  let worst = 0;
  let scale = 0;
  let checked = 0;
  for (let i = 0; i < count; i++) scale = Math.max(scale, Math.abs(analytic[i]!));
  for (let i = 0; i < count; i += stride) {
    const moved = make(x);
    moved[i] = x[i]! + options.step;
    const up = await objective(moved);
    moved[i] = x[i]! - options.step;
    const down = await objective(moved);
    const numeric = (up - down) / (2 * options.step);
    worst = Math.max(worst, Math.abs(numeric - analytic[i]!));
    checked++;
  }
  await forward.release();
  await backward.release();
  return { relativeError: worst / Math.max(scale, 1e-12), gradientScale: scale, checked };
}
