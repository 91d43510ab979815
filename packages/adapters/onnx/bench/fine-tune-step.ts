/**
 * Seconds per SGD step of `fineTuneOnnx` at batch 32 (forward, loss gradient, weight
 * gradients in ONNX Runtime, then the update in JavaScript), for the small CNN and
 * ResNet-18. Not part of the test suite.
 *
 *   pnpm exec tsx bench/fine-tune-step.ts [path/to/resnet18_mnist_logits.onnx] [--steps 10] [--threads 2]
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Random } from '@modelseal/core';
import { OnnxAdapter } from '../src/adapter.ts';
import { onnxConfigSchema } from '../src/config.ts';
import { fixturePath, resnet18Path } from '../src/testing/fixtures.ts';
import { fineTuneOnnx } from '../src/training/fineTune.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const steps = option('--steps', 10);
const threads = option('--threads', availableParallelism());
const explicit = args.find((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
const BATCH = 32;
const SAMPLES = 256;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(label: string, path: string): Promise<void> {
  const adapter = await OnnxAdapter.open(onnxConfigSchema.parse({ path, threads }));
  try {
    const { inputShape, numClasses, runtime } = adapter.describe();
    const size = inputShape.reduce((a, b) => a * b, 1);
    const random = new Random(1);
    const images = { data: Float32Array.from({ length: SAMPLES * size }, () => random.next()), shape: [SAMPLES, ...inputShape] };
    const labels = Int32Array.from({ length: SAMPLES }, () => random.int(numClasses));
    const setupStart = performance.now();
    await adapter.trainingGraph();
    const setup = (performance.now() - setupStart) / 1000;
    const stamps: number[] = [];
    const start = performance.now();
    await fineTuneOnnx(adapter, {
      images,
      labels,
      learningRate: 1e-3,
      steps,
      batchSize: BATCH,
      batchNorm: 'frozen',
      onStep: () => stamps.push(performance.now()),
    });
    const perStep = stamps.map((t, i) => (t - (i === 0 ? start : stamps[i - 1]!)) / 1000);
    const parameters = (await adapter.weights.list()).filter((info) => info.trainable).reduce((n, info) => n + info.shape.reduce((a, b) => a * b, 1), 0);
    console.log(
      `${label.padEnd(10)} ${median(perStep).toFixed(3)} s/step median (min ${Math.min(...perStep).toFixed(3)}, ${steps} steps)` +
        `  ${(parameters / 1e6).toFixed(2)} M trained parameters  training graph build ${setup.toFixed(2)} s  [${runtime}, ${threads} threads]`,
    );
  } finally {
    await adapter.dispose();
  }
}

const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');
console.log(`SGD step at batch ${BATCH}; load average before: ${load()}`);
await measure('small CNN', fixturePath('cnn_mnist_logits.onnx'));
const resnet = explicit ?? resnet18Path();
if (resnet) await measure('ResNet-18', resnet);
else console.log('ResNet-18 not found: pass its path or set MODELSEAL_RESNET18_ONNX');
console.log(`load average after: ${load()}`);
