import * as tf from '@tensorflow/tfjs';
import { ModelSealError, type WeightInfo } from '@modelseal/core';
import { fileLoadHandler, type ModelFiles } from '../io/modelFiles.ts';
import { fileSaveHandler } from '../io/saveHandler.ts';
import { unknownWeight, type LoadedModel } from './loadedModel.ts';

type Variable = tf.LayersModel['weights'][number];

function isSoftmaxLayer(layer: tf.layers.Layer | undefined): boolean {
  if (!layer) return false;
  if (layer.getClassName() === 'Softmax') return true;
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return activation === 'softmax';
}

export class LayersModelHandle implements LoadedModel {
  readonly format = 'layers-model' as const;
  readonly #model: tf.LayersModel;
  readonly #variables = new Map<string, Variable>();

  constructor(model: tf.LayersModel, where: string) {
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new ModelSealError(
        'UNSUPPORTED',
        `${where} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; ModelSeal needs a classifier with one input and one output`,
      );
    }
    this.#model = model;
    // originalName is what the model's own files call a weight; `name` gets a
    // process-wide uniqueness suffix when the same model is loaded twice.
    for (const variable of model.weights) {
      if (variable.dtype === 'float32') this.#variables.set(variable.originalName, variable);
    }
  }

  static async load(files: ModelFiles): Promise<LayersModelHandle> {
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(fileLoadHandler(files));
    } catch (error) {
      throw new ModelSealError('MODEL_LOAD', `TF.js cannot load the LayersModel ${files.modelJsonPath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      return new LayersModelHandle(model, files.modelJsonPath);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  static wrap(model: tf.LayersModel, where = 'the LayersModel'): LayersModelHandle {
    return new LayersModelHandle(model, where);
  }

  declaredInputShape(): Array<number | undefined> | undefined {
    return this.#model.inputs[0]!.shape.slice(1).map((dim) => (dim === null || dim < 0 ? undefined : dim));
  }

  endsInSoftmax(): boolean {
    return isSoftmaxLayer(this.#model.outputLayers[0] ?? this.#model.layers.at(-1));
  }

  async prepare(): Promise<void> {}

  forward(input: tf.Tensor): tf.Tensor {
    // apply() rather than predict(): predict() re-batches by 32, and vjp must run the same computation as predict.
    return this.#model.apply(input, { training: false }) as tf.Tensor;
  }

  listWeights(): WeightInfo[] {
    return [...this.#variables].map(([name, variable]) => ({
      name,
      shape: [...variable.read().shape],
      dtype: 'float32' as const,
      trainable: variable.trainable,
    }));
  }

  #variable(name: string): Variable {
    const variable = this.#variables.get(name);
    if (!variable) throw unknownWeight(name, [...this.#variables.keys()]);
    return variable;
  }

  async readWeight(name: string): Promise<Float32Array> {
    return (await this.#variable(name).read().data()) as Float32Array;
  }

  writeWeight(name: string, values: Float32Array): void {
    const variable = this.#variable(name);
    // The copy keeps later changes to the caller's array out of the model (the cpu backend would alias it).
    tf.tidy(() => {
      variable.write(tf.tensor(values.slice(), variable.read().shape));
    });
  }

  async save(folder: string): Promise<void> {
    await this.#model.save(fileSaveHandler(folder));
  }

  getLayersModel(): tf.LayersModel {
    return this.#model;
  }

  dispose(): void {
    this.#model.dispose();
  }
}
