import type * as tf from '@tensorflow/tfjs';
import { ModelSealError, type WeightInfo } from '@modelseal/core';
import type { ModelFormat } from '../io/modelFiles.ts';

/**
 * What the adapter needs from a TF.js model, whichever of the two model kinds
 * TF.js loaded it as. Implementations assume a single input and a single output.
 */
export interface LoadedModel {
  readonly format: ModelFormat;
  /** Per-sample input shape as declared by the model; undefined entries are unknown dimensions. */
  declaredInputShape(): Array<number | undefined> | undefined;
  /** Whether the model's raw output already is a softmax. */
  endsInSoftmax(): boolean;
  /** Brings pending weight changes into effect; call before `forward`. */
  prepare(): Promise<void>;
  /** Raw output in inference mode; call inside `tf.tidy` (or `tf.grad`). */
  forward(input: tf.Tensor): tf.Tensor;
  listWeights(): WeightInfo[];
  readWeight(name: string): Promise<Float32Array>;
  /** `values` has already been checked against the listed shape. */
  writeWeight(name: string, values: Float32Array): void;
  save(folder: string): Promise<void>;
  getLayersModel(): tf.LayersModel | undefined;
  dispose(): void;
}

export function unknownWeight(name: string, known: readonly string[]): ModelSealError {
  const shown = known.slice(0, 8).join(', ') + (known.length > 8 ? `, … (${known.length} in all)` : '');
  return new ModelSealError('INVALID_ARGUMENT', `the model has no float weight named "${name}" (known: ${shown})`);
}
