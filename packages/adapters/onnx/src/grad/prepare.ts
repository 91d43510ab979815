import type { InferenceSession } from 'onnxruntime-node';
import { cloneModel, encodeModel } from '../proto/codec.ts';
import type { ModelProto } from '../proto/types.ts';
import { runForShapes, type FloatFeed } from '../runtime/session.ts';
import { buildGradientModel, type GradientModel } from './backward.ts';
import type { GradientPlan } from './plan.ts';
import type { TrainingObjective } from './loss.ts';
import { buildWeightGradientModel, type WeightGradientModel } from './weight-gradients.ts';
import type { WeightGradientPlan } from './weight-plan.ts';

export interface PrepareOptions {
  readonly opset: number;
  readonly floatType: number;
  /** A valid model input (any values) at the batch size the shapes are measured at. */
  readonly probeInput: FloatFeed;
  readonly openSession: (model: Uint8Array) => Promise<InferenceSession>;
}

/**
 * Measures the static shape of every value the gradient rules may ask about by
 * running the model once with those values exposed as outputs (ONNX Runtime infers
 * what the file leaves out).
 */
async function measureShapes(
  model: ModelProto,
  plan: GradientPlan | WeightGradientPlan,
  options: PrepareOptions,
): Promise<Map<string, readonly number[]>> {
  const names = [...new Set([plan.outputName, ...plan.shapeValues])];
  const probe = cloneModel(model);
  probe.graph!.output = names.map((name) => ({ name }));
  const session = await options.openSession(encodeModel(probe));
  let shapes: Map<string, readonly number[]>;
  try {
    shapes = await runForShapes(session, { [plan.inputName]: options.probeInput }, names);
  } finally {
    await session.release();
  }
  shapes.set(plan.inputName, [...options.probeInput.dims]);
  return shapes;
}

/** The forward+backward model of the input gradient (vjp). */
export async function prepareGradientModel(model: ModelProto, plan: GradientPlan, options: PrepareOptions): Promise<GradientModel> {
  const shapes = await measureShapes(model, plan, options);
  return buildGradientModel(model, plan, { shapes, floatType: options.floatType, opset: options.opset });
}

/** The forward+backward model of the weight gradients (fine-tuning). */
export async function prepareWeightGradientModel(
  model: ModelProto,
  plan: WeightGradientPlan,
  objective: TrainingObjective,
  options: PrepareOptions,
): Promise<WeightGradientModel> {
  const shapes = await measureShapes(model, plan, options);
  return buildWeightGradientModel(model, plan, { shapes, floatType: options.floatType, opset: options.opset, objective });
}
