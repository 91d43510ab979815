import { realTensor, tensorDims } from '../graph/tensors.ts';
import { cloneModel } from '../proto/codec.ts';
import { DataType, type ModelProto, type ValueInfoProto } from '../proto/types.ts';
import { shapeLookup } from './backward.ts';
import { backpropagate } from './backpropagate.ts';
import { GraphBuilder } from './builder.ts';
import { allNames, raiseOpset, staticDims, uniqueName, valueInfo } from './graph-edit.ts';
import { objectiveGradient, type TrainingObjective } from './loss.ts';
import type { WeightGradientPlan } from './weight-plan.ts';

export interface TrainedParameter {
  /** The weight's name: an initializer in the source model, a graph input here. */
  readonly name: string;
  readonly dims: readonly number[];
  /** The graph output holding d(objective)/d(weight), same shape as the weight. */
  readonly gradientName: string;
}

export interface WeightGradientModel {
  /** Forward graph, objective and backward graph; the trained weights are graph inputs, not initializers. */
  readonly model: ModelProto;
  readonly inputName: string;
  /** Graph output 0: the model's own output. */
  readonly outputName: string;
  /** Extra graph input shaped like the output: the cotangent (linear objective) or the cross-entropy targets. */
  readonly seedName: string;
  /** Graph outputs 1…: one gradient per trained weight, in this order. */
  readonly parameters: readonly TrainedParameter[];
}

export interface WeightGradientOptions {
  /** Static shapes of `plan.shapeValues` (and the model input), measured at one batch size. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** TensorProto.DataType of the model's input and output. */
  readonly floatType: number;
  readonly opset: number;
  readonly objective: TrainingObjective;
}

/**
 * Builds the model a fine-tune runs every step: the trained weights become graph
 * inputs, so their current values are fed with each run and the session never needs
 * rebuilding, and the backward graph yields the gradient of the objective with
 * respect to each of them. Frozen tensors (running statistics, constants) stay
 * initializers.
 */
export function buildWeightGradientModel(source: ModelProto, plan: WeightGradientPlan, options: WeightGradientOptions): WeightGradientModel {
  const model = cloneModel(source);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const taken = allNames(model);
  const seedName = uniqueName(options.objective.kind === 'linear' ? 'modelseal_cotangent' : 'modelseal_targets', taken);
  const builder = new GraphBuilder(taken, options.floatType);
  const shape = shapeLookup(model, options.shapes);

  const seed = objectiveGradient(builder, options.objective, plan.outputName, seedName);
  const gradientOf = backpropagate(
    {
      builder,
      nodes,
      trace: plan,
      shape,
      refusal: (label, reason) => `cannot fine-tune this ONNX model: the ${label} has no weight gradient because ${reason}`,
    },
    new Map([[plan.outputName, seed]]),
  );

  const trained = new Set(plan.parameters);
  const tensors = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t] as const));
  const parameterInputs: ValueInfoProto[] = [];
  const gradientOutputs: ValueInfoProto[] = [];
  const parameters = plan.parameters.map((name): TrainedParameter => {
    const tensor = tensors.get(name)!;
    const dims = tensorDims(tensor);
    const dataType = tensor.data_type ?? DataType.FLOAT;
    // A weight whose every use is cut off (say, multiplied by a constant zero path) still gets an exact zero.
    const gradient = gradientOf(name) ?? builder.op('ConstantOfShape', [builder.int64Constant(dims)], { value: realTensor('', [1], [0], dataType) });
    const gradientName = uniqueName(`modelseal_weight_gradient/${name}`, taken);
    builder.nodes.push({ name: builder.fresh('output_node'), op_type: 'Identity', input: [gradient], output: [gradientName] });
    parameterInputs.push(valueInfo(name, dataType, staticDims(dims)));
    gradientOutputs.push(valueInfo(gradientName, dataType, staticDims(dims)));
    return { name, dims, gradientName };
  });

  const outputInfo = (graph.output ?? []).find((v) => v.name === plan.outputName) ?? { name: plan.outputName };
  graph.node = [...nodes, ...builder.nodes];
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !trained.has(t.name ?? '')), ...builder.initializers];
  // Old exporters also list initializers among the inputs; those entries are replaced, not duplicated.
  graph.input = [
    ...(graph.input ?? []).filter((v) => !trained.has(v.name ?? '')),
    ...parameterInputs,
    valueInfo(seedName, options.floatType, outputInfo.type?.tensor_type?.shape?.dim),
  ];
  graph.output = [outputInfo, ...gradientOutputs];
  raiseOpset(model, options.opset, builder.requiredOpset);
  return { model, inputName: plan.inputName, outputName: plan.outputName, seedName, parameters };
}
