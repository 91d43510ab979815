import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isModelSealError, type Tensor } from '@modelseal/core';
import { OnnxAdapter } from '../adapter.ts';
import { onnxConfigSchema, type OnnxAdapterConfigInput } from '../config.ts';
import { encodeModel } from '../proto/codec.ts';
import { fixturePath, mnistDigits } from '../testing/fixtures.ts';
import { seededValues, syntheticModel, type SyntheticModel } from '../testing/synthetic.ts';
import { fineTuneOnnx, type FineTuneOptions } from './fineTune.ts';

const digits = mnistDigits(32);
const train = { images: digits.inputs, labels: Int32Array.from(digits.labels) };

function open(config: OnnxAdapterConfigInput): Promise<OnnxAdapter> {
  return OnnxAdapter.open(onnxConfigSchema.parse({ threads: 2, ...config }));
}

async function withModel<T>(config: OnnxAdapterConfigInput, use: (adapter: OnnxAdapter) => Promise<T>): Promise<T> {
  const adapter = await open(config);
  try {
    return await use(adapter);
  } finally {
    await adapter.dispose();
  }
}

/** Mean cross-entropy of the adapter's probabilities on `batch`. */
async function loss(adapter: OnnxAdapter, batch: { images: Tensor; labels: Int32Array }): Promise<number> {
  const p = await adapter.predict(batch.images);
  const classes = adapter.describe().numClasses;
  return batch.labels.reduce((sum, label, i) => sum - Math.log(p.data[i * classes + label]!), 0) / batch.labels.length;
}

async function readAll(adapter: OnnxAdapter): Promise<Map<string, Float32Array>> {
  const infos = await adapter.weights.list();
  return new Map(await Promise.all(infos.map(async (info) => [info.name, await adapter.weights.read(info.name)] as const)));
}

/** Whether both sets of weights hold the same bits (a byte comparison: deep equality of large arrays is slow). */
function identical(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): boolean {
  const bytes = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return a.size === b.size && [...a].every(([name, values]) => b.has(name) && bytes(values).equals(bytes(b.get(name)!)));
}

async function caught(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isModelSealError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a ModelSealError, but the call succeeded');
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'modelseal-onnx-finetune-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function writeSynthetic(name: string, spec: SyntheticModel): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, encodeModel(syntheticModel(spec)));
  return path;
}

const full: Omit<FineTuneOptions, 'images' | 'labels'> = { learningRate: 0.05, steps: 3, batchSize: 32, batchNorm: 'frozen' };

