export { TfjsAdapter } from './adapter.ts';
export { initBackend, useBackend, type BackendInfo, type BackendPreference } from './backend.ts';
export { tfjsConfigSchema, type TfjsConfig, type TfjsConfigInput } from './config.ts';
export { isTfjsModelLocation, tfjsAdapterFactory } from './factory.ts';
export { MODEL_JSON, fileLoadHandler, readModelFiles, resolveModelJsonPath, type ModelFiles, type ModelFormat } from './io/modelFiles.ts';
export { fileSaveHandler, WEIGHTS_BIN } from './io/saveHandler.ts';
export { SIDECAR_FILE, readSidecar, sidecarSchema, writeSidecar, type ModelSidecar } from './io/sidecar.ts';
export { fineTune, type BatchNormMode, type FineTuneOptions, type FineTuneResult, type FineTuneStep } from './training/fineTune.ts';
export {
  backdoorFineTune,
  backdoorFineTuneWith,
  type BackdoorEffect,
  type BackdoorOptions,
  type BackdoorResult,
  type FineTuner,
} from './training/backdoor.ts';
export type { LabelledBatch } from '@modelseal/core';

import { tfjsAdapterFactory } from './factory.ts';

// The names AdapterRegistry.loadPlugin looks for.
export const adapterFactory = tfjsAdapterFactory;
export default tfjsAdapterFactory;
