import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlpAdapter } from '@modelseal/core/testing';
import type { ProgressReporter } from '../ui/progress.ts';
import { runEval } from './eval.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modelseal-eval-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recorder(): ProgressReporter & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    start: (total, label) => events.push(`start ${label} ${total}`),
    update: (value) => events.push(`update ${value}`),
    stop: () => events.push('stop'),
  };
}

const openModel = async () => new MlpAdapter({ inputShape: [1, 28, 28], hidden: 16, seed: 5, weightScale: 4 });

describe('runEval', () => {
  it('prints the tables, writes results.json and the figures, and reports progress', async () => {
    const config = join(dir, 'study.json');
    await writeFile(
      config,
      JSON.stringify({
        model: 'model',
        dataset: 'mnist',
        count: 3,
        seeds: [1],
        methods: ['random', 'ours'],
        traceSamples: 2,
        attacks: [{ kind: 'noise', std: [1e-3, 1e-4] }],
      }),
    );
    let printed = '';
    const progress = recorder();
    const out = join(dir, 'out');
    const code = await runEval({ config, out, json: false, progress, openModel, write: (t) => (printed += t) });
    expect(code).toBe(0);
    expect(printed).toMatch(/Standard Deviation\s+0\.001\s+0\.0001/);
    expect(printed).toMatch(/\nRandom\s+\d+\.\d\d\s+\d+\.\d\d\n/);
    expect(printed).toContain('results.json');
    const files = (await readdir(out)).sort();
    expect(files).toEqual(['fig5-psnr-ours.svg', 'fig5-ssim-ours.svg', 'fig7-loss-ours.svg', 'fig8-probabilities-ours.svg', 'results.json']);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.cells).toHaveLength(4);
    expect(results.model).toBe('model');
    expect(progress.events[0]).toBe('start eval 5');
    expect(progress.events.at(-2)).toBe('update 5');
    expect(progress.events.at(-1)).toBe('stop');
  });

  it('--model replaces the config model, resolved from the current folder', async () => {
    const config = join(dir, 'study.json');
    await writeFile(config, JSON.stringify({ model: 'm', dataset: 'mnist', count: 2, seeds: [3], methods: ['random'], attacks: [{ kind: 'noise', std: [1e-2] }] }));
    const opened: string[] = [];
    const spy = async (location: string) => {
      opened.push(location);
      return openModel();
    };
    let printed = '';
    await runEval({ config, out: join(dir, 'o'), json: true, model: 'fixtures/elsewhere.onnx', progress: recorder(), openModel: spy, write: (t) => (printed += t) });
    expect(opened[0]).toBe(resolve('fixtures/elsewhere.onnx'));
    // Results name it as typed, without this machine's folders.
    expect(JSON.parse(printed).model).toBe('fixtures/elsewhere.onnx');
  });

  it('prints one JSON object with --json', async () => {
    const config = join(dir, 'study.json');
    await writeFile(config, JSON.stringify({ model: 'm', dataset: 'mnist', count: 2, seeds: [3], methods: ['random'], attacks: [{ kind: 'noise', std: [1e-2] }] }));
    let printed = '';
    await runEval({ config, out: join(dir, 'o'), json: true, progress: recorder(), openModel, write: (t) => (printed += t) });
    const parsed = JSON.parse(printed);
    expect(parsed.columns).toEqual([{ attack: 'noise', value: 1e-2, variant: null }]);
    expect(parsed.files[0]).toBe(join(dir, 'o', 'results.json'));
  });

  it('rejects a missing or invalid config with INVALID_CONFIG', async () => {
    await expect(runEval({ config: join(dir, 'none.json'), out: dir, json: true, openModel })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    const config = join(dir, 'bad.json');
    await writeFile(config, JSON.stringify({ model: 'm', dataset: 'mnist', count: 2, seeds: [1], methods: ['ours'], attacks: [] }));
    await expect(runEval({ config, out: dir, json: true, openModel })).rejects.toThrow(/attacks/);
    await writeFile(config, '{ not json');
    await expect(runEval({ config, out: dir, json: true, openModel })).rejects.toThrow(/not valid JSON/);
  });
});
