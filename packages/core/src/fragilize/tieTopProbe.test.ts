import { describe, expect, it } from 'vitest';
import type { ModelAdapter } from '../adapter/contract.ts';
import type { FineTuneOptions } from '../attacks/fineTuneOptions.ts';
import { ModelSealError } from '../errors.ts';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { Random } from '../util/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { fragilize } from './fragilize.ts';
import { probeTieTop } from './tieTopProbe.ts';

function images(count: number, seed: number): Tensor {
  const random = new Random(seed);
  return { data: Float32Array.from({ length: count * 64 }, () => random.next()), shape: [count, 1, 8, 8] };
}

/** Training data that all carries one label: fine-tuning on it raises that class everywhere. */
function labelledAs(label: number, count = 64) {
  return { images: images(count, 3), labels: new Int32Array(count).fill(label) };
}

const newModel = () => new MlpAdapter({ seed: 5, weightScale: 1.5, inputShape: [1, 8, 8], hidden: 32 });
const points = images(10, 8);
// Every sample ties classes 0, 1, 2: class 0 is the runner-up (on top), class 2 the least supported.
const ties = Array.from({ length: 10 }, () => [0, 1, 2]);
const probe = { points, ties, learningRate: 0.5, steps: 20, batchSize: 16, seed: 1 };

describe('probeTieTop', () => {
  it('moves the last class to the top when fine-tuning favours the runner-up, and keeps the runner-up otherwise', async () => {
    const raisesRunnerUp = await probeTieTop({ adapter: newModel(), ...probe, data: labelledAs(0) });
    expect(raisesRunnerUp.flips).toEqual({ runnerUp: 0, last: 1 });
    expect(raisesRunnerUp.chosen).toBe('last');
    const raisesLast = await probeTieTop({ adapter: newModel(), ...probe, data: labelledAs(2) });
    expect(raisesLast.flips).toEqual({ runnerUp: 1, last: 0 });
    expect(raisesLast.chosen).toBe('runner-up');
    // Either top flips: the runner-up stays, the measured better default.
    const raisesMiddle = await probeTieTop({ adapter: newModel(), ...probe, data: labelledAs(1) });
    expect(raisesMiddle.flips).toEqual({ runnerUp: 1, last: 1 });
    expect(raisesMiddle.chosen).toBe('runner-up');
  });

  it('restores every weight, so the model predicts exactly as before', async () => {
    const adapter = newModel();
    const before = await adapter.predict(points);
    const decision = await probeTieTop({ adapter, ...probe, data: labelledAs(2) });
    expect(decision.skipped).toBeUndefined();
    expect(Array.from((await adapter.predict(points)).data)).toEqual(Array.from(before.data));
  });

  it('says why it skipped a model that cannot train or an empty data set, and keeps the runner-up', async () => {
    const model = newModel();
    const blackBox: ModelAdapter = { kind: 'remote', describe: () => model.describe(), predict: (b) => model.predict(b), dispose: async () => undefined };
    const noTraining = await probeTieTop({ adapter: blackBox, ...probe, data: labelledAs(0) });
    expect(noTraining).toMatchObject({ chosen: 'runner-up', flips: null });
    expect(noTraining.skipped).toMatch(/remote model cannot be fine-tuned/);
    const empty = await probeTieTop({ adapter: newModel(), ...probe, data: { images: images(0, 1), labels: new Int32Array(0) } });
    expect(empty.skipped).toMatch(/no training data/);
  });

  it('falls back to the runner-up when the fine-tune fails half-way, with the weights put back', async () => {
    const model = newModel();
    const before = await model.predict(points);
    const broken: ModelAdapter = {
      kind: 'flaky',
      describe: () => model.describe(),
      predict: (b) => model.predict(b),
      weights: model.weights,
      fineTune: async (options: FineTuneOptions) => {
        await model.fineTune({ ...options, steps: 2 });
        throw new ModelSealError('MODEL_OUTPUT', 'fine-tuning diverged at step 3');
      },
      dispose: async () => undefined,
    };
    const decision = await probeTieTop({ adapter: broken, ...probe, data: labelledAs(1) });
    expect(decision).toMatchObject({ chosen: 'runner-up', flips: null });
    expect(decision.skipped).toMatch(/probe fine-tune failed: fine-tuning diverged at step 3/);
    expect(Array.from((await model.predict(points)).data)).toEqual(Array.from(before.data));
  });

  it('passes cancellation through instead of falling back', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(probeTieTop({ adapter: newModel(), ...probe, data: labelledAs(0), signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe("fragilize with tieTop 'probe'", () => {
  const inputs = images(8, 8);

  it('records the decision and puts the chosen class on top of every solved sample', async () => {
    const adapter = newModel();
    const start = await adapter.predict(inputs);
    const ranked = (r: number) =>
      Array.from(start.data.subarray(r * 10, (r + 1) * 10), (p, c) => [p, c] as const)
        .sort((a, b) => b[0] - a[0])
        .map(([, c]) => c);
    const settings = { preset: 'junction', tieClasses: 4, tieTop: 'probe', probeIteration: 5, probeSteps: 10, probeLearningRate: 0.5 } as const;
    // Training on the samples labelled with their runner-up class raises it: `last` goes on top.
    const favoursRunnerUp = { images: inputs, labels: Int32Array.from({ length: 8 }, (_, r) => ranked(r)[1]!) };
    const favoursLast = { images: inputs, labels: Int32Array.from({ length: 8 }, (_, r) => ranked(r)[3]!) };
    for (const [data, chosen, position] of [
      [favoursRunnerUp, 'last', 3],
      [favoursLast, 'runner-up', 1],
    ] as const) {
      const result = await fragilize({ adapter, inputs, ...settings, probeData: data });
      expect(result.tieTop?.chosen).toBe(chosen);
      const solved = result.samples.flatMap((s, r) => (s.converged ? [r] : []));
      expect(solved.length).toBeGreaterThanOrEqual(6);
      for (const r of solved) expect(result.labels[r]).toBe(ranked(r)[position]);
    }
  });

  it('keeps the runner-up and says so without probe data', async () => {
    const result = await fragilize({ adapter: newModel(), inputs, preset: 'junction', tieClasses: 4, tieTop: 'probe', probeIteration: 5 });
    expect(result.tieTop).toMatchObject({ chosen: 'runner-up', flips: null, skipped: 'no training data was given for the probe fine-tune' });
  });
});
