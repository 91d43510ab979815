import { makeAttributes, type AttributeValue } from '../graph/attributes.ts';
import { realTensor, int64Tensor } from '../graph/tensors.ts';
import { DataType, type ModelProto, type NodeProto, type TensorProto } from '../proto/types.ts';

/** Small ONNX models built in code, for tests of operators the real fixtures lack. */
export interface SyntheticNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, AttributeValue | undefined>>;
  readonly name?: string;
  readonly domain?: string;
}

export interface SyntheticModel {
  readonly nodes: readonly SyntheticNode[];
  /** Float initializers: name → [dims, values]. */
  readonly weights?: Readonly<Record<string, readonly [readonly number[], readonly number[]]>>;
  readonly int64Weights?: Readonly<Record<string, readonly number[]>>;
  /** Input dims; strings are symbolic (the batch). */
  readonly input: { readonly name: string; readonly dims: readonly (number | string)[] };
  readonly output: string;
  readonly opset?: number;
  readonly floatType?: number;
}

export function syntheticModel(spec: SyntheticModel): ModelProto {
  const floatType = spec.floatType ?? DataType.FLOAT;
  const initializers: TensorProto[] = [
    ...Object.entries(spec.weights ?? {}).map(([name, [dims, values]]) => realTensor(name, dims, values, floatType)),
    ...Object.entries(spec.int64Weights ?? {}).map(([name, values]) => int64Tensor(name, [values.length], values)),
  ];
  const nodes: NodeProto[] = spec.nodes.map((node, i) => ({
    name: node.name ?? `${node.op.toLowerCase()}_${i}`,
    op_type: node.op,
    domain: node.domain ?? '',
    input: [...node.inputs],
    output: [...node.outputs],
    attribute: makeAttributes(node.attributes ?? {}),
  }));
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: spec.opset ?? 17 }],
    producer_name: 'modelseal-tests',
    graph: {
      name: 'synthetic',
      node: nodes,
      initializer: initializers,
      input: [
        {
          name: spec.input.name,
          type: {
            tensor_type: {
              elem_type: floatType,
              shape: { dim: spec.input.dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
            },
          },
        },
      ],
      output: [{ name: spec.output, type: { tensor_type: { elem_type: floatType } } }],
    },
  };
}

/** Deterministic pseudo-random values in [lo, hi) (tests need reproducible weights, not good randomness). */
export function seededValues(count: number, seed: number, lo = -1, hi = 1): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return lo + ((state >>> 0) / 4294967296) * (hi - lo);
  });
}
