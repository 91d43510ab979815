/**
 * Benchmark (not a test): fragilize the small-CNN ONNX fixture through the HTTP adapter
 * using only probabilities (NES over Open Inference Protocol v2), beside exact ONNX
 * gradients on the same samples; then ChangeRate under weight noise for both sets.
 *   pnpm exec tsx packages/cli/bench/blackbox.ts [--count 100] [--probes 50]
 */
import { parseArgs } from 'node:util';
import { addGaussianNoise, fragilize, nesGradient, psnrBatch, verify, type FragilizeResult } from '@modelseal/core';
import { onnxAdapterFactory } from '@modelseal/adapter-onnx';
import { httpAdapterFactory } from '@modelseal/adapter-http';
import { serveModel } from '@modelseal/server';
import { loadDataset, pickTriggerCandidates } from '@modelseal/datasets';
import { REPO_ROOT } from '../src/paths.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100' }, probes: { type: 'string', default: '50' } } });
const count = Number(values.count);
const path = `${REPO_ROOT}packages/adapters/onnx/fixtures/cnn_mnist_logits.onnx`;
const open = () => onnxAdapterFactory.create(onnxAdapterFactory.configSchema.parse({ path }));

const local = await open();
const server = await serveModel(await open(), { port: 0, name: 'cnn' });
const remote = await httpAdapterFactory.create(httpAdapterFactory.configSchema.parse({ url: server.modelUrl, allowPrivate: true, maxBatchSize: 512 }));
const dataset = await loadDataset('mnist');
const { batch } = await pickTriggerCandidates(local, dataset.test, { count, seed: 7 });

console.error('exact gradients (ONNX vjp) …');
const exact = await fragilize({ adapter: local, inputs: batch });
console.error('black box (NES over HTTP) …');
const before = remote.queryCount?.() ?? 0;
const blackBox = await fragilize({ adapter: remote, inputs: batch, gradient: nesGradient(remote, { probes: Number(values.probes), seed: 1 }) });
const remoteQueries = (remote.queryCount?.() ?? 0) - before;

const stds = [1e-3, 1e-4, 1e-5];
const seeds = [1, 2, 3];
async function changeRates(result: FragilizeResult): Promise<string[]> {
  const out: string[] = [];
  for (const std of stds) {
    let sum = 0;
    for (const seed of seeds) {
      const victim = await open();
      await addGaussianNoise(victim.weights!, { std, seed });
      sum += (await verify({ adapter: victim, inputs: result.inputs, labels: result.labels })).changeRate;
      await victim.dispose();
    }
    out.push(`${((sum / seeds.length) * 100).toFixed(0)} %`);
  }
  return out;
}

const rows = [
  ['gradients', 'queries/sample', 'grad evals/sample', 'wall s', 'in band', 'PSNR dB', ...stds.map((s) => `std ${s.toExponential(0)}`)],
  ['exact (ONNX vjp)', (exact.queries / count).toFixed(0), (exact.gradientEvaluations / count).toFixed(1), (exact.durationMs / 1000).toFixed(1),
    `${exact.samples.filter((s) => s.converged).length}/${count}`, psnrBatch(exact.originalInputs, exact.inputs, { dataRange: 1 }).mean.toFixed(1), ...(await changeRates(exact))],
  [`NES over HTTP (${values.probes} probe pairs)`, (remoteQueries / count).toFixed(0), (blackBox.gradientEvaluations / count).toFixed(1), (blackBox.durationMs / 1000).toFixed(1),
    `${blackBox.samples.filter((s) => s.converged).length}/${count}`, psnrBatch(blackBox.originalInputs, blackBox.inputs, { dataRange: 1 }).mean.toFixed(1), ...(await changeRates(blackBox))],
];
await remote.dispose();
await server.close();
await local.dispose();
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`\n${count} MNIST test samples, small CNN fixture (ONNX), ChangeRate averaged over noise seeds ${seeds.join(', ')}\n`);
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
