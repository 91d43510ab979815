import { makeAttributes, type AttributeValue } from '../graph/attributes.ts';
import { int64Tensor, realTensor } from '../graph/tensors.ts';
import type { NodeProto, TensorProto } from '../proto/types.ts';

/**
 * Emits the nodes and constants of the backward graph under fresh names that cannot
 * collide with the model's own values, and records the opset the emitted nodes need.
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** Lowest default-domain opset version under which every emitted node means what we intend. */
  requiredOpset = 13;
  readonly #taken: Set<string>;
  readonly #shapeOf = new Map<string, string>();
  #counter = 0;

  /**
   * @param takenNames every value and node name already in the model
   * @param floatType the model's float element type (TensorProto.DataType), used for emitted constants
   */
  constructor(
    takenNames: Iterable<string>,
    readonly floatType: number,
  ) {
    this.#taken = new Set(takenNames);
  }

  fresh(hint: string): string {
    let name: string;
    do {
      name = `modelseal_grad/${hint}_${this.#counter++}`;
    } while (this.#taken.has(name));
    this.#taken.add(name);
    return name;
  }

  /** Adds a node and returns its output names. */
  nodeOutputs(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue | undefined>> = {},
    outputCount = 1,
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(opType));
    this.nodes.push({
      name: this.fresh(`${opType}_node`),
      op_type: opType,
      input: [...inputs],
      output: outputs,
      attribute: makeAttributes(attributes),
    });
    return outputs;
  }

  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue | undefined>> = {}): string {
    return this.nodeOutputs(opType, inputs, attributes)[0]!;
  }

  /** A float constant in the model's precision. */
  constant(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.push(realTensor(name, dims, values, this.floatType));
    return name;
  }

  scalar(value: number): string {
    return this.constant([value], []);
  }

  int64Constant(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('int64');
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }

  /** Shape(x), emitted once per value. */
  shape(value: string): string {
    let shape = this.#shapeOf.get(value);
    if (shape === undefined) {
      shape = this.op('Shape', [value]);
      this.#shapeOf.set(value, shape);
    }
    return shape;
  }

  /** Reshape `value` to the (run-time) shape of `like`. */
  reshapeLike(value: string, like: string): string {
    return this.op('Reshape', [value, this.shape(like)]);
  }

  reduceSum(value: string, axes: readonly number[], keepDims: boolean): string {
    return this.op('ReduceSum', [value, this.int64Constant(axes)], { keepdims: keepDims ? 1 : 0 });
  }

  /** Adds up gradient contributions; one contribution is passed through unchanged. */
  sum(values: readonly string[]): string {
    if (values.length === 1) return values[0]!;
    if (values.length === 2) return this.op('Add', values);
    return this.op('Sum', values);
  }

  /**
   * Sums `grad` (static shape `gradShape`) down to the shape of `target`
   * (static shape `targetShape`), undoing numpy-style broadcasting.
   */
  unbroadcast(grad: string, gradShape: readonly number[], target: string, targetShape: readonly number[]): string {
    const lead = gradShape.length - targetShape.length;
    const axes: number[] = [];
    for (let axis = 0; axis < gradShape.length; axis++) {
      const targetDim = axis < lead ? undefined : targetShape[axis - lead];
      if (targetDim === undefined || (targetDim === 1 && gradShape[axis] !== 1)) axes.push(axis);
    }
    if (axes.length === 0) return grad;
    const reduced = this.reduceSum(grad, axes, true);
    return this.reshapeLike(reduced, target);
  }

  requireOpset(version: number): void {
    this.requiredOpset = Math.max(this.requiredOpset, version);
  }
}
