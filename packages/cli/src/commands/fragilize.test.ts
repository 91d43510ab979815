import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readTriggerSetFile, type ModelAdapter } from '@modelseal/core';
import { createRegistry, openModel } from '../adapters.ts';
import { REPO_ROOT } from '../paths.ts';
import { fragilizeToFile } from './fragilize.ts';

const ONNX_MODEL = join(REPO_ROOT, 'packages/adapters/onnx/fixtures/cnn_mnist_logits.onnx');

describe('fragilizeToFile tie sizes', () => {
  let dir: string;
  let adapter: ModelAdapter;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelseal-fragilize-'));
    adapter = await openModel(await createRegistry(), ONNX_MODEL);
  });
  afterAll(async () => {
    await adapter?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const seal = async (name: string, tiePsnr: number, more: { maxEvaluations?: number; spareCandidates?: number; tieTop?: 'probe' | 'runner-up' | 'last' | 'original'; iterations?: number; tieMeanPsnr?: number; minTieClasses?: number } = {}) => {
    const out = join(dir, `${name}.safetensors`);
    // Silences the JSON summary the command prints.
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const made = await fragilizeToFile(adapter, {
        dataset: 'mnist',
        count: 4,
        out,
        preset: 'default',
        seed: 2,
        iterations: 3,
        maxTieClasses: 7,
        tiePsnr,
        // Each sample sized alone by tiePsnr unless a test asks for the set-wide budget.
        tieMeanPsnr: 0,
        ...more,
        json: true,
        modelLabel: ONNX_MODEL,
      });
      const { triggerSet } = await readTriggerSetFile(out);
      return { summary: made.summary, extra: triggerSet.metadata.extra as Record<string, unknown> };
    } finally {
      write.mockRestore();
    }
  };

  it('passes --max-tie-classes and --tie-psnr through and records each sample’s tie in the set', async () => {
    const generous = await seal('generous', 1);
    expect(generous.summary.meanTieClasses).toBe(7);
    expect(generous.extra.tieClassesPerSample).toEqual([7, 7, 7, 7]);
    const strict = await seal('strict', 200);
    expect(strict.summary.meanTieClasses).toBe(6);
    expect(strict.extra.tieClassesPerSample).toEqual([6, 6, 6, 6]);
  });

  it('passes --tie-mean-psnr and --min-tie-classes through: the set-wide budget decides the ties', async () => {
    const generous = await seal('mean-generous', 1, { tieMeanPsnr: 1, minTieClasses: 4 });
    expect(generous.extra.tieClassesPerSample).toEqual([7, 7, 7, 7]);
    const strict = await seal('mean-strict', 1, { tieMeanPsnr: 199, minTieClasses: 4 });
    expect(strict.extra.tieClassesPerSample).toEqual([4, 4, 4, 4]);
    expect((strict.extra.settings as Record<string, unknown>).tieMeanPsnr).toBe(199);
  });

  it('passes --max-evaluations through; 0 lifts the preset’s limit', async () => {
    // Measuring tie sizes up to 7 costs 6 evaluations, each 7-class iteration 6 more.
    // Without spares: a sample cut short by the budget would otherwise get a spare.
    const tight = await seal('tight', 1, { maxEvaluations: 12, spareCandidates: 0 });
    expect(tight.summary.gradientEvaluationsPerSample).toBe(12);
    expect(tight.summary.replacedSamples).toBe(0);
    const unlimited = await seal('unlimited', 1, { maxEvaluations: 0, spareCandidates: 0 });
    expect(unlimited.summary.gradientEvaluationsPerSample).toBe(24);
  });

  it('passes --tie-top and --spare-candidates through and records them in the set', async () => {
    const last = await seal('last', 200, { tieTop: 'last', spareCandidates: 0 });
    const settings = last.extra.settings as Record<string, unknown>;
    expect(settings.tieTop).toBe('last');
    expect(settings.spareCandidates).toBe(0);
    expect(last.summary.replacedSamples).toBe(0);
  });

  it('by default probes the class on top with a fine-tune on MNIST training images and records what it saw', async () => {
    const probed = await seal('probed', 200, { iterations: 12, spareCandidates: 0 });
    const decision = probed.summary.tieTop as { chosen: string; flips: { runnerUp: number; last: number } | null };
    expect(['runner-up', 'last']).toContain(decision.chosen);
    expect(decision.flips).not.toBeNull();
    expect(probed.extra.tieTop).toMatchObject({ chosen: decision.chosen, flips: decision.flips });
    // The search stopped before the probe's iteration: it says so and keeps the runner-up.
    const short = await seal('short', 200, { spareCandidates: 0 });
    expect(short.summary.tieTop).toMatchObject({ chosen: 'runner-up', flips: null, skipped: 'the search ended before iteration 10' });
  });
});
