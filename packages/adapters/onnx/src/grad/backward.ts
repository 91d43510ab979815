import { realTensor, tensorDims } from '../graph/tensors.ts';
import { cloneModel } from '../proto/codec.ts';
import type { ModelProto } from '../proto/types.ts';
import { backpropagate } from './backpropagate.ts';
import { GraphBuilder } from './builder.ts';
import { allNames, raiseOpset, uniqueName, valueInfo } from './graph-edit.ts';
import { zerothOrderHint, type GradientPlan } from './plan.ts';

export interface GradientModel {
  /** The forward graph plus the backward graph, as one ONNX model. */
  readonly model: ModelProto;
  /** Extra graph input: the gradient of the objective with respect to the model output, same shape as the output. */
  readonly cotangentName: string;
  /** Graph outputs: the model's own output, then the gradient with respect to the model input. */
  readonly outputName: string;
  readonly gradientName: string;
}

export interface GradientModelOptions {
  /** Static shapes of `plan.shapeValues` (and optionally any other value), measured at one batch size. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** TensorProto.DataType of the model's input and output (FLOAT, or DOUBLE in tests). */
  readonly floatType: number;
  readonly opset: number;
}

/** Shapes measured by the probe run, falling back to the initializers' own dims. */
export function shapeLookup(model: ModelProto, shapes: ReadonlyMap<string, readonly number[]>): (value: string) => readonly number[] {
  const initializerDims = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', tensorDims(t)] as const));
  return (value) => {
    const dims = shapes.get(value) ?? initializerDims.get(value);
    if (dims === undefined) throw new Error(`no static shape known for value "${value}"`);
    return dims;
  };
}

/**
 * Writes the backward pass as ONNX nodes next to the forward graph, so that ONNX
 * Runtime computes the vector–Jacobian product itself, with its own kernels and
 * execution provider.
 */
export function buildGradientModel(source: ModelProto, plan: GradientPlan, options: GradientModelOptions): GradientModel {
  const model = cloneModel(source);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const taken = allNames(model);
  const cotangentName = uniqueName('modelseal_cotangent', taken);
  const gradientName = uniqueName('modelseal_input_gradient', taken);
  const builder = new GraphBuilder(taken, options.floatType);

  const gradientOf = backpropagate(
    {
      builder,
      nodes,
      trace: plan,
      shape: shapeLookup(model, options.shapes),
      refusal: (label, reason) => `exact gradients are not available: the ${label} is not supported because ${reason}. ${zerothOrderHint()}`,
    },
    new Map([[plan.outputName, cotangentName]]),
  );

  const gradient =
    gradientOf(plan.inputName) ??
    // The output does not depend on the input at all: its gradient is exactly zero.
    builder.op('ConstantOfShape', [builder.shape(plan.inputName)], { value: realTensor('', [1], [0], options.floatType) });
  builder.nodes.push({ name: builder.fresh('output_node'), op_type: 'Identity', input: [gradient], output: [gradientName] });

  const inputInfo = (graph.input ?? []).find((v) => v.name === plan.inputName);
  const outputInfo = (graph.output ?? []).find((v) => v.name === plan.outputName) ?? { name: plan.outputName };
  const outputDims = outputInfo.type?.tensor_type?.shape?.dim;
  graph.node = [...nodes, ...builder.nodes];
  graph.initializer = [...(graph.initializer ?? []), ...builder.initializers];
  graph.input = [...(graph.input ?? []), valueInfo(cotangentName, options.floatType, outputDims)];
  graph.output = [outputInfo, valueInfo(gradientName, options.floatType, inputInfo?.type?.tensor_type?.shape?.dim)];
  raiseOpset(model, options.opset, builder.requiredOpset);
  return { model, cotangentName, outputName: plan.outputName, gradientName };
}
