import { mkdtemp, readFile, rm, truncate, unlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { isModelSealError } from '@modelseal/core';
import { TfjsAdapter } from '../adapter.ts';
import { saveTinyLayersModel, writeTinyGraphModel } from '../testing/fixtures.ts';
import { readModelFiles, resolveModelJsonPath } from './modelFiles.ts';

const root = await mkdtemp(path.join(tmpdir(), 'modelseal-tfjs-files-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function loadError(location: string): Promise<{ code: string; message: string }> {
  try {
    await TfjsAdapter.load({ path: location });
  } catch (error) {
    if (isModelSealError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`loading ${location} succeeded`);
}

let counter = 0;
let folder: string;
beforeEach(async () => {
  folder = await saveTinyLayersModel(path.join(root, `model-${counter++}`));
});

describe('reading TF.js model files', () => {
  it('accepts the folder or its model.json and detects the format', async () => {
    expect(await resolveModelJsonPath(folder)).toBe(path.join(folder, 'model.json'));
    const files = await readModelFiles(path.join(folder, 'model.json'));
    expect(files.format).toBe('layers-model');
    expect(files.weightFiles.map((file) => path.basename(file.path))).toEqual(['weights.bin']);
    const graph = await readModelFiles(await writeTinyGraphModel(path.join(root, `graph-${counter++}`)));
    expect(graph.format).toBe('graph-model');
  });

  it('detects a LayersModel without a format field by its Keras class name', async () => {
    const file = path.join(folder, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    delete json.format;
    await writeFile(file, JSON.stringify(json));
    expect((await readModelFiles(folder)).format).toBe('layers-model');
  });

  it('fingerprints model.json and weights, and notices a changed weight byte', async () => {
    const before = (await readModelFiles(folder)).fingerprint;
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect((await readModelFiles(folder)).fingerprint).toBe(before);
    const weights = path.join(folder, 'weights.bin');
    const bytes = await readFile(weights);
    bytes[10] = bytes[10]! ^ 1;
    await writeFile(weights, bytes);
    expect((await readModelFiles(folder)).fingerprint).not.toBe(before);
  });

  it('names a missing weights file', async () => {
    await unlink(path.join(folder, 'weights.bin'));
    const error = await loadError(folder);
    expect(error.code).toBe('MODEL_LOAD');
    expect(error.message).toContain('weights.bin');
    expect(error.message).toContain('missing');
  });

  it('says how many bytes truncated weights lack', async () => {
    const weights = path.join(folder, 'weights.bin');
    const size = (await readFile(weights)).length;
    await truncate(weights, size - 8);
    const error = await loadError(folder);
    expect(error.code).toBe('MODEL_LOAD');
    expect(error.message).toContain(`weights.bin is ${size - 8} bytes but the manifest`);
    expect(error.message).toContain(`needs ${size}`);
  });

  it('rejects model.json that is not JSON, naming the file', async () => {
    await writeFile(path.join(folder, 'model.json'), '{"modelTopology": ');
    const error = await loadError(folder);
    expect(error.code).toBe('MODEL_LOAD');
    expect(error.message).toContain(path.join(folder, 'model.json'));
    expect(error.message).toContain('not valid JSON');
  });

  it('rejects JSON that is not a TF.js model', async () => {
    await writeFile(path.join(folder, 'model.json'), '{"hello": 1}');
    expect((await loadError(folder)).message).toContain('no modelTopology');
    await writeFile(path.join(folder, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": "x"}]}');
    expect((await loadError(folder)).message).toContain('malformed weightsManifest');
  });

  it('refuses weight paths that leave the model folder', async () => {
    const file = path.join(folder, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json.weightsManifest[0].paths = ['../../etc/passwd'];
    await writeFile(file, JSON.stringify(json));
    const error = await loadError(folder);
    expect(error.code).toBe('MODEL_LOAD');
    expect(error.message).toContain('outside the model folder');
  });

  it('explains a missing model or a folder without model.json', async () => {
    expect((await loadError(path.join(root, 'nope'))).message).toContain('does not exist');
    const empty = path.join(root, `empty-${counter++}`);
    await mkdir(empty);
    expect((await loadError(empty)).message).toContain('has no model.json');
  });

  it('wraps a topology TF.js cannot build as MODEL_LOAD', async () => {
    const file = path.join(folder, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json.modelTopology.config.layers[0].class_name = 'NoSuchLayer';
    await writeFile(file, JSON.stringify(json));
    const error = await loadError(folder);
    expect(error.code).toBe('MODEL_LOAD');
    expect(error.message).toContain('NoSuchLayer');
  });
});
