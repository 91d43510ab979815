import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isModelSealError, sizeOf, type Tensor } from '@modelseal/core';
import { TfjsAdapter } from './adapter.ts';
import type { TfjsConfigInput } from './config.ts';
import { SIDECAR_FILE, writeSidecar } from './io/sidecar.ts';
import { saveTinyLayersModel, writeTinyGraphModel } from './testing/fixtures.ts';

const root = await mkdtemp(path.join(tmpdir(), 'modelseal-tfjs-adapter-'));
afterAll(() => rm(root, { recursive: true, force: true }));

let counter = 0;
const fresh = (name: string): string => path.join(root, `${name}-${counter++}`);

const layersFolder = await saveTinyLayersModel(fresh('layers'), { seed: 3 });
const softmaxFolder = await saveTinyLayersModel(fresh('softmax'), { seed: 4, softmax: true });
const graphFolder = await writeTinyGraphModel(fresh('graph'), { softmax: true });
const graphLogitsFolder = await writeTinyGraphModel(fresh('graph-logits'));

function inputs(rows: number, seed = 1): Tensor {
  const data = new Float32Array(rows * 36);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(seed * 7.1 + i * 1.3) + 1) / 2;
  return { data, shape: [rows, 6, 6, 1] };
}

async function caught(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isModelSealError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a ModelSealError');
}

async function withAdapter<T>(config: TfjsConfigInput, use: (adapter: TfjsAdapter) => Promise<T>): Promise<T> {
  const adapter = await TfjsAdapter.load(config);
  try {
    return await use(adapter);
  } finally {
    await adapter.dispose();
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);
}

