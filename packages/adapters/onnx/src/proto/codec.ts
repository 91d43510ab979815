import protobuf from 'protobufjs';
import { ONNX_SCHEMA } from './schema.ts';
import type { ModelProto } from './types.ts';

let modelType: protobuf.Type | undefined;

function modelProtoType(): protobuf.Type {
  // Parsed on first use: most processes that import the adapter never touch a model.
  modelType ??= protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes an ONNX file's bytes, keeping unknown fields; throws protobufjs' own error on malformed input. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  return modelProtoType().decode(reader) as unknown as ModelProto;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return modelProtoType().encode(model as protobuf.Message).finish();
}

/**
 * A copy that can be changed without touching `model`. The graph's lists and nodes
 * are copied; tensors are shared, so a copy must replace an initializer rather than
 * mutate it.
 */
export function cloneModel(model: ModelProto): ModelProto {
  const graph = model.graph ?? {};
  const copy = shallowCopy(model);
  copy.opset_import = (model.opset_import ?? []).map((entry) => shallowCopy(entry));
  copy.graph = shallowCopy(graph);
  copy.graph.node = (graph.node ?? []).map((node) => {
    const n = shallowCopy(node);
    n.input = [...(node.input ?? [])];
    n.output = [...(node.output ?? [])];
    n.attribute = [...(node.attribute ?? [])];
    return n;
  });
  copy.graph.initializer = [...(graph.initializer ?? [])];
  copy.graph.input = [...(graph.input ?? [])];
  copy.graph.output = [...(graph.output ?? [])];
  copy.graph.value_info = [...(graph.value_info ?? [])];
  return copy;
}

/** Copies own fields, the prototype (proto3 defaults) and the non-enumerable unknown fields. */
export function shallowCopy<T extends object>(message: T): T {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(message) as object) as T, message);
  const unknowns = (message as { $unknowns?: unknown[] }).$unknowns;
  if (unknowns !== undefined) {
    Object.defineProperty(copy, '$unknowns', { value: [...unknowns], enumerable: false, writable: true, configurable: true });
  }
  return copy;
}
