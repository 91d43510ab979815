import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { Random } from '../util/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { fragilize, type FragilizeProgress } from './fragilize.ts';
import { resolveSettings } from './settings.ts';
import { getObjective } from '../objectives/objectives.ts';

function randomInputs(count: number, seed: number): Tensor {
  const random = new Random(seed);
  const data = Float32Array.from({ length: count * 36 }, () => random.next());
  return { data, shape: [count, 1, 6, 6] };
}

function meanObjective(name: 'eq3' | 'log-variance', probabilities: Tensor): number {
  const objective = getObjective(name);
  const n = probabilities.shape[1]!;
  let sum = 0;
  for (let r = 0; r < probabilities.shape[0]!; r++) sum += objective.value(probabilities.data.subarray(r * n, (r + 1) * n));
  return sum / probabilities.shape[0]!;
}

describe('fragilize', () => {
  const adapter = new MlpAdapter({ seed: 5, weightScale: 3 });
  const inputs = randomInputs(12, 9);

  it('descent (the intended rule) makes the eq. 3 objective fall', async () => {
    const before = await adapter.predict(inputs);
    const result = await fragilize({ adapter, inputs, preset: 'paper', epsilon: 1e-3, maxIterations: 200 });
    expect(meanObjective('eq3', result.probabilities)).toBeLessThan(meanObjective('eq3', before) * 0.5);
  });

  it("the paper's printed +ε makes the objective rise", async () => {
    const before = await adapter.predict(inputs);
    const result = await fragilize({ adapter, inputs, preset: 'paper', epsilon: 1e-3, maxIterations: 200, direction: 'ascent' });
    expect(meanObjective('eq3', result.probabilities)).toBeGreaterThan(meanObjective('eq3', before));
  });

  it('paper preset runs exactly the requested number of iterations and moves every pixel by at most itr·ε', async () => {
    const result = await fragilize({ adapter, inputs, preset: 'paper', epsilon: 1e-3, maxIterations: 50 });
    expect(result.iterations).toBe(50);
    expect(result.samples.every((s) => s.iterations === 50)).toBe(true);
    for (let i = 0; i < inputs.data.length; i++) {
      expect(Math.abs(result.inputs.data[i]! - inputs.data[i]!)).toBeLessThanOrEqual(50 * 1e-3 + 1e-6);
      expect(result.inputs.data[i]!).toBeGreaterThanOrEqual(0);
      expect(result.inputs.data[i]!).toBeLessThanOrEqual(1);
    }
  });

  it('boundary preset keeps every sample above the margin floor and stops each one in the band', async () => {
    const settings = resolveSettings({ preset: 'boundary', maxIterations: 300 });
    const result = await fragilize({ adapter, inputs, preset: 'boundary', maxIterations: 300 });
    for (const sample of result.samples) {
      expect(sample.margin).toBeGreaterThanOrEqual(settings.minMargin);
      expect(sample.converged).toBe(sample.margin <= settings.targetMargin);
      // A converged sample stops early; the others run until their step is exhausted or time is up.
      if (sample.converged) expect(sample.iterations).toBeLessThan(300);
    }
    expect(result.samples.filter((s) => s.converged).length).toBeGreaterThanOrEqual(3);
    // The recorded labels are the model's answers on the fragile inputs.
    const check = await adapter.predict(result.inputs);
    const n = 10;
    result.labels.forEach((label, r) => {
      const row = Array.from(check.data.subarray(r * n, (r + 1) * n));
      expect(row.indexOf(Math.max(...row))).toBe(label);
    });
  });

  it('stops the run as soon as every sample has reached its target', async () => {
    const result = await fragilize({ adapter, inputs, preset: 'boundary', targetMargin: 0.9, maxIterations: 500 });
    expect(result.samples.every((s) => s.converged)).toBe(true);
    expect(result.iterations).toBeLessThan(500);
  });

  it('is reproducible: same inputs and seed give bit-identical fragile samples', async () => {
    const a = await fragilize({ adapter, inputs, seed: 4 });
    const b = await fragilize({ adapter, inputs, seed: 4 });
    expect(a.inputs.data).toEqual(b.inputs.data);
    expect(a.labels).toEqual(b.labels);
  });

  it('reports progress with a decreasing mean objective', async () => {
    const events: FragilizeProgress[] = [];
    await fragilize({ adapter, inputs, onProgress: (p) => events.push(p) });
    expect(events.length).toBeGreaterThan(2);
    expect(events[0]!.iteration).toBe(0);
    expect(events.at(-1)!.meanObjective).toBeLessThan(events[0]!.meanObjective);
    expect(events.at(-1)!.converged).toBeGreaterThan(0);
  });

  it('can be cancelled with an AbortSignal', async () => {
    const controller = new AbortController();
    const promise = fragilize({
      adapter,
      inputs,
      preset: 'paper',
      maxIterations: 100_000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration === 3) controller.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects inputs of the wrong shape and non-finite values with clear errors', async () => {
    await expect(fragilize({ adapter, inputs: { data: new Float32Array(10), shape: [1, 10] } })).rejects.toMatchObject({
      code: 'INPUT_SHAPE',
    });
    const bad = randomInputs(2, 1);
    bad.data[40] = Number.NaN;
    await expect(fragilize({ adapter, inputs: bad })).rejects.toThrow(/sample 1 contains NaN/);
  });

  it('rejects contradictory settings', async () => {
    await expect(fragilize({ adapter, inputs, minMargin: 0.1, targetMargin: 0.01 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(fragilize({ adapter, inputs, epsilon: -1 })).rejects.toThrow(/epsilon/);
  });
});

describe('fragilize, junction preset', () => {
  it('moves samples onto a k-class tie with the top class a band above the rest', async () => {
    const adapter = new MlpAdapter({ seed: 5, weightScale: 1.5, inputShape: [1, 8, 8], hidden: 32 });
    const random = new Random(3);
    const inputs = { data: Float32Array.from({ length: 6 * 64 }, () => random.next()), shape: [6, 1, 8, 8] };
    const result = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 4 });
    const settings = resolveSettings({ preset: 'junction' });
    const solved = result.samples.filter((s) => s.converged);
    expect(solved.length).toBeGreaterThanOrEqual(4);
    for (let r = 0; r < 6; r++) {
      const sample = result.samples[r]!;
      expect(sample.margin).toBeGreaterThanOrEqual(settings.minMargin);
      if (!sample.converged) continue;
      // The four largest probabilities are within a few band-widths of each other.
      const row = Array.from(result.probabilities.data.subarray(r * 10, (r + 1) * 10)).sort((a, b) => b - a);
      expect(row[0]! - row[3]!).toBeLessThan(10 * settings.targetMargin);
      expect(row[0]! - row[4]!).toBeGreaterThan(10 * settings.targetMargin);
    }
    expect(result.gradientEvaluations).toBeGreaterThan(0);
  });
});

describe('fragilize, which tied class ends on top', () => {
  const adapter = new MlpAdapter({ seed: 5, weightScale: 1.5, inputShape: [1, 8, 8], hidden: 32 });
  const random = new Random(8);
  const inputs = { data: Float32Array.from({ length: 8 * 64 }, () => random.next()), shape: [8, 1, 8, 8] };

  it('runner-up puts the second class on top, last the tied class the original supports least', async () => {
    const start = await adapter.predict(inputs);
    const ranked = (r: number) =>
      Array.from(start.data.subarray(r * 10, (r + 1) * 10), (p, c) => [p, c] as const)
        .sort((a, b) => b[0] - a[0])
        .map(([, c]) => c);
    for (const [tieTop, expected] of [
      ['runner-up', (r: number) => ranked(r)[1]],
      ['last', (r: number) => ranked(r)[3]],
      ['original', (r: number) => ranked(r)[0]],
    ] as const) {
      const result = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 4, tieTop });
      const solved = result.samples.flatMap((s, r) => (s.converged ? [r] : []));
      expect(solved.length).toBeGreaterThanOrEqual(6);
      for (const r of solved) expect(result.labels[r]).toBe(expected(r));
    }
  });
});

