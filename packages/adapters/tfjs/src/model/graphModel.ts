import * as tf from '@tensorflow/tfjs';
import { ModelSealError, type WeightInfo } from '@modelseal/core';
import { toArtifacts, type ModelFiles } from '../io/modelFiles.ts';
import { fileSaveHandler } from '../io/saveHandler.ts';
import { unknownWeight, type LoadedModel } from './loadedModel.ts';

interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
}

// Ops that pass their input through unchanged: the softmax may sit behind them.
const PASS_THROUGH = new Set(['Identity', 'IdentityN', 'StopGradient', 'Snapshot']);
// Converted graphs keep batch-norm statistics only when grappler did not fold them into the convolutions.
const RUNNING_STATISTIC = /moving_(mean|variance)|running_(mean|var)/i;

function nodeName(reference: string): string {
  return reference.replace(/^\^/, '').replace(/:\d+$/, '');
}

async function loadGraph(artifacts: tf.io.ModelArtifacts, where: string): Promise<tf.GraphModel> {
  try {
    return await tf.loadGraphModel({ load: async () => artifacts });
  } catch (error) {
    throw new ModelSealError('MODEL_LOAD', `TF.js cannot load the GraphModel ${where}: ${(error as Error).message}`, { cause: error });
  }
}

export class GraphModelHandle implements LoadedModel {
  readonly format = 'graph-model' as const;
  readonly #where: string;
  #model: tf.GraphModel;
  #artifacts: tf.io.ModelArtifacts;
  // GraphModel has no public way to swap one weight, so writes collect here and
  // the model is rebuilt from its artifacts before its next use.
  readonly #pending = new Map<string, Float32Array>();
  readonly #inputName: string;
  readonly #outputName: string;

  private constructor(model: tf.GraphModel, artifacts: tf.io.ModelArtifacts, where: string) {
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new ModelSealError(
        'UNSUPPORTED',
        `${where} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; ModelSeal needs a classifier with one input and one output`,
      );
    }
    this.#model = model;
    this.#artifacts = artifacts;
    this.#where = where;
    this.#inputName = model.inputNodes[0]!;
    this.#outputName = model.outputNodes[0]!;
  }

  static async load(files: ModelFiles): Promise<GraphModelHandle> {
    const artifacts = toArtifacts(files);
    const model = await loadGraph(artifacts, files.modelJsonPath);
    try {
      return new GraphModelHandle(model, artifacts, files.modelJsonPath);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  declaredInputShape(): Array<number | undefined> | undefined {
    const shape = this.#model.inputs[0]!.shape;
    return shape?.slice(1).map((dim) => (dim < 0 ? undefined : dim));
  }

  endsInSoftmax(): boolean {
    const nodes = new Map<string, GraphNode>();
    const topology = this.#artifacts.modelTopology as { node?: GraphNode[] };
    for (const node of topology.node ?? []) nodes.set(node.name, node);
    let node = nodes.get(nodeName(this.#outputName));
    for (let hops = 0; node && PASS_THROUGH.has(node.op) && hops < 16; hops++) {
      node = nodes.get(nodeName(node.input?.[0] ?? ''));
    }
    return node?.op === 'Softmax';
  }

  async prepare(): Promise<void> {
    if (this.#pending.size === 0) return;
    const current = this.#model.weights;
    const values: tf.NamedTensorMap = {};
    const created: tf.Tensor[] = [];
    for (const [name, tensors] of Object.entries(current)) {
      const original = tensors[0];
      if (!original) continue;
      const replacement = this.#pending.get(name);
      if (replacement) {
        const tensor = tf.tensor(replacement, original.shape, 'float32');
        created.push(tensor);
        values[name] = tensor;
      } else {
        values[name] = original;
      }
    }
    const encoded = await tf.io.encodeWeights(values);
    tf.dispose(created);
    const artifacts = { ...this.#artifacts, weightSpecs: encoded.specs, weightData: encoded.data };
    const rebuilt = await loadGraph(artifacts, this.#where);
    this.#model.dispose();
    this.#model = rebuilt;
    this.#artifacts = artifacts;
    this.#pending.clear();
  }

  forward(input: tf.Tensor): tf.Tensor {
    return this.#model.execute({ [this.#inputName]: input }, this.#outputName) as tf.Tensor;
  }

  listWeights(): WeightInfo[] {
    const list: WeightInfo[] = [];
    for (const [name, tensors] of Object.entries(this.#model.weights)) {
      const tensor = tensors[0];
      if (tensor?.dtype !== 'float32') continue;
      list.push({ name, shape: [...tensor.shape], dtype: 'float32', trainable: !RUNNING_STATISTIC.test(name) });
    }
    return list;
  }

  #tensor(name: string): tf.Tensor {
    const tensor = this.#model.weights[name]?.[0];
    if (tensor?.dtype !== 'float32') throw unknownWeight(name, this.listWeights().map((w) => w.name));
    return tensor;
  }

  async readWeight(name: string): Promise<Float32Array> {
    const tensor = this.#tensor(name);
    return this.#pending.get(name)?.slice() ?? ((await tensor.data()) as Float32Array);
  }

  writeWeight(name: string, values: Float32Array): void {
    this.#tensor(name);
    this.#pending.set(name, values.slice());
  }

  async save(folder: string): Promise<void> {
    await this.prepare();
    await fileSaveHandler(folder).save!(this.#artifacts);
  }

  getLayersModel(): undefined {
    return undefined;
  }

  dispose(): void {
    this.#model.dispose();
  }
}
