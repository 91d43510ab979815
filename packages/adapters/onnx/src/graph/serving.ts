import { cloneModel } from '../proto/codec.ts';
import { DataType, type ModelProto, type TensorProto } from '../proto/types.ts';
import { makeAttributes } from './attributes.ts';

export interface ServingModel {
  readonly model: ModelProto;
  /** The single output the adapter reads: probabilities, or the model's own output when it already is. */
  readonly outputName: string;
}

function takenNames(model: ModelProto): Set<string> {
  const names = new Set<string>();
  const graph = model.graph ?? {};
  for (const node of graph.node ?? []) for (const name of [...(node.input ?? []), ...(node.output ?? []), node.name ?? '']) names.add(name);
  for (const value of [...(graph.input ?? []), ...(graph.output ?? [])]) names.add(value.name ?? '');
  return names;
}

/**
 * The model as the adapter runs it: only its first output, followed by a Softmax
 * when that output is logits, so that probabilities (and, in the gradient model,
 * their vector–Jacobian product) come out of ONNX Runtime in one pass.
 */
export function servingModel(source: ModelProto, outputName: string, applySoftmax: boolean): ServingModel {
  const model = cloneModel(source);
  const graph = model.graph!;
  const original = (graph.output ?? []).find((v) => v.name === outputName) ?? { name: outputName };
  if (!applySoftmax) {
    graph.output = [original];
    return { model, outputName };
  }
  const taken = takenNames(model);
  let probabilities = 'modelseal_probabilities';
  for (let k = 1; taken.has(probabilities); k++) probabilities = `modelseal_probabilities_${k}`;
  graph.node = [
    ...(graph.node ?? []),
    { name: `${probabilities}/Softmax`, op_type: 'Softmax', input: [outputName], output: [probabilities], attribute: makeAttributes({ axis: 1 }) },
  ];
  const shape = original.type?.tensor_type?.shape;
  graph.output = [{ name: probabilities, type: { tensor_type: { elem_type: DataType.FLOAT, ...(shape ? { shape } : {}) } } }];
  return { model, outputName: probabilities };
}

/** A copy of `model` whose initializers are replaced by `current(name)` where it gives one. */
export function withInitializers(model: ModelProto, current: (name: string) => TensorProto | undefined): ModelProto {
  const copy = cloneModel(model);
  copy.graph!.initializer = (copy.graph!.initializer ?? []).map((t) => current(t.name ?? '') ?? t);
  return copy;
}
