/**
 * Largest relative error of vjp against central finite differences on the fixtures,
 * along directions half aligned with the gradient (see src/testing/directional-check.ts).
 *
 *   pnpm exec tsx bench/gradient-accuracy.ts [--samples 4] [--directions 4]
 */
import type { Tensor } from '@modelseal/core';
import { OnnxAdapter } from '../src/adapter.ts';
import { onnxConfigSchema } from '../src/config.ts';
import { directionalCheck } from '../src/testing/directional-check.ts';
import { blendedDigits, fixturePath, mnistDigits, resnet18Path } from '../src/testing/fixtures.ts';
import { seededValues } from '../src/testing/synthetic.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const samples = option('samples', 4);
const directions = option('directions', 4);

// Noise breaks the exact ties that blank backgrounds create inside max-pool windows.
const digits = mnistDigits(samples).inputs;
const noise = seededValues(digits.data.length, 31, 0, 0.05);
const noisyDigits = { data: digits.data.map((v, i) => Math.min(1, v + noise[i]!)), shape: digits.shape };
const uniform = { data: Float32Array.from(seededValues(samples * 784, 21, 0, 1)), shape: [samples, 1, 28, 28] };

const cases: [string, string | undefined, Tensor, string][] = [
  ['cnn_mnist_logits', fixturePath('cnn_mnist_logits.onnx'), noisyDigits, 'noisy digits'],
  ['cnn_mnist_probs', fixturePath('cnn_mnist_probs.onnx'), noisyDigits, 'noisy digits'],
  ['cnn_fashion_logits', fixturePath('cnn_fashion_logits.onnx'), uniform, 'uniform noise'],
  ['resnet18_mnist_logits', resnet18Path(), blendedDigits(samples), 'blended digits'],
  ['resnet18_mnist_logits', resnet18Path(), uniform, 'uniform noise'],
];
for (const [name, path, inputs, what] of cases) {
  if (!path) {
    console.log(`${name}: not found, skipped`);
    continue;
  }
  const adapter = await OnnxAdapter.open(onnxConfigSchema.parse({ path, threads: 2 }));
  for (const step of [1e-2, 1e-3]) {
    const check = await directionalCheck(adapter, inputs, { directions, step });
    console.log(
      `${name.padEnd(22)} ${what.padEnd(15)} step ${step.toExponential(0)}: max relative error ${check.maxRelativeError.toExponential(2)}` +
        ` (${check.errors.length} checks; as a fraction of |∇|: ${check.maxNormalizedError.toExponential(2)})`,
    );
  }
  await adapter.dispose();
}
