import { existsSync } from 'node:fs';
import { AdapterRegistry, ModelSealError, type ModelAdapter } from '@modelseal/core';
import { tfjsAdapterFactory } from '@modelseal/adapter-tfjs';
import { onnxAdapterFactory } from '@modelseal/adapter-onnx';

/**
 * Every attack needs an untouched copy, and adapters keep their weights in memory,
 * so a fresh copy is simply the model re-opened from its files.
 */
export async function openModel(location: string): Promise<ModelAdapter> {
  if (!existsSync(location)) throw new ModelSealError('MODEL_LOAD', `model not found: ${location}`);
  const registry = new AdapterRegistry().register(tfjsAdapterFactory).register(onnxAdapterFactory);
  const factory = await registry.resolveLocation(location);
  if (!factory?.configFromLocation) {
    throw new ModelSealError('UNKNOWN_ADAPTER', `neither the TF.js nor the ONNX adapter recognises ${location}`);
  }
  return registry.create(factory.kind, factory.configFromLocation(location));
}
