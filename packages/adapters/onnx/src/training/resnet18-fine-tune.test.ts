import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxAdapter } from '../adapter.ts';
import { onnxConfigSchema } from '../config.ts';
import { mnistDigits, resnet18Path } from '../testing/fixtures.ts';
import { fineTuneOnnx } from './fineTune.ts';

const path = resnet18Path();

// ResNet-18 (44 MB) is not committed: set MODELSEAL_RESNET18_ONNX or keep shared/fixtures beside the repository.
describe.skipIf(path === undefined)('fine-tuning the ResNet-18 fixture (skipped when the file is absent)', () => {
  let adapter: OnnxAdapter;
  beforeAll(async () => {
    adapter = await OnnxAdapter.open(onnxConfigSchema.parse({ path, threads: 2 }));
  });
  afterAll(async () => {
    await adapter?.dispose();
  });

  it('trains every convolution and the classifier through residual Adds, strided convs and global pooling', async () => {
    const digits = mnistDigits(16);
    const names = (await adapter.weights.list()).map((info) => info.name);
    const before = await Promise.all(names.map((name) => adapter.weights.read(name)));
    const result = await fineTuneOnnx(adapter, {
      images: digits.inputs,
      labels: Int32Array.from(digits.labels),
      learningRate: 0.01,
      steps: 2,
      batchSize: 8,
      batchNorm: 'frozen',
    });
    expect(result.losses).toHaveLength(2);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    expect(result.weights.tensors).toBe(names.length);
    expect(result.weights.changed).toBeGreaterThan(result.weights.parameters / 2);
    // Every tensor moved: the first convolution, the 1×1 stride-2 downsamples and the final Gemm included.
    const after = await Promise.all(names.map((name) => adapter.weights.read(name)));
    const unmoved = names.filter((_, i) => after[i]!.every((value, k) => value === before[i]![k]));
    expect(unmoved).toEqual([]);
  });
});
