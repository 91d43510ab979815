import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmaxRows, isModelSealError, Random, type Tensor } from '@modelseal/core';
import { OnnxAdapter } from './adapter.ts';
import { onnxConfigSchema, type OnnxAdapterConfigInput } from './config.ts';
import { encodeModel } from './proto/codec.ts';
import { directionalCheck } from './testing/directional-check.ts';
import { fixturePath, mnistDigits } from './testing/fixtures.ts';
import { seededValues, syntheticModel, type SyntheticModel } from './testing/synthetic.ts';

const MNIST_LOGITS = fixturePath('cnn_mnist_logits.onnx');
const MNIST_PROBS = fixturePath('cnn_mnist_probs.onnx');
const FASHION_LOGITS = fixturePath('cnn_fashion_logits.onnx');

function open(config: OnnxAdapterConfigInput, log?: (message: string) => void): Promise<OnnxAdapter> {
  return OnnxAdapter.open(onnxConfigSchema.parse({ threads: 2, ...config }), log ? { log } : {});
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

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function rows(batch: Tensor, start: number, end: number): Tensor {
  const size = batch.data.length / batch.shape[0]!;
  return { data: batch.data.slice(start * size, end * size), shape: [end - start, ...batch.shape.slice(1)] };
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'modelseal-onnx-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function writeSynthetic(name: string, spec: SyntheticModel): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, encodeModel(syntheticModel(spec)));
  return path;
}

describe('the MNIST CNN fixtures', () => {
  let logits: OnnxAdapter;
  let probs: OnnxAdapter;
  const digits = mnistDigits(32);

  beforeAll(async () => {
    logits = await open({ path: MNIST_LOGITS });
    probs = await open({ path: MNIST_PROBS });
  });
  afterAll(async () => {
    await logits.dispose();
    await probs.dispose();
  });

  it('describes shape, layout, classes, output kind, runtime and fingerprint from the file', () => {
    const description = logits.describe();
    expect(description.inputShape).toEqual([1, 28, 28]);
    expect(description.layout).toBe('NCHW');
    expect(description.numClasses).toBe(10);
    expect(description.valueRange).toEqual([0, 1]);
    expect(description.outputKind).toBe('logits');
    expect(description.maxBatchSize).toBe(100);
    expect(description.runtime).toMatch(/^onnxruntime-node 1\.30\.0 \((cpu|cuda)\)$/);
    // sha256 published with the fixture.
    expect(description.fingerprint).toBe('c327c4541c5795a698609f5d39b8ea8e4a350aa4e58e6298fa882ba1a60d5fe4');
    expect(probs.describe().outputKind).toBe('probabilities');
  });

  it('classifies real MNIST digits (the layout and value range are right)', async () => {
    const predicted = argmaxRows(await logits.predict(digits.inputs));
    const correct = digits.labels.filter((label, i) => predicted[i] === label).length;
    expect(correct).toBeGreaterThanOrEqual(30);
  });

  it('gives the same probabilities for the logits file (softmax applied) and the softmax file', async () => {
    const a = await logits.predict(digits.inputs);
    const b = await probs.predict(digits.inputs);
    expect(maxDifference(a.data, b.data)).toBeLessThan(1e-6);
  });

  it('splits large batches at maxBatchSize without changing answers, and counts queries', async () => {
    const small = await open({ path: MNIST_LOGITS, maxBatchSize: 3 });
    try {
      const whole = await logits.predict(digits.inputs);
      const split = await small.predict(digits.inputs);
      expect(small.describe().maxBatchSize).toBe(3);
      expect(maxDifference(whole.data, split.data)).toBeLessThan(1e-5);
      const before = small.queryCount();
      await small.predict(rows(digits.inputs, 0, 7));
      await small.vjp(rows(digits.inputs, 0, 2), { data: new Float32Array(20), shape: [2, 10] });
      expect(small.queryCount() - before).toBe(9);
    } finally {
      await small.dispose();
    }
  });

  it('vjp returns the probabilities of predict and gradients that are linear in the cotangent, batch by batch', async () => {
    const x = rows(digits.inputs, 0, 5);
    const random = new Random(5);
    const c1 = Float32Array.from({ length: 50 }, () => random.gaussian());
    const c2 = Float32Array.from({ length: 50 }, () => random.gaussian());
    const sum = c1.map((v, i) => v + 2 * c2[i]!);
    const a = await logits.vjp(x, { data: c1, shape: [5, 10] });
    const b = await logits.vjp(x, { data: c2, shape: [5, 10] });
    const both = await logits.vjp(x, { data: sum, shape: [5, 10] });
    expect(maxDifference(a.probabilities.data, (await logits.predict(x)).data)).toBeLessThan(1e-6);
    const combined = a.gradient.data.map((v, i) => v + 2 * b.gradient.data[i]!);
    const scale = Math.max(...both.gradient.data.map(Math.abs));
    expect(maxDifference(both.gradient.data, combined) / scale).toBeLessThan(1e-4);
    // One sample alone gets the same gradient as inside the batch.
    const alone = await logits.vjp(rows(x, 3, 4), { data: c1.slice(30, 40), shape: [1, 10] });
    expect(maxDifference(alone.gradient.data, a.gradient.data.subarray(3 * 784, 4 * 784)) / scale).toBeLessThan(1e-4);
  });

  // Blank backgrounds give exact ties inside max-pool windows, where the model is not
  // differentiable (any tied element is a valid subgradient); a little noise breaks them.
  it('vjp agrees with finite differences on noisy digits (logits file and softmax file)', async () => {
    const sample = rows(digits.inputs, 0, 3);
    const noise = seededValues(sample.data.length, 31, 0, 0.05);
    const noisy = { data: sample.data.map((v, i) => Math.min(1, v + noise[i]!)), shape: sample.shape };
    for (const adapter of [logits, probs]) {
      const check = await directionalCheck(adapter, noisy, { directions: 3, step: 1e-3 });
      expect(check.maxRelativeError).toBeLessThan(1e-2);
    }
  });

  it('rejects bad shapes, non-finite inputs and a mis-sized cotangent with clear errors', async () => {
    expect((await caught(logits.predict({ data: new Float32Array(784), shape: [1, 784] }))).code).toBe('INPUT_SHAPE');
    const nan = digits.inputs.data.slice(0, 784);
    nan[5] = Number.NaN;
    expect((await caught(logits.predict({ data: nan, shape: [1, 1, 28, 28] }))).code).toBe('NON_FINITE');
    const bad = await caught(logits.vjp(rows(digits.inputs, 0, 2), { data: new Float32Array(10), shape: [1, 10] }));
    expect(bad.code).toBe('INPUT_SHAPE');
    expect(bad.message).toContain('[2, 10]');
  });

  it('honours an abort signal between batches', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await caught(logits.predict(digits.inputs, { signal: controller.signal }))).code).toBe('ABORTED');
  });

  it('refuses outputs that are not probabilities when told the model outputs probabilities', async () => {
    const wrong = await open({ path: MNIST_LOGITS, outputKind: 'probabilities' });
    try {
      const error = await caught(wrong.predict(rows(digits.inputs, 0, 1)));
      expect(error.code).toBe('MODEL_OUTPUT');
      expect(error.message).toContain('logits');
    } finally {
      await wrong.dispose();
    }
  });
});

