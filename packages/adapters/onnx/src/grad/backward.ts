import { ModelSealError } from '@modelseal/core';
import { realTensor, tensorDims } from '../graph/tensors.ts';
import { cloneModel } from '../proto/codec.ts';
import { toNumber, type DimensionProto, type ModelProto, type NodeProto, type ValueInfoProto } from '../proto/types.ts';
import { GraphBuilder } from './builder.ts';
import { isDefaultDomain, zerothOrderHint, type GradientPlan } from './plan.ts';
import type { GradientContext } from './rule.ts';
import { gradientRules } from './rules/index.ts';

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

function valueInfo(name: string, elemType: number, dims: readonly DimensionProto[] | undefined): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: elemType, ...(dims ? { shape: { dim: [...dims] } } : {}) } } };
}

function allNames(model: ModelProto): Set<string> {
  const graph = model.graph ?? {};
  const names = new Set<string>();
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])]) names.add(v.name ?? '');
  for (const t of graph.initializer ?? []) names.add(t.name ?? '');
  for (const node of graph.node ?? []) {
    names.add(node.name ?? '');
    for (const name of [...(node.input ?? []), ...(node.output ?? [])]) names.add(name);
  }
  return names;
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/**
 * Writes the backward pass as ONNX nodes next to the forward graph, so that ONNX
 * Runtime computes the vector–Jacobian product itself, with its own kernels and
 * execution provider. Gradients of values read by several nodes are summed.
 */
export function buildGradientModel(source: ModelProto, plan: GradientPlan, options: GradientModelOptions): GradientModel {
  const model = cloneModel(source);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const taken = allNames(model);
  const cotangentName = uniqueName('modelseal_cotangent', taken);
  const gradientName = uniqueName('modelseal_input_gradient', taken);
  const builder = new GraphBuilder(taken, options.floatType);

  const initializerDims = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', tensorDims(t)] as const));
  const shape = (value: string): readonly number[] => {
    const dims = options.shapes.get(value) ?? initializerDims.get(value);
    if (dims === undefined) throw new Error(`no static shape known for value "${value}"`);
    return dims;
  };

  const gradients = new Map<string, string[]>([[plan.outputName, [cotangentName]]]);
  for (const index of [...plan.nodeIndices].reverse()) {
    const node: NodeProto = nodes[index]!;
    const outputGradients = (node.output ?? []).map((name) => {
      const parts = gradients.get(name);
      return parts ? builder.sum(parts) : undefined;
    });
    if (outputGradients.every((g) => g === undefined)) continue;
    const rule = isDefaultDomain(node) ? gradientRules.get(node.op_type ?? '') : undefined;
    const context: GradientContext = {
      builder,
      node,
      shape,
      active: (i) => plan.activeValues.has(node.input?.[i] ?? ''),
      unsupported: (reason) => {
        const label = node.name ? `${node.op_type ?? '?'} node "${node.name}"` : `${node.op_type ?? '?'} node`;
        throw new ModelSealError('UNSUPPORTED', `exact gradients are not available: the ${label} is not supported because ${reason}. ${zerothOrderHint()}`);
      },
    };
    if (!rule) context.unsupported('it has no gradient rule');
    const inputGradients = rule(context, outputGradients);
    (node.input ?? []).forEach((name, i) => {
      const gradient = inputGradients[i];
      if (gradient === undefined || !plan.activeValues.has(name)) return;
      const parts = gradients.get(name);
      if (parts) parts.push(gradient);
      else gradients.set(name, [gradient]);
    });
  }

  const inputParts = gradients.get(plan.inputName);
  const gradient = inputParts
    ? builder.sum(inputParts)
    : // The output does not depend on the input at all: its gradient is exactly zero.
      builder.op('ConstantOfShape', [builder.shape(plan.inputName)], { value: realTensor('', [1], [0], options.floatType) });
  builder.nodes.push({ name: builder.fresh('output_node'), op_type: 'Identity', input: [gradient], output: [gradientName] });

  const inputInfo = (graph.input ?? []).find((v) => v.name === plan.inputName);
  const outputInfo = (graph.output ?? []).find((v) => v.name === plan.outputName) ?? { name: plan.outputName };
  const outputDims = outputInfo.type?.tensor_type?.shape?.dim;
  graph.node = [...nodes, ...builder.nodes];
  graph.initializer = [...(graph.initializer ?? []), ...builder.initializers];
  graph.input = [...(graph.input ?? []), valueInfo(cotangentName, options.floatType, outputDims)];
  graph.output = [outputInfo, valueInfo(gradientName, options.floatType, inputInfo?.type?.tensor_type?.shape?.dim)];

  if (builder.requiredOpset > options.opset) {
    // Operators with gradient rules, and those classifiers put around them, mean the same from
    // opset 13 to 16 (16 only adds types and reductions; RoiAlign, a detection op, is the exception).
    model.opset_import = (model.opset_import ?? []).map((entry) =>
      entry.domain === '' || entry.domain === undefined || entry.domain === 'ai.onnx' ? { ...entry, version: builder.requiredOpset } : entry,
    );
    if (toNumber(model.ir_version) < 8) model.ir_version = 8;
  }
  return { model, cotangentName, outputName: plan.outputName, gradientName };
}
