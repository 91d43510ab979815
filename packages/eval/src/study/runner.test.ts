import { describe, expect, it } from 'vitest';
import type { ModelAdapter } from '@modelseal/core';
import { MlpAdapter } from '@modelseal/core/testing';
import { parseStudyConfig } from './config.ts';
import { runStudy, type StudyProgress } from './runner.ts';

// A confident MLP on 28×28 NCHW inputs stands in for the CNN: the real MNIST data, no ML runtime.
function opener() {
  const opened: { path: string; adapter: MlpAdapter; writes: number }[] = [];
  const open = async (path: string): Promise<ModelAdapter> => {
    const adapter = new MlpAdapter({ inputShape: [1, 28, 28], hidden: 32, seed: 11, weightScale: 4 });
    const entry = { path, adapter, writes: 0 };
    const write = adapter.weights.write.bind(adapter.weights);
    adapter.weights.write = async (name, values) => {
      entry.writes++;
      await write(name, values);
    };
    opened.push(entry);
    return adapter;
  };
  return { opened, open };
}

describe('runStudy', () => {
  it('verifies every method against a fresh tampered copy per seed and attack setting and averages over seeds', async () => {
    const config = parseStudyConfig({
      model: 'models/x',
      dataset: 'mnist',
      count: 4,
      seeds: [1, 2],
      methods: ['non-fragile', 'random', 'icip2022', 'ours', 'paper'],
      paperIterations: 5,
      icip2022: { maxSteps: 2 },
      traceSamples: 2,
      attacks: [{ kind: 'noise', std: [1e-12, 3] }],
    });
    const { opened, open } = opener();
    const progress: StudyProgress[] = [];
    const result = await runStudy(config, { baseDir: '/base', openModel: open, onProgress: (p) => progress.push(p) });

    // One intact model for making samples, then one fresh copy per seed × setting.
    expect(opened).toHaveLength(1 + 2 * 2);
    expect(opened.every((o) => o.path === '/base/models/x')).toBe(true);
    // The intact model is only written to by the probe fine-tune of the default preset's tie
    // top, which puts every weight back: it ends exactly as a fresh copy.
    const fresh = new MlpAdapter({ inputShape: [1, 28, 28], hidden: 32, seed: 11, weightScale: 4 });
    for (const info of await fresh.weights.list()) expect(await opened[0]!.adapter.weights.read(info.name)).toEqual(await fresh.weights.read(info.name));
    expect(result.methods.find((m) => m.method === 'ours')!.tieTops).toHaveLength(2);
    expect(opened.slice(1).every((o) => o.writes > 0)).toBe(true);

    expect(result.columns).toEqual([
      { attack: 'noise', value: 1e-12, variant: null },
      { attack: 'noise', value: 3, variant: null },
    ]);
    expect(result.cells).toHaveLength(5 * 2);
    for (const cell of result.cells) {
      expect(cell.perSeed).toHaveLength(2);
      expect(cell.changeRate).toBeCloseTo((cell.perSeed[0]! + cell.perSeed[1]!) / 2, 12);
      // Noise far below float32 resolution leaves the model bit-identical.
      if (cell.value === 1e-12) expect(cell.changeRate).toBe(0);
    }
    const nonFragileBig = result.cells.find((c) => c.method === 'non-fragile' && c.value === 3)!;
    expect(nonFragileBig.changeRate).toBeGreaterThan(0.2);
    expect(nonFragileBig.detectedSeeds).toBe(2);

    const byMethod = Object.fromEntries(result.methods.map((m) => [m.method, m]));
    expect(byMethod['ours']!.samples).toBe(4);
    expect(byMethod['non-fragile']!.samples).toBeGreaterThan(100);
    expect(byMethod['ours']!.psnr).toBeGreaterThan(10);
    expect(byMethod['random']!.psnr).toBeNull();
    expect(byMethod['ours']!.gradientEvaluationsPerSample).toBeGreaterThan(0);
    expect(byMethod['paper']!.gradientEvaluationsPerSample).toBe(6);

    expect(result.traces.map((t) => t.method)).toEqual(['ours', 'paper']);
    expect(result.traces[1]!.trace.checkpoints.at(-1)).toBe(5);

    const last = progress.at(-1)!;
    expect(last.done).toBe(last.total);
    expect(progress.some((p) => p.detail.includes('icip2022 step'))).toBe(true);
  });

  it('tampers attackDraws independent copies per seed for noise, once for deterministic attacks, and averages them per seed', async () => {
    const config = parseStudyConfig({
      model: 'models/x',
      dataset: 'mnist',
      count: 4,
      seeds: [1, 2],
      methods: ['non-fragile'],
      attackDraws: 3,
      traceSamples: 0,
      attacks: [{ kind: 'noise', std: [0.5] }, { kind: 'fp16' }],
    });
    const { opened, open } = opener();
    const progress: StudyProgress[] = [];
    const result = await runStudy(config, { baseDir: '/base', openModel: open, onProgress: (p) => progress.push(p) });
    // Per seed: 3 noisy copies and 1 float16 copy.
    expect(opened).toHaveLength(1 + 2 * (3 + 1));
    const noise = result.cells.find((c) => c.attack === 'noise')!;
    expect(noise.perDraw).toHaveLength(6);
    expect(new Set(noise.perDraw).size).toBeGreaterThan(1);
    noise.perSeed.forEach((rate, s) => expect(rate).toBeCloseTo((noise.perDraw[3 * s]! + noise.perDraw[3 * s + 1]! + noise.perDraw[3 * s + 2]!) / 3, 12));
    expect(noise.detectedDraws).toBe(noise.perDraw.filter((r) => r > 0).length);
    expect(result.cells.find((c) => c.attack === 'fp16')!.perDraw).toHaveLength(2);
    expect(progress.some((p) => p.detail.endsWith('copy 3/3'))).toBe(true);
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
  });
});