describe('the Fashion-MNIST CNN fixture', () => {
  it('vjp agrees with finite differences', async () => {
    const adapter = await open({ path: FASHION_LOGITS });
    try {
      const inputs = { data: Float32Array.from(seededValues(2 * 784, 21, 0, 1)), shape: [2, 1, 28, 28] };
      const check = await directionalCheck(adapter, inputs, { directions: 3, step: 1e-3 });
      expect(check.maxRelativeError).toBeLessThan(1e-2);
    } finally {
      await adapter.dispose();
    }
  });
});

describe('weights', () => {
  it('lists initializers with trainability, changes predictions when written, and saves a valid ONNX file', async () => {
    const adapter = await open({ path: MNIST_LOGITS });
    const digits = mnistDigits(8);
    try {
      const list = await adapter.weights.list();
      expect(list.map((w) => w.name)).toEqual([
        'conv1.weight',
        'conv1.bias',
        'conv2.weight',
        'conv2.bias',
        'fc1.weight',
        'fc1.bias',
        'fc2.weight',
        'fc2.bias',
      ]);
      expect(list.every((w) => w.trainable && w.dtype === 'float32')).toBe(true);
      expect(list[4]!.shape).toEqual([128, 3136]);

      const before = await adapter.predict(digits.inputs);
      const random = new Random(9);
      for (const info of list) {
        const values = await adapter.weights.read(info.name);
        for (let i = 0; i < values.length; i++) values[i] = values[i]! + 0.05 * random.gaussian();
        await adapter.weights.write(info.name, values);
      }
      const after = await adapter.predict(digits.inputs);
      expect(maxDifference(before.data, after.data)).toBeGreaterThan(1e-4);
      // The gradient model is rebuilt from the new weights too.
      const { probabilities } = await adapter.vjp(digits.inputs, { data: new Float32Array(80), shape: [8, 10] });
      expect(maxDifference(probabilities.data, after.data)).toBeLessThan(1e-6);

      const saved = join(folder, 'nested', 'noisy.onnx');
      await adapter.weights.save(saved);
      const reloaded = await open({ path: saved });
      try {
        expect(maxDifference((await reloaded.predict(digits.inputs)).data, after.data)).toBe(0);
        expect(await reloaded.weights.read('fc2.bias')).toEqual(await adapter.weights.read('fc2.bias'));
      } finally {
        await reloaded.dispose();
      }
      // Saving leaves the original file alone.
      expect((await readFile(MNIST_LOGITS)).byteLength).toBe(1687977);
    } finally {
      await adapter.dispose();
    }
  });

  it('rejects unknown names, wrong sizes and non-finite values', async () => {
    const adapter = await open({ path: MNIST_LOGITS });
    try {
      expect((await caught(adapter.weights.read('nope'))).code).toBe('INVALID_ARGUMENT');
      expect((await caught(adapter.weights.write('fc2.bias', new Float32Array(11)))).code).toBe('INPUT_SHAPE');
      expect((await caught(adapter.weights.write('fc2.bias', new Float32Array(10).fill(Number.NaN)))).code).toBe('NON_FINITE');
    } finally {
      await adapter.dispose();
    }
  });
});

