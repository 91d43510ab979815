import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelSealError } from '@modelseal/core';
import { MODEL_JSON } from './modelFiles.ts';

export const WEIGHTS_BIN = 'weights.bin';

function modelJsonFor(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelSealError('UNSUPPORTED', 'only models with a JSON topology can be saved as a TF.js model folder');
  }
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  const optional = ['format', 'generatedBy', 'convertedBy', 'trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const;
  for (const key of optional) {
    if (artifacts[key] !== undefined) (json as unknown as Record<string, unknown>)[key] = artifacts[key];
  }
  return json;
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  // A crash mid-write must not leave a model.json that points at half a weights.bin.
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * A TF.js save handler writing `model.json` + a single `weights.bin` into `folder`
 * with node:fs, so `model.save(fileSaveHandler(dir))` works without tfjs-node.
 */
export function fileSaveHandler(folder: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      const json = modelJsonFor(artifacts);
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : new tf.io.CompositeArrayBuffer(artifacts.weightData).slice();
      try {
        await mkdir(folder, { recursive: true });
        await writeAtomically(path.join(folder, WEIGHTS_BIN), new Uint8Array(weights));
        await writeAtomically(path.join(folder, MODEL_JSON), JSON.stringify(json));
      } catch (error) {
        throw new ModelSealError('INVALID_ARGUMENT', `cannot save the TF.js model to ${folder}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(json.modelTopology).length,
          weightSpecsBytes: JSON.stringify(json.weightsManifest).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}
