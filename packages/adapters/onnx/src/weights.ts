import { ModelSealError, type WeightInfo } from '@modelseal/core';
import { readFloat32, tensorDims, withFloat32Values, elementCount } from './graph/tensors.ts';
import { DataType, type ModelProto, type TensorProto } from './proto/types.ts';

/** Inputs (by op type and position) that hold learned parameters rather than running statistics or constants. */
const PARAMETER_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  Gemm: [0, 1, 2],
  MatMul: [0, 1],
  BatchNormalization: [1, 2],
  InstanceNormalization: [1, 2],
  LayerNormalization: [1, 2],
  GroupNormalization: [1, 2],
  PRelu: [1],
  // Elementwise ops hold parameters when they come from a decomposed layer (a MatMul's bias, a norm's scale).
  Add: [0, 1],
  Sub: [0, 1],
  Mul: [0, 1],
  Div: [0, 1],
};
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div']);

function trainableNames(model: ModelProto, tensors: ReadonlyMap<string, TensorProto>): Set<string> {
  const names = new Set<string>();
  for (const node of model.graph?.node ?? []) {
    const positions = PARAMETER_INPUTS[node.op_type ?? ''];
    if (!positions) continue;
    for (const position of positions) {
      const name = node.input?.[position] ?? '';
      const tensor = tensors.get(name);
      if (!tensor) continue;
      // A scalar in an elementwise op is a constant (an epsilon, a 1/255), not a parameter.
      if (ELEMENTWISE.has(node.op_type ?? '') && elementCount(tensorDims(tensor)) <= 1) continue;
      names.add(name);
    }
  }
  return names;
}

/**
 * The model's float32 initializers, readable and replaceable by name. Writes replace
 * the TensorProto inside the model (tensors are shared with copies of the model, so
 * they are never mutated in place) and bump `version`, which tells the adapter that
 * its sessions are stale.
 */
export class InitializerStore {
  readonly #model: ModelProto;
  readonly #tensors = new Map<string, TensorProto>();
  readonly #infos: WeightInfo[];
  #version = 0;

  constructor(model: ModelProto) {
    this.#model = model;
    for (const tensor of model.graph?.initializer ?? []) {
      if (tensor.data_type === DataType.FLOAT && tensor.name) this.#tensors.set(tensor.name, tensor);
    }
    const trainable = trainableNames(model, this.#tensors);
    this.#infos = [...this.#tensors.values()].map((tensor) => ({
      name: tensor.name ?? '',
      shape: tensorDims(tensor),
      dtype: 'float32' as const,
      trainable: trainable.has(tensor.name ?? ''),
    }));
  }

  get version(): number {
    return this.#version;
  }

  list(): readonly WeightInfo[] {
    return this.#infos;
  }

  #find(name: string): TensorProto {
    const tensor = this.#tensors.get(name);
    if (!tensor) {
      throw new ModelSealError('INVALID_ARGUMENT', `the model has no float32 initializer named "${name}"`);
    }
    return tensor;
  }

  read(name: string): Float32Array {
    return readFloat32(this.#find(name));
  }

  write(name: string, values: Float32Array): void {
    const tensor = this.#find(name);
    const dims = tensorDims(tensor);
    const expected = elementCount(dims);
    if (values.length !== expected) {
      throw new ModelSealError('INPUT_SHAPE', `initializer "${name}" has shape [${dims.join(', ')}] (${expected} values), got ${values.length} values`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        throw new ModelSealError('NON_FINITE', `value ${i} written to initializer "${name}" is ${values[i]}`);
      }
    }
    const replacement = withFloat32Values(tensor, values);
    const initializers = this.#model.graph!.initializer!;
    initializers[initializers.indexOf(tensor)] = replacement;
    this.#tensors.set(name, replacement);
    this.#version++;
  }

  /** The current tensor for `name`, or undefined when it is not a float32 initializer. */
  current(name: string): TensorProto | undefined {
    return this.#tensors.get(name);
  }
}
