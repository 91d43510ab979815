import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmaxRows } from '@modelseal/core';
import { OnnxAdapter } from './adapter.ts';
import { onnxConfigSchema } from './config.ts';
import { directionalCheck } from './testing/directional-check.ts';
import { blendedDigits, mnistDigits, resnet18Path } from './testing/fixtures.ts';

const path = resnet18Path();

// ResNet-18 (44 MB) is not committed: set MODELSEAL_RESNET18_ONNX or keep shared/fixtures beside the repository.
describe.skipIf(path === undefined)('the ResNet-18 fixture (skipped when the file is absent)', () => {
  let adapter: OnnxAdapter;
  beforeAll(async () => {
    adapter = await OnnxAdapter.open(onnxConfigSchema.parse({ path, threads: 2 }));
  });
  afterAll(async () => {
    await adapter?.dispose();
  });

  it('describes itself from the file and classifies real digits', async () => {
    const description = adapter.describe();
    expect(description.inputShape).toEqual([1, 28, 28]);
    expect(description.numClasses).toBe(10);
    expect(description.outputKind).toBe('logits');
    expect(description.fingerprint).toBe('f95b935c2c4a9d0c5766b9bd5cc2ad6122e9b17f1cdfdbf6ddd4764be9ccbd2a');
    const digits = mnistDigits(16);
    const predicted = argmaxRows(await adapter.predict(digits.inputs));
    expect(digits.labels.filter((label, i) => predicted[i] === label).length).toBeGreaterThanOrEqual(15);
  });

  it('vjp agrees with finite differences through residual Adds, strided convs and global pooling', async () => {
    const check = await directionalCheck(adapter, blendedDigits(1), { directions: 2, step: 1e-3 });
    expect(check.maxRelativeError).toBeLessThan(1e-2);
  });
});