describe('fragilize, junction evaluation budget', () => {
  const adapter = new MlpAdapter({ seed: 5, weightScale: 1.5, inputShape: [1, 8, 8], hidden: 32 });
  const random = new Random(4);
  const inputs = { data: Float32Array.from({ length: 4 * 64 }, () => random.next()), shape: [4, 1, 8, 8] };

  it('stops each sample before its next iteration would pass maxEvaluations', async () => {
    // 5-class ties cost 4 evaluations per iteration: a budget of 22 allows 5 iterations, not 6.
    const limited = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 5, maxIterations: 40, earlyStop: false, maxEvaluations: 22 });
    for (const sample of limited.samples) {
      expect(sample.gradientEvaluations).toBe(20);
      expect(sample.iterations).toBe(5);
    }
    const free = await fragilize({ adapter, inputs, preset: 'junction', tieClasses: 5, maxIterations: 40, earlyStop: false, maxEvaluations: null });
    for (const sample of free.samples) expect(sample.gradientEvaluations).toBe(160);
  });

  it('the default preset spends at most 180 per sample, tie sizing included', async () => {
    const result = await fragilize({ adapter, inputs, preset: 'default' });
    for (const sample of result.samples) expect(sample.gradientEvaluations).toBeLessThanOrEqual(180);
    expect(resolveSettings({ preset: 'default' }).maxEvaluations).toBe(180);
  });
});
