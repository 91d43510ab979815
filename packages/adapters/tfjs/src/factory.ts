import { stat } from 'node:fs/promises';
import path from 'node:path';
import { defineAdapterFactory } from '@modelseal/core';
import { TfjsAdapter } from './adapter.ts';
import { tfjsConfigSchema } from './config.ts';
import { MODEL_JSON } from './io/modelFiles.ts';
import { SIDECAR_FILE } from './io/sidecar.ts';

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A model.json file (not our sidecar) or a folder holding one; URLs belong to other adapters. */
export async function isTfjsModelLocation(location: string): Promise<boolean> {
  if (URL_SCHEME.test(location)) return false;
  const base = path.basename(location);
  if (base.endsWith(MODEL_JSON) && base !== SIDECAR_FILE) return true;
  try {
    if (!(await stat(location)).isDirectory()) return false;
    return (await stat(path.join(location, MODEL_JSON))).isFile();
  } catch {
    return false;
  }
}

export const tfjsAdapterFactory = defineAdapterFactory({
  kind: 'tfjs',
  title: 'TensorFlow.js model',
  description:
    'A TF.js LayersModel or GraphModel saved as model.json plus weight files, run in-process (wasm or cpu, or tfjs-node when installed) with exact gradients',
  configSchema: tfjsConfigSchema,
  matchesLocation: isTfjsModelLocation,
  configFromLocation: (location: string) => ({ path: location }),
  create: (config, context) => TfjsAdapter.load(config, context),
});