describe('models the adapter cannot fully handle', () => {
  it('names an operator without a gradient rule, points to zeroth-order mode, and still predicts', async () => {
    const path = await writeSynthetic('erf.onnx', {
      nodes: [
        { op: 'Erf', inputs: ['x'], outputs: ['e'], name: 'gelu_erf' },
        { op: 'MatMul', inputs: ['e', 'w'], outputs: ['y'] },
      ],
      weights: { w: [[4, 3], seededValues(12, 1)] },
      input: { name: 'x', dims: ['N', 4] },
      output: 'y',
    });
    const lines: string[] = [];
    const adapter = await open({ path }, (line) => lines.push(line));
    try {
      expect(adapter.gradientSupport.supported).toBe(false);
      expect(adapter.describe().layout).toBe('flat');
      const p = await adapter.predict({ data: new Float32Array(8).fill(0.5), shape: [2, 4] });
      expect(p.shape).toEqual([2, 3]);
      const error = await caught(adapter.vjp({ data: new Float32Array(4), shape: [1, 4] }, { data: new Float32Array(3), shape: [1, 3] }));
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.message).toContain('Erf (node "gelu_erf")');
      expect(error.message).toContain('nes or spsa');
      expect(lines.some((line) => line.includes('Erf'))).toBe(true);
    } finally {
      await adapter.dispose();
    }
  });

  it('reports a corrupt or missing file as MODEL_LOAD naming the file', async () => {
    const corrupt = join(folder, 'corrupt.onnx');
    await writeFile(corrupt, Buffer.from('this is not a protobuf model at all, just text'));
    const error = await caught(open({ path: corrupt }));
    expect(error.code).toBe('MODEL_LOAD');
    expect(error.message).toContain(corrupt);
    const truncated = join(folder, 'truncated.onnx');
    await writeFile(truncated, (await readFile(MNIST_LOGITS)).subarray(0, 100_000));
    const cut = await caught(open({ path: truncated }));
    expect(cut.code).toBe('MODEL_LOAD');
    expect(cut.message).toContain(truncated);
    const missing = await caught(open({ path: join(folder, 'missing.onnx') }));
    expect(missing.code).toBe('MODEL_LOAD');
    expect(missing.message).toContain('missing.onnx');
  });

  it('needs inputShape for symbolic sample dims and refuses one that contradicts the file', async () => {
    const path = await writeSynthetic('dynamic.onnx', {
      nodes: [
        { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
        { op: 'Flatten', inputs: ['g'], outputs: ['y'] },
      ],
      input: { name: 'x', dims: ['N', 3, 'H', 'W'] },
      output: 'y',
    });
    expect((await caught(open({ path }))).code).toBe('INVALID_CONFIG');
    expect((await caught(open({ path, inputShape: [4, 6, 6] }))).code).toBe('INVALID_CONFIG');
    const adapter = await open({ path, inputShape: [3, 6, 5] });
    try {
      expect(adapter.describe().inputShape).toEqual([3, 6, 5]);
      expect(adapter.describe().layout).toBe('NCHW');
      const { gradient } = await adapter.vjp(
        { data: Float32Array.from(seededValues(90, 4, 0, 1)), shape: [1, 3, 6, 5] },
        { data: Float32Array.from([1, 0, 0]), shape: [1, 3] },
      );
      expect(gradient.shape).toEqual([1, 3, 6, 5]);
    } finally {
      await adapter.dispose();
    }
  });

  it('pads batches for a file that fixes the batch size', async () => {
    const path = await writeSynthetic('fixed.onnx', {
      nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'] }],
      weights: { w: [[4, 3], seededValues(12, 6)], b: [[3], [0.1, 0.2, 0.3]] },
      input: { name: 'x', dims: [2, 4] },
      output: 'y',
    });
    const adapter = await open({ path, maxBatchSize: 50 });
    try {
      expect(adapter.describe().maxBatchSize).toBe(2);
      const x = { data: Float32Array.from(seededValues(12, 7, 0, 1)), shape: [3, 4] };
      const all = await adapter.predict(x);
      const last = await adapter.predict(rows(x, 2, 3));
      expect(all.shape).toEqual([3, 3]);
      expect(maxDifference(all.data.subarray(6), last.data)).toBeLessThan(1e-7);
      const check = await directionalCheck(adapter, x, { directions: 2, step: 1e-2 });
      expect(check.maxRelativeError).toBeLessThan(1e-2);
    } finally {
      await adapter.dispose();
    }
  });

  it('runs on CPU with a log line when CUDA is asked for but unavailable', async () => {
    const lines: string[] = [];
    const adapter = await open({ path: MNIST_PROBS, executionProvider: 'cuda', threads: 1 }, (line) => lines.push(line));
    try {
      if (adapter.describe().runtime.endsWith('(cuda)')) return;
      expect(adapter.describe().runtime).toBe('onnxruntime-node 1.30.0 (cpu)');
      expect(lines.some((line) => /CUDA execution provider unavailable/.test(line))).toBe(true);
      expect(lines.some((line) => /\(cpu, 1 threads\)/.test(line))).toBe(true);
    } finally {
      await adapter.dispose();
    }
  });
});
