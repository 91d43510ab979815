import { ModelSealError, type OutputKind } from '@modelseal/core';
import { DataType, toNumber, type ModelProto, type NodeProto, type ValueInfoProto } from '../proto/types.ts';
import { dataTypeName } from './tensors.ts';

/** What the adapter needs to know about a model's interface, read from the file alone. */
export interface ModelInfo {
  readonly inputName: string;
  /** Input dims including the batch; undefined where the file leaves a dim symbolic. */
  readonly inputDims: readonly (number | undefined)[];
  readonly outputName: string;
  readonly outputDims: readonly (number | undefined)[];
  /** Other graph outputs, which the adapter ignores. */
  readonly extraOutputs: readonly string[];
  readonly floatType: number;
  /** Version of the default (ai.onnx) operator set. */
  readonly opset: number;
  /** `probabilities` when the output comes straight from a Softmax, else `logits`. */
  readonly detectedOutputKind: OutputKind;
}

function dims(info: ValueInfoProto): (number | undefined)[] {
  return (info.type?.tensor_type?.shape?.dim ?? []).map((d) => {
    const value = toNumber(d.dim_value);
    return value > 0 ? value : undefined;
  });
}

/** Ops that pass values through unchanged, looked through when deciding what produced the output. */
const TRANSPARENT = new Set(['Identity', 'Dropout', 'Cast', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

function detectOutputKind(nodes: readonly NodeProto[], outputName: string): OutputKind {
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) for (const output of node.output ?? []) producer.set(output, node);
  let current = producer.get(outputName);
  for (let hops = 0; current && TRANSPARENT.has(current.op_type ?? '') && hops < 16; hops++) {
    current = producer.get(current.input?.[0] ?? '');
  }
  // LogSoftmax gives log-probabilities, which softmax turns back into the probabilities exactly.
  return current?.op_type === 'Softmax' ? 'probabilities' : 'logits';
}

export function defaultOpset(model: ModelProto): number {
  const entry = (model.opset_import ?? []).find((e) => e.domain === undefined || e.domain === '' || e.domain === 'ai.onnx');
  return entry ? toNumber(entry.version) : 1;
}

export function inspectModel(model: ModelProto, label: string): ModelInfo {
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) {
    throw new ModelSealError('MODEL_LOAD', `${label} is not an ONNX model: it contains no graph nodes`);
  }
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  // Old exporters list initializers among the inputs too; those are not fed by the caller.
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ''));
  if (inputs.length !== 1) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `${label} has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ') || 'none'}); the ONNX adapter needs a classifier with exactly one input`,
    );
  }
  const input = inputs[0]!;
  const outputs = graph.output ?? [];
  const output = outputs[0];
  if (!output) throw new ModelSealError('MODEL_LOAD', `${label} declares no graph output`);
  const floatType = input.type?.tensor_type?.elem_type ?? DataType.UNDEFINED;
  if (floatType !== DataType.FLOAT) {
    throw new ModelSealError('UNSUPPORTED', `${label}: input "${input.name ?? ''}" is ${dataTypeName(floatType)}; only float32 inputs are supported`);
  }
  const outputType = output.type?.tensor_type?.elem_type;
  if (outputType !== undefined && outputType !== DataType.FLOAT) {
    throw new ModelSealError('UNSUPPORTED', `${label}: output "${output.name ?? ''}" is ${dataTypeName(outputType)}; only float32 outputs are supported`);
  }
  const inputDims = dims(input);
  if (inputDims.length < 2) {
    throw new ModelSealError('UNSUPPORTED', `${label}: input "${input.name ?? ''}" has rank ${inputDims.length}; expected a batch dimension followed by the sample shape`);
  }
  const outputDims = dims(output);
  if (outputDims.length !== 0 && outputDims.length !== 2) {
    throw new ModelSealError('UNSUPPORTED', `${label}: output "${output.name ?? ''}" has rank ${outputDims.length}; expected [batch, classes]`);
  }
  return {
    inputName: input.name ?? '',
    inputDims,
    outputName: output.name ?? '',
    outputDims,
    extraOutputs: outputs.slice(1).map((v) => v.name ?? ''),
    floatType,
    opset: defaultOpset(model),
    detectedOutputKind: detectOutputKind(graph.node ?? [], output.name ?? ''),
  };
}
