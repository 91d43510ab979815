/**
 * Benchmark (not a test): fragilize MNIST samples and print time per iteration,
 * iterations to converge, final margins and PSNR/SSIM, for the default preset and
 * (shortened) the paper preset. Any model the CLI opens works (TF.js, ONNX). Usage:
 *   pnpm bench:fragilize [--count 100] [--paper-iterations 1000] [--model PATH] [--threads N]
 */
import { parseArgs } from 'node:util';
import { fragilize, psnrBatch, ssimBatch, type FragilizeResult, type PresetName } from '@modelseal/core';
import { createRegistry } from '../src/adapters.ts';
import { loadDataset, pickTriggerCandidates } from '@modelseal/datasets';
import { DEMO_MODELS } from '../src/paths.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    'paper-iterations': { type: 'string', default: '1000' },
    model: { type: 'string', default: DEMO_MODELS.mnist },
    seed: { type: 'string', default: '0' },
    threads: { type: 'string' },
    dataset: { type: 'string', default: 'mnist' },
  },
});
const count = Number(values.count);
const registry = await createRegistry();
const factory = await registry.resolveLocation(values.model);
if (!factory?.configFromLocation) throw new Error(`no adapter for ${values.model}`);
const config = factory.configFromLocation(values.model) as Record<string, unknown>;
if (values.threads !== undefined) config.threads = Number(values.threads);
const adapter = await registry.create(factory.kind, config, { log: (line) => console.error(line) });
const description = adapter.describe();
const dataset = await loadDataset(values.dataset);
const { batch } = await pickTriggerCandidates(adapter, dataset.test, { count, seed: Number(values.seed) });

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function row(label: string, result: FragilizeResult): string[] {
  const margins = result.samples.map((s) => s.margin).sort((a, b) => a - b);
  const iterations = result.samples.map((s) => s.iterations).sort((a, b) => a - b);
  const range = description.valueRange[1] - description.valueRange[0];
  const psnr = psnrBatch(result.originalInputs, result.inputs, { dataRange: range }).mean;
  const ssim = ssimBatch(result.originalInputs, result.inputs, { dataRange: range, layout: description.layout }).mean;
  return [
    label,
    (result.durationMs / 1000).toFixed(1),
    (result.durationMs / Math.max(1, result.iterations)).toFixed(1),
    String(result.iterations),
    `${quantile(iterations, 0.5)} / ${quantile(iterations, 0.9)}`,
    (result.gradientEvaluations / count).toFixed(0),
    `${result.samples.filter((s) => s.converged).length}/${count}`,
    `${margins[0]!.toExponential(1)} / ${quantile(margins, 0.5).toExponential(1)} / ${margins.at(-1)!.toExponential(1)}`,
    (result.samples.reduce((s, x) => s + x.maxProbability, 0) / count).toFixed(3),
    psnr.toFixed(1),
    ssim.toFixed(3),
  ];
}

const rows: string[][] = [
  ['run', 'wall s', 'ms/iter', 'iters', 'iters/sample p50/p90', 'grad evals/sample', 'in band', 'margin min/p50/max', 'mean max p', 'PSNR dB', 'SSIM'],
];
const runs: [string, PresetName, Record<string, number>][] = [
  ['default', 'default', {}],
  [`paper (ε 1e-4 × ${values['paper-iterations']})`, 'paper', { maxIterations: Number(values['paper-iterations']) }],
];
for (const [label, preset, overrides] of runs) {
  console.error(`running ${label} …`);
  const result = await fragilize({ adapter, inputs: batch, preset, ...overrides });
  rows.push(row(label, result));
}
await adapter.dispose();

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`\n${count} ${dataset.name} test samples, ${values.model}, ${description.runtime}\n`);
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
