import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '@modelseal/core';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function fixturePath(name: string): string {
  return `${FIXTURES}${name}`;
}

/** ResNet-18 is too large to commit: MODELSEAL_RESNET18_ONNX, else the shared fixtures beside the repository. */
export function resnet18Path(): string | undefined {
  const candidates = [
    process.env.MODELSEAL_RESNET18_ONNX,
    fileURLToPath(new URL('../../../../../../shared/fixtures/resnet18_mnist_logits.onnx', import.meta.url)),
  ];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

export interface Digits {
  readonly inputs: Tensor;
  readonly labels: readonly number[];
}

/** Real MNIST test digits as an NCHW batch in [0, 1]. */
export function mnistDigits(count = 32): Digits {
  const file = JSON.parse(readFileSync(fixturePath('mnist-test-digits.json'), 'utf8')) as { labels: number[]; pixels: number[][] };
  const rows = Math.min(count, file.pixels.length);
  const data = new Float32Array(rows * 784);
  for (let r = 0; r < rows; r++) data.set(file.pixels[r]!, r * 784);
  return { inputs: { data, shape: [rows, 1, 28, 28] }, labels: file.labels.slice(0, rows) };
}

/**
 * Half-and-half blends of two digits with different labels: inputs a classifier is
 * unsure about (like fragile samples), where its probabilities are not saturated.
 */
export function blendedDigits(count: number): Tensor {
  const { inputs, labels } = mnistDigits(32);
  const data = new Float32Array(count * 784);
  let made = 0;
  for (let i = 0; i < labels.length && made < count; i++) {
    const j = (i + 1) % labels.length;
    if (labels[i] === labels[j]) continue;
    for (let k = 0; k < 784; k++) data[made * 784 + k] = 0.5 * inputs.data[i * 784 + k]! + 0.5 * inputs.data[j * 784 + k]!;
    made++;
  }
  return { data: data.subarray(0, made * 784), shape: [made, 1, 28, 28] };
}
