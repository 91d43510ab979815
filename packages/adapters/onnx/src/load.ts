import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { decodeModel } from './proto/codec.ts';
import type { ModelProto, TensorProto } from './proto/types.ts';

export interface LoadedModel {
  readonly path: string;
  readonly model: ModelProto;
  /** Hex sha256 of the .onnx file's bytes. */
  readonly fingerprint: string;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** Reads an .onnx file; every failure is a MODEL_LOAD error naming the file. */
export async function loadOnnxFile(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ModelSealError('MODEL_LOAD', `cannot read ONNX model ${path}: ${reason(error)}`, { cause: error });
  }
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    throw new ModelSealError('MODEL_LOAD', `${path} is not a valid ONNX model (${reason(error)})`, { cause: error });
  }
  await inlineExternalData(model, dirname(path), path);
  return { path, model, fingerprint: createHash('sha256').update(bytes).digest('hex') };
}

const EXTERNAL = 1;

/**
 * Models over 2 GB keep tensors in side files. The adapter rebuilds models in memory,
 * so it pulls those bytes in; a saved copy then holds them inline.
 */
async function inlineExternalData(model: ModelProto, folder: string, label: string): Promise<void> {
  const tensors: TensorProto[] = (model.graph?.initializer ?? []).filter((t) => t.data_location === EXTERNAL);
  for (const tensor of tensors) {
    const entries = new Map((tensor.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = entries.get('location') ?? '';
    if (location === '' || isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
      throw new ModelSealError('MODEL_LOAD', `${label}: tensor "${tensor.name ?? ''}" has an invalid external data location "${location}"`);
    }
    let data: Uint8Array;
    try {
      data = await readFile(resolve(folder, location));
    } catch (error) {
      throw new ModelSealError('MODEL_LOAD', `${label}: cannot read external data ${location} of tensor "${tensor.name ?? ''}": ${reason(error)}`);
    }
    const offset = Number(entries.get('offset') ?? '0');
    const length = entries.has('length') ? Number(entries.get('length')) : data.byteLength - offset;
    tensor.raw_data = data.subarray(offset, offset + length);
    tensor.external_data = [];
    tensor.data_location = 0;
  }
}
