import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { ModelSealError } from '@modelseal/core';

export type ModelFormat = 'layers-model' | 'graph-model';

export interface WeightFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A TF.js model as read from disk and checked for consistency, before TF.js parses it. */
export interface ModelFiles {
  readonly modelJsonPath: string;
  readonly folder: string;
  readonly format: ModelFormat;
  readonly modelJson: tf.io.ModelJSON;
  /** Every shard, in manifest order (the order TF.js concatenates them in). */
  readonly weightFiles: readonly WeightFile[];
  /** sha256 (hex) over model.json's bytes followed by every shard in manifest order. */
  readonly fingerprint: string;
}

export const MODEL_JSON = 'model.json';

function loadError(message: string, cause?: unknown): ModelSealError {
  return new ModelSealError('MODEL_LOAD', message, cause === undefined ? undefined : { cause });
}

/** Accepts model.json itself or the folder holding it. */
export async function resolveModelJsonPath(location: string): Promise<string> {
  let info;
  try {
    info = await stat(location);
  } catch {
    throw loadError(`TF.js model not found: ${location} does not exist`);
  }
  if (!info.isDirectory()) return location;
  const inside = path.join(location, MODEL_JSON);
  try {
    await stat(inside);
  } catch {
    throw loadError(`the folder ${location} has no ${MODEL_JSON}; point at a TF.js model folder or its model.json`);
  }
  return inside;
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes one weight occupies in its shard, or undefined when it cannot be known up front (strings). */
function specBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const storedType = spec.quantization?.dtype ?? spec.dtype;
  const width = BYTES_PER_ELEMENT[storedType];
  if (width === undefined) return undefined;
  return spec.shape.reduce((size, dim) => size * dim, 1) * width;
}

function detectFormat(json: tf.io.ModelJSON, where: string): ModelFormat {
  if (json.format === 'layers-model' || json.format === 'graph-model') return json.format;
  const topology = json.modelTopology as Record<string, unknown>;
  // Older converters left out `format`; Keras topologies carry a class name, TF graphs a node list.
  if (typeof topology.class_name === 'string' || typeof topology.model_config === 'object') return 'layers-model';
  if (Array.isArray(topology.node)) return 'graph-model';
  throw loadError(
    `${where}: cannot tell whether this is a LayersModel or a GraphModel (no "format" field, and modelTopology has neither class_name nor node)`,
  );
}

function parseModelJson(bytes: Uint8Array, where: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw loadError(`${where} is not valid JSON: ${(error as Error).message}`, error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw loadError(`${where} is not a TF.js model.json: expected a JSON object`);
  }
  const candidate = json as Partial<tf.io.ModelJSON>;
  if (typeof candidate.modelTopology !== 'object' || candidate.modelTopology === null) {
    throw loadError(`${where} is not a TF.js model.json: it has no modelTopology`);
  }
  const manifest = candidate.weightsManifest ?? [];
  const wellFormed =
    Array.isArray(manifest) &&
    manifest.every(
      (group) =>
        typeof group === 'object' &&
        group !== null &&
        Array.isArray(group.paths) &&
        group.paths.every((p) => typeof p === 'string') &&
        Array.isArray(group.weights) &&
        group.weights.every(
          (w) =>
            typeof w?.name === 'string' &&
            typeof w.dtype === 'string' &&
            Array.isArray(w.shape) &&
            w.shape.every((d) => Number.isInteger(d) && d >= 0),
        ),
    );
  if (!wellFormed) {
    throw loadError(
      `${where} has a malformed weightsManifest: expected groups of {paths: string[], weights: {name, shape, dtype}[]}`,
    );
  }
  return { ...candidate, weightsManifest: manifest } as tf.io.ModelJSON;
}

/** A shard path from the manifest, resolved inside the model folder (never outside it). */
function shardPath(folder: string, relative: string, where: string): string {
  const resolved = path.resolve(folder, relative);
  const inside = path.relative(folder, resolved);
  if (path.isAbsolute(relative) || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw loadError(`${where} lists the weight file "${relative}", which lies outside the model folder ${folder}`);
  }
  return resolved;
}

async function readShard(file: string, relative: string, where: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(error as Error).message})`;
    throw loadError(`weight file ${relative} listed in ${where} ${reason}: ${file}`, error);
  }
}

/** Reads model.json and its shards and checks that every shard has exactly the bytes its manifest describes. */
export async function readModelFiles(location: string): Promise<ModelFiles> {
  const modelJsonPath = path.resolve(await resolveModelJsonPath(location));
  const folder = path.dirname(modelJsonPath);
  let modelJsonBytes: Uint8Array;
  try {
    modelJsonBytes = await readFile(modelJsonPath);
  } catch (error) {
    throw loadError(`cannot read ${modelJsonPath}: ${(error as Error).message}`, error);
  }
  const modelJson = parseModelJson(modelJsonBytes, modelJsonPath);
  const format = detectFormat(modelJson, modelJsonPath);

  const weightFiles: WeightFile[] = [];
  for (const group of modelJson.weightsManifest) {
    const shards: WeightFile[] = [];
    for (const relative of group.paths) {
      const file = shardPath(folder, relative, modelJsonPath);
      shards.push({ path: file, bytes: await readShard(file, relative, modelJsonPath) });
    }
    const sizes = group.weights.map(specBytes);
    if (sizes.every((size) => size !== undefined)) {
      const needed = sizes.reduce<number>((sum, size) => sum + size!, 0);
      const actual = shards.reduce((sum, shard) => sum + shard.bytes.length, 0);
      if (actual !== needed) {
        const what = group.paths.length === 1 ? group.paths[0] : `the shards ${group.paths.join(', ')} together`;
        const verb = group.paths.length === 1 ? 'is' : 'are';
        throw loadError(
          `${what} ${verb} ${actual} bytes but the manifest in ${modelJsonPath} needs ${needed} (for ${group.weights.map((w) => w.name).join(', ')})`,
        );
      }
    }
    weightFiles.push(...shards);
  }

  const hash = createHash('sha256').update(modelJsonBytes);
  for (const file of weightFiles) hash.update(file.bytes);
  return { modelJsonPath, folder, format, modelJson, weightFiles, fingerprint: hash.digest('hex') };
}

/** The model as TF.js artifacts: shards joined in manifest order, exactly as TF.js' own loaders join them. */
export function toArtifacts(files: ModelFiles): tf.io.ModelArtifacts {
  const json = files.modelJson;
  const total = files.weightFiles.reduce((sum, file) => sum + file.bytes.length, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const file of files.weightFiles) {
    weightData.set(file.bytes, offset);
    offset += file.bytes.length;
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format ?? files.format,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: weightData.buffer,
  };
  const optional = ['generatedBy', 'convertedBy', 'trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const;
  for (const key of optional) {
    if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

/** A TF.js load handler over files already read and checked (no tfjs-node needed). */
export function fileLoadHandler(files: ModelFiles): tf.io.IOHandler {
  return { load: async () => toArtifacts(files) };
}