describe('fineTuneOnnx on the MNIST CNN fixtures', () => {
  it('lowers the cross-entropy of the batch it trains on, and reports the loss before each update', async () => {
    await withModel({ path: fixturePath('cnn_mnist_logits.onnx') }, async (adapter) => {
      const before = await loss(adapter, train);
      const steps: number[] = [];
      const result = await fineTuneOnnx(adapter, { ...train, ...full, onStep: ({ step }) => steps.push(step) });
      expect(steps).toEqual([1, 2, 3]);
      // One full batch: the first loss is the model's own, and full-batch gradient descent goes downhill.
      expect(result.losses[0]).toBeCloseTo(before, 4);
      expect(result.losses[2]).toBeLessThan(result.losses[0]!);
      expect(await loss(adapter, train)).toBeLessThan(before * 0.9);
      expect(result.weights.tensors).toBe(8);
      expect(result.weights.changed).toBeGreaterThan(result.weights.parameters / 2);
    });
  });

  it('trains a model that ends in a softmax on the cross-entropy of its probabilities', async () => {
    await withModel({ path: fixturePath('cnn_mnist_probs.onnx') }, async (adapter) => {
      expect(adapter.describe().outputKind).toBe('probabilities');
      const before = await loss(adapter, train);
      const result = await fineTuneOnnx(adapter, { ...train, ...full });
      // The loss of the probabilities themselves, not of softmax(probabilities).
      expect(result.losses[0]).toBeCloseTo(before, 4);
      expect(await loss(adapter, train)).toBeLessThan(before * 0.9);
    });
  });

  it('at learning rate 0 leaves every weight and prediction bit-identical', async () => {
    await withModel({ path: fixturePath('cnn_mnist_logits.onnx') }, async (adapter) => {
      const weights = await readAll(adapter);
      const predictions = await adapter.predict(train.images);
      const result = await fineTuneOnnx(adapter, { ...train, ...full, learningRate: 0, batchSize: 8 });
      expect(result.weights.changed).toBe(0);
      expect(result.weights.maxAbsDelta).toBe(0);
      expect(identical(await readAll(adapter), weights)).toBe(true);
      expect((await adapter.predict(train.images)).data).toEqual(predictions.data);
    });
  });

  it('changes the predictions and input gradients the adapter serves afterwards', async () => {
    await withModel({ path: fixturePath('cnn_mnist_logits.onnx') }, async (adapter) => {
      const cotangent = { data: new Float32Array(4 * 10).fill(1).map((_, i) => (i % 10 === 3 ? 1 : 0)), shape: [4, 10] };
      const few: Tensor = { data: train.images.data.slice(0, 4 * 784), shape: [4, 1, 28, 28] };
      const predictions = await adapter.predict(train.images);
      const gradient = (await adapter.vjp(few, cotangent)).gradient;
      await fineTuneOnnx(adapter, { ...train, ...full, steps: 1, batchSize: 16, seed: 4 });
      expect((await adapter.predict(train.images)).data).not.toEqual(predictions.data);
      expect((await adapter.vjp(few, cotangent)).gradient.data).not.toEqual(gradient.data);
    });
  });

  it('samples reproducibly from the seed, whatever the largest batch ONNX Runtime is given', async () => {
    const run = (maxBatchSize: number) =>
      withModel({ path: fixturePath('cnn_mnist_logits.onnx'), maxBatchSize }, async (adapter) => {
        const result = await fineTuneOnnx(adapter, { ...train, ...full, steps: 3, batchSize: 12, seed: 3 });
        return { losses: result.losses, fc2: await adapter.weights.read('fc2.weight') };
      });
    const whole = await run(100);
    const again = await run(100);
    expect(again.losses).toEqual(whole.losses);
    // Batches of 12 in chunks of 5: the chunks' gradients add up to the whole batch's.
    const chunked = await run(5);
    chunked.losses.forEach((value, i) => expect(value).toBeCloseTo(whole.losses[i]!, 5));
    let worst = 0;
    chunked.fc2.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - whole.fc2[i]!))));
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('fineTuneOnnx refuses what it cannot do', () => {
  it('refuses batch-norm statistics updates, bad options and data, and a cancelled run', async () => {
    await withModel({ path: fixturePath('cnn_mnist_logits.onnx') }, async (adapter) => {
      const weights = await readAll(adapter);
      const update = await caught(fineTuneOnnx(adapter, { ...train, ...full, batchNorm: 'update' }));
      expect(update.code).toBe('UNSUPPORTED');
      expect(update.message).toMatch(/ONNX models are fine-tuned with batch-norm statistics frozen/);
      await expect(fineTuneOnnx(adapter, { ...train, ...full, learningRate: -1 })).rejects.toThrow(/learningRate/);
      await expect(fineTuneOnnx(adapter, { ...train, ...full, steps: 0 })).rejects.toThrow(/steps/);
      await expect(fineTuneOnnx(adapter, { ...train, ...full, labels: train.labels.slice(0, 10) })).rejects.toThrow(/32 images but 10 labels/);
      await expect(fineTuneOnnx(adapter, { ...train, ...full, labels: new Int32Array(32).fill(10) })).rejects.toThrow(/label 10 .* 10-class/);
      const controller = new AbortController();
      const aborted = fineTuneOnnx(adapter, { ...train, ...full, signal: controller.signal, onStep: () => controller.abort() });
      await expect(aborted).rejects.toThrow(/cancelled/);
      // Nothing is written back unless the whole run succeeds.
      expect(identical(await readAll(adapter), weights)).toBe(true);
    });
  });

  it('stops with MODEL_OUTPUT when the loss diverges', async () => {
    await withModel({ path: fixturePath('cnn_mnist_logits.onnx') }, async (adapter) => {
      const diverged = await caught(fineTuneOnnx(adapter, { ...train, ...full, learningRate: 1e30, steps: 5 }));
      expect(diverged.code).toBe('MODEL_OUTPUT');
      expect(diverged.message).toMatch(/fine-tuning diverged at step \d.*lower the learning rate/);
    });
  });

  it('names the operator whose weight gradient it lacks', async () => {
    const path = await writeSynthetic('erf.onnx', {
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Erf', inputs: ['h'], outputs: ['y'], name: 'gelu_part' },
      ],
      weights: { w: [[4, 3], seededValues(12, 1)] },
      input: { name: 'x', dims: ['N', 4] },
      output: 'y',
    });
    await withModel({ path }, async (adapter) => {
      const images = { data: new Float32Array(8).fill(0.5), shape: [2, 4] };
      const refused = await caught(fineTuneOnnx(adapter, { images, labels: Int32Array.of(0, 1), ...full, batchSize: 2 }));
      expect(refused.code).toBe('UNSUPPORTED');
      expect(refused.message).toContain('Erf (node "gelu_part")');
    });
  });

  it('trains a file with a fixed batch size on smaller batches (padding rows carry no gradient)', async () => {
    const spec = (batch: number | string): SyntheticModel => ({
      nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { transB: 1 } }],
      weights: { w: [[3, 4], seededValues(12, 2)], b: [[3], [0.1, -0.2, 0.3]] },
      input: { name: 'x', dims: [batch, 4] },
      output: 'y',
    });
    const images = { data: Float32Array.from(seededValues(5 * 4, 3, 0, 1)), shape: [5, 4] };
    const labels = Int32Array.of(0, 1, 2, 0, 1);
    const options = { images, labels, learningRate: 0.5, steps: 4, batchSize: 3, batchNorm: 'frozen' as const };
    const run = (path: string) =>
      withModel({ path }, async (adapter) => ({ losses: (await fineTuneOnnx(adapter, options)).losses, w: await adapter.weights.read('w') }));
    const fixed = await run(await writeSynthetic('fixed.onnx', spec(8)));
    const symbolic = await run(await writeSynthetic('symbolic.onnx', spec('N')));
    fixed.losses.forEach((value, i) => expect(value).toBeCloseTo(symbolic.losses[i]!, 6));
    fixed.w.forEach((value, i) => expect(value).toBeCloseTo(symbolic.w[i]!, 6));
  });
});