describe('runStudy, default preset', () => {
  it('picks its candidates by junction distance and counts the selection in its gradient evaluations', async () => {
    const config = parseStudyConfig({
      model: 'models/x',
      dataset: 'mnist',
      count: 3,
      seeds: [1],
      methods: ['junction', 'ours'],
      traceSamples: 0,
      attacks: [{ kind: 'noise', std: [1e-12] }],
    });
    const { open } = opener();
    const result = await runStudy(config, { baseDir: '/base', openModel: open });
    const byMethod = Object.fromEntries(result.methods.map((m) => [m.method, m]));
    // 5 vjps for each of the 3 × 3 screened pool samples, 7 to measure ties up to 8 classes,
    // then 30 origin-anchored iterations × 5 to 7 rivals; a spare (ceil(0.1 × 3) = 1) fragilized
    // for a sample that missed its band costs as much again.
    const ours = byMethod['ours']!;
    const perSample = ours.gradientEvaluationsPerSample;
    expect(perSample).toBeGreaterThanOrEqual((3 * 3 * 5) / 3 + 7 + 30 * 5);
    expect(perSample).toBeLessThanOrEqual((3 * 3 * 5) / 3 + ((3 + 1) * (7 + 30 * 7)) / 3);
    expect(ours.inBand).toBeGreaterThanOrEqual(0);
    expect(ours.inBand).toBeLessThanOrEqual(3);
    expect(ours.replaced).toBeLessThanOrEqual(1);
    expect(byMethod['ours']!.psnr).toBeGreaterThan(10);
    expect(result.cells.find((c) => c.method === 'ours')!.changeRate).toBe(0);
  });
});

describe('runStudy with fine-tuning', () => {
  it('verifies along the fine-tuning run and records the curve for figure 9', async () => {
    const config = parseStudyConfig({
      model: '../../../../models/mnist-cnn',
      dataset: 'mnist',
      count: 3,
      seeds: [1],
      methods: ['random', 'ours'],
      traceSamples: 0,
      attacks: [{ kind: 'finetune', learningRate: [0.05], steps: 4, batchSize: 16, points: 2 }],
    });
    const result = await runStudy(config, { baseDir: import.meta.dirname });
    expect(result.columns).toEqual([{ attack: 'finetune', value: 0.05, variant: 'batch-norm frozen' }]);
    expect(result.curves.map((c) => [c.method, c.steps])).toEqual([
      ['random', [0, 2, 4]],
      ['ours', [0, 2, 4]],
    ]);
    for (const curve of result.curves) {
      const cell = result.cells.find((c) => c.method === curve.method)!;
      // The table's cell is the ChangeRate after the last fine-tuning step.
      expect(curve.changeRate.at(-1)).toBe(cell.changeRate);
      expect(curve.changeRate[0]).toBe(0);
    }
  });
});