describe('TfjsAdapter.describe', () => {
  it('reads shape, layout, classes and output kind off a LayersModel and reports the backend', async () => {
    const messages: string[] = [];
    const adapter = await TfjsAdapter.load({ path: layersFolder }, { log: (message) => messages.push(message) });
    const description = adapter.describe();
    await adapter.dispose();
    expect(description).toMatchObject({
      inputShape: [6, 6, 1],
      layout: 'NHWC',
      valueRange: [0, 1],
      numClasses: 4,
      outputKind: 'logits',
      maxBatchSize: 256,
    });
    expect(description.runtime).toMatch(/^tfjs 4\.22\.0 \(wasm/);
    expect(description.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(messages.some((message) => message.includes('layers-model') && message.includes('4 classes'))).toBe(true);
  });

  it('detects softmax outputs in LayersModels and GraphModels', async () => {
    const kinds = [];
    for (const folder of [softmaxFolder, graphFolder, graphLogitsFolder]) {
      kinds.push(await withAdapter({ path: folder }, async (adapter) => adapter.describe().outputKind));
    }
    expect(kinds).toEqual(['probabilities', 'probabilities', 'logits']);
    expect(await withAdapter({ path: softmaxFolder, outputKind: 'logits' }, async (a) => a.describe().outputKind)).toBe('logits');
  });

  it('takes class names and value range from modelseal-model.json, with the config taking precedence', async () => {
    const folder = await saveTinyLayersModel(fresh('sidecar'), { seed: 3 });
    await writeSidecar(folder, { dataset: 'toy', classNames: ['a', 'b', 'c', 'd'], valueRange: [-1, 1], outputKind: 'logits' });
    const fromSidecar = await withAdapter({ path: folder }, async (a) => a.describe());
    expect(fromSidecar.classNames).toEqual(['a', 'b', 'c', 'd']);
    expect(fromSidecar.valueRange).toEqual([-1, 1]);
    const overridden = await withAdapter({ path: folder, valueRange: [0, 255], classNames: ['w', 'x', 'y', 'z'] }, async (a) => a.describe());
    expect(overridden.valueRange).toEqual([0, 255]);
    expect(overridden.classNames).toEqual(['w', 'x', 'y', 'z']);
    const wrongCount = await caught(TfjsAdapter.load({ path: folder, classNames: ['a', 'b'] }));
    expect(wrongCount).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(wrongCount.message).toContain('names 2 classes');
  });

  it('rejects a broken sidecar, naming it', async () => {
    const folder = await saveTinyLayersModel(fresh('bad-sidecar'));
    await writeFile(path.join(folder, SIDECAR_FILE), '{"classNames": 3}');
    const error = await caught(TfjsAdapter.load({ path: folder }));
    expect(error.code).toBe('MODEL_LOAD');
    expect(error.message).toContain(SIDECAR_FILE);
  });

  it('needs inputShape when the model leaves dimensions unknown, and checks it against the model', async () => {
    const folder = await writeTinyGraphModel(fresh('graph-unknown'), { unknownSpatialDims: true });
    const missing = await caught(TfjsAdapter.load({ path: folder }));
    expect(missing.code).toBe('INVALID_CONFIG');
    expect(missing.message).toContain('[?, ?, 1]');
    expect(missing.message).toContain('set inputShape');
    const conflicting = await caught(TfjsAdapter.load({ path: folder, inputShape: [6, 6, 3] }));
    expect(conflicting.code).toBe('INVALID_CONFIG');
    const shape = await withAdapter({ path: folder, inputShape: [6, 6, 1] }, async (a) => a.describe().inputShape);
    expect(shape).toEqual([6, 6, 1]);
  });

  it('honours an explicit layout', async () => {
    expect(await withAdapter({ path: layersFolder, layout: 'NCHW' }, async (a) => a.describe().layout)).toBe('NCHW');
  });
});

describe('TfjsAdapter.predict and vjp', () => {
  it('names the expected shape when a batch is wrong', async () => {
    await withAdapter({ path: layersFolder }, async (adapter) => {
      const error = await caught(adapter.predict({ data: new Float32Array(36), shape: [1, 36] }));
      expect(error.code).toBe('INPUT_SHAPE');
      expect(error.message).toContain('[N, 6, 6, 1]');
      expect(error.message).toContain('[1, 36]');
    });
  });

  it('gives the same answers whatever maxBatchSize splits the batch into, and counts queries', async () => {
    const batch = inputs(5);
    const whole = await withAdapter({ path: layersFolder }, (a) => a.predict(batch));
    await withAdapter({ path: layersFolder, maxBatchSize: 2 }, async (adapter) => {
      const split = await adapter.predict(batch);
      expect(maxDifference(split.data, whole.data)).toBeLessThanOrEqual(1e-6);
      const cotangent = { data: new Float32Array(5 * 4).fill(0.5), shape: [5, 4] };
      const { gradient, probabilities } = await adapter.vjp(batch, cotangent);
      expect(gradient.shape).toEqual([5, 6, 6, 1]);
      expect(maxDifference(probabilities.data, whole.data)).toBeLessThanOrEqual(1e-6);
      // A constant cotangent has zero product with any change of probabilities (they sum to 1).
      expect(Math.max(...gradient.data.map(Math.abs))).toBeLessThan(1e-5);
      expect(adapter.queryCount()).toBe(10);
    });
  });

  it('rejects a cotangent that does not match the batch', async () => {
    await withAdapter({ path: layersFolder }, async (adapter) => {
      const error = await caught(adapter.vjp(inputs(2), { data: new Float32Array(4), shape: [1, 4] }));
      expect(error.code).toBe('INPUT_SHAPE');
    });
  });

  it('agrees between the wasm and cpu backends within float32 noise', async () => {
    const batch = inputs(4, 2);
    const wasm = await withAdapter({ path: layersFolder, backend: 'wasm' }, (a) => a.predict(batch));
    const cpu = await withAdapter({ path: layersFolder, backend: 'cpu' }, async (a) => {
      expect(a.describe().runtime).toContain('(cpu)');
      return a.predict(batch);
    });
    expect(maxDifference(wasm.data, cpu.data)).toBeLessThan(1e-5);
  });

  it('reports NaN outputs as MODEL_OUTPUT with the sample index', async () => {
    await withAdapter({ path: layersFolder }, async (adapter) => {
      const [first] = await adapter.weights.list();
      await adapter.weights.write(first!.name, new Float32Array(sizeOf(first!.shape)).fill(Number.NaN));
      const error = await caught(adapter.predict(inputs(2)));
      expect(error).toEqual({ code: 'MODEL_OUTPUT', message: expect.stringContaining('NaN/Inf for sample 0') });
    });
  });

  it('refuses logits declared as probabilities', async () => {
    await withAdapter({ path: layersFolder, outputKind: 'probabilities' }, async (adapter) => {
      const error = await caught(adapter.predict(inputs(2)));
      expect(error.code).toBe('MODEL_OUTPUT');
      expect(error.message).toContain('outputKind');
    });
  });

  it('says UNSUPPORTED when TF.js cannot differentiate a GraphModel op, while predict still works', async () => {
    const folder = await writeTinyGraphModel(fresh('graph-einsum'), { nonDifferentiable: true });
    await withAdapter({ path: folder }, async (adapter) => {
      expect((await adapter.predict(inputs(2))).shape).toEqual([2, 3]);
      const error = await caught(adapter.vjp(inputs(1), { data: new Float32Array([1, 0, 0]), shape: [1, 3] }));
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.message).toContain('Einsum');
    });
  });

  it('stops between chunks when the signal is aborted', async () => {
    await withAdapter({ path: layersFolder, maxBatchSize: 1 }, async (adapter) => {
      const controller = new AbortController();
      controller.abort();
      expect((await caught(adapter.predict(inputs(3), { signal: controller.signal }))).code).toBe('ABORTED');
    });
  });

  it('refuses every operation after dispose', async () => {
    const adapter = await TfjsAdapter.load({ path: layersFolder });
    await adapter.dispose();
    await adapter.dispose();
    expect((await caught(adapter.weights.list())).code).toBe('DISPOSED');
    expect((await caught(adapter.vjp(inputs(1), { data: new Float32Array(4), shape: [1, 4] }))).code).toBe('DISPOSED');
  });
});

describe('TfjsAdapter weights', () => {
  it('lists batch-norm running statistics as not trainable', async () => {
    const list = await withAdapter({ path: layersFolder }, (a) => a.weights.list());
    const frozen = list.filter((w) => !w.trainable).map((w) => w.name.split('/').at(-1));
    expect(frozen.sort()).toEqual(['moving_mean', 'moving_variance']);
    expect(list.filter((w) => w.trainable)).toHaveLength(6);
    expect(list.every((w) => w.dtype === 'float32')).toBe(true);
  });

  it('names an unknown weight', async () => {
    await withAdapter({ path: graphFolder }, async (adapter) => {
      expect((await adapter.weights.list()).map((w) => w.name)).toEqual(['conv/kernel', 'dense/kernel', 'dense/bias']);
      const error = await caught(adapter.weights.read('flat/shape'));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('dense/kernel');
    });
  });

  for (const [kind, folder] of [
    ['LayersModel', layersFolder],
    ['GraphModel', graphFolder],
  ] as const) {
    it(`saves a modified ${kind} that reloads with identical predictions`, async () => {
      const batch = inputs(6, 3);
      const destination = fresh(`saved-${kind}`);
      const { before, after } = await withAdapter({ path: folder }, async (adapter) => {
        const before = await adapter.predict(batch);
        const [first] = await adapter.weights.list();
        const values = await adapter.weights.read(first!.name);
        await adapter.weights.write(first!.name, values.map((v) => v * 1.5));
        expect(await adapter.weights.read(first!.name)).toEqual(values.map((v) => v * 1.5));
        const after = await adapter.predict(batch);
        await adapter.weights.save(destination);
        return { before, after };
      });
      expect(maxDifference(before.data, after.data)).toBeGreaterThan(1e-4);
      await withAdapter({ path: destination }, async (reloaded) => {
        expect((await reloaded.predict(batch)).data).toEqual(after.data);
        expect(reloaded.format).toBe(kind === 'LayersModel' ? 'layers-model' : 'graph-model');
      });
      const json = JSON.parse(await readFile(path.join(destination, 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    });
  }

  it('copies the sidecar along with a saved model', async () => {
    const folder = await saveTinyLayersModel(fresh('with-sidecar'));
    await writeSidecar(folder, { classNames: ['a', 'b', 'c', 'd'] });
    const destination = fresh('copy');
    await withAdapter({ path: folder }, (a) => a.weights.save(destination));
    expect(await withAdapter({ path: destination }, async (a) => a.describe().classNames)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('exposes the LayersModel for training, and refuses for a GraphModel', async () => {
    await withAdapter({ path: layersFolder }, async (adapter) => {
      expect(adapter.getLayersModel().layers.length).toBe(5);
    });
    await withAdapter({ path: graphFolder }, async (adapter) => {
      expect(() => adapter.getLayersModel()).toThrow(/GraphModel/);
    });
  });
});
