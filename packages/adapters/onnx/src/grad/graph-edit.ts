import { toNumber, type DimensionProto, type ModelProto, type ValueInfoProto } from '../proto/types.ts';

/** Helpers shared by the generated models that add inputs and outputs to a forward graph. */

export function valueInfo(name: string, elemType: number, dims: readonly DimensionProto[] | undefined): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: elemType, ...(dims ? { shape: { dim: [...dims] } } : {}) } } };
}

export function staticDims(dims: readonly number[]): DimensionProto[] {
  return dims.map((d) => ({ dim_value: d }));
}

export function allNames(model: ModelProto): Set<string> {
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

export function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/**
 * Raises the default-domain opset to what the emitted nodes need. Operators with
 * gradient rules, and those classifiers put around them, mean the same from opset 13
 * to 16 (16 only adds types and reductions; RoiAlign, a detection op, is the exception).
 */
export function raiseOpset(model: ModelProto, current: number, required: number): void {
  if (required <= current) return;
  model.opset_import = (model.opset_import ?? []).map((entry) =>
    entry.domain === '' || entry.domain === undefined || entry.domain === 'ai.onnx' ? { ...entry, version: required } : entry,
  );
  if (toNumber(model.ir_version) < 8) model.ir_version = 8;
}
