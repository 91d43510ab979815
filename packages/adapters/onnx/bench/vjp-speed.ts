/**
 * Seconds per vjp call (forward + backward) for a batch of 100 on ResNet-18, with 1 and
 * 2 threads, to compare with PyTorch on the same kind of machine (0.95 s with 2 threads,
 * 1.75 s with 1). Also times predict, and the small CNN for context.
 *
 *   pnpm exec tsx bench/vjp-speed.ts [path/to/resnet18_mnist_logits.onnx] [--repeats 5]
 *
 * The thread counts take turns call by call, so a machine that gets busier during the
 * run slows both alike; the minimum is the best estimate on an idle machine.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Random } from '@modelseal/core';
import { OnnxAdapter } from '../src/adapter.ts';
import { onnxConfigSchema } from '../src/config.ts';
import { fixturePath, resnet18Path } from '../src/testing/fixtures.ts';

const args = process.argv.slice(2);
const repeatsAt = args.indexOf('--repeats');
const repeats = repeatsAt >= 0 ? Number(args[repeatsAt + 1]) : 5;
const explicit = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--repeats');
const BATCH = 100;
const THREADS = [1, 2];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function seconds(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return (performance.now() - start) / 1000;
}

async function measure(label: string, path: string): Promise<void> {
  const adapters = await Promise.all(
    THREADS.map((threads) => OnnxAdapter.open(onnxConfigSchema.parse({ path, threads, maxBatchSize: BATCH }))),
  );
  try {
    const random = new Random(1);
    const { inputShape, numClasses, runtime } = adapters[0]!.describe();
    const size = inputShape.reduce((a, b) => a * b, 1);
    const inputs = { data: Float32Array.from({ length: BATCH * size }, () => random.next()), shape: [BATCH, ...inputShape] };
    const cotangent = { data: Float32Array.from({ length: BATCH * numClasses }, () => random.gaussian()), shape: [BATCH, numClasses] };
    // The first call builds the gradient graph and its session.
    const setup = [];
    for (const adapter of adapters) setup.push(await seconds(() => adapter.vjp(inputs, cotangent)));
    const vjp: number[][] = THREADS.map(() => []);
    const predict: number[][] = THREADS.map(() => []);
    for (let r = 0; r < repeats; r++) {
      for (const [i, adapter] of adapters.entries()) {
        vjp[i]!.push(await seconds(() => adapter.vjp(inputs, cotangent)));
        predict[i]!.push(await seconds(() => adapter.predict(inputs)));
      }
    }
    for (const [i, threads] of THREADS.entries()) {
      console.log(
        `${label.padEnd(10)} threads=${threads}  vjp ${median(vjp[i]!).toFixed(3)} s/call (min ${Math.min(...vjp[i]!).toFixed(3)})` +
          `  predict ${median(predict[i]!).toFixed(3)} s (min ${Math.min(...predict[i]!).toFixed(3)})` +
          `  first vjp with graph build ${setup[i]!.toFixed(2)} s  [${runtime}]`,
      );
    }
  } finally {
    for (const adapter of adapters) await adapter.dispose();
  }
}

const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');
console.log(`batch ${BATCH}, median and min of ${repeats} calls; load average before: ${load()}`);
console.log('PyTorch reference, ResNet-18 forward+backward: 0.95 s (2 threads), 1.75 s (1 thread)');
const resnet = explicit ?? resnet18Path();
if (resnet) await measure('ResNet-18', resnet);
else console.log('ResNet-18 not found: pass its path or set MODELSEAL_RESNET18_ONNX');
await measure('small CNN', fixturePath('cnn_mnist_logits.onnx'));
console.log(`load average after: ${load()}`);
