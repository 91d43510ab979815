import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { runAdapterConformance } from '@modelseal/core/testing';
import { TfjsAdapter } from './adapter.ts';
import { saveTinyLayersModel, writeTinyGraphModel } from './testing/fixtures.ts';

const root = await mkdtemp(path.join(tmpdir(), 'modelseal-tfjs-conformance-'));
afterAll(() => rm(root, { recursive: true, force: true }));

// Each fixture is written once; `create` is called twice per suite.
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= make());
}

const logitsModel = once(() => saveTinyLayersModel(path.join(root, 'layers-logits'), { seed: 11 }));
const softmaxModel = once(() => saveTinyLayersModel(path.join(root, 'layers-softmax'), { seed: 12, softmax: true }));
const graphModel = once(() => writeTinyGraphModel(path.join(root, 'graph'), { softmax: true }));

runAdapterConformance('tfjs LayersModel with logits output', {
  create: async () => TfjsAdapter.load({ path: await logitsModel() }),
  expectVjp: true,
  expectWeights: true,
  expectFineTune: true,
});

runAdapterConformance('tfjs LayersModel with softmax output', {
  create: async () => TfjsAdapter.load({ path: path.join(await softmaxModel(), 'model.json') }),
  expectVjp: true,
  expectWeights: true,
});

runAdapterConformance('tfjs GraphModel (hand-written MatMul/Softmax graph)', {
  create: async () => TfjsAdapter.load({ path: await graphModel() }),
  expectVjp: true,
  expectWeights: true,
});

runAdapterConformance('tfjs LayersModel on the cpu backend', {
  create: async () => TfjsAdapter.load({ path: await logitsModel(), backend: 'cpu' }),
  expectVjp: true,
  expectWeights: true,
});
