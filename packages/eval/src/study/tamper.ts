import { chunkRows, isModelSealError, verify, type ModelAdapter, type Tensor } from '@modelseal/core';
import type { LabelledBatch } from '@modelseal/adapter-tfjs';
import type { TriggerSamples } from '../baselines/index.ts';
import { applyAttack } from './attack.ts';
import type { AttackSetting, MethodName } from './config.ts';
import { backdoorAttack, fineTuneWithCheckpoints } from './fineTune.ts';

export interface TamperOutcome {
  /** ChangeRate of each method's samples on the tampered model. */
  readonly rates: Map<MethodName, number>;
  /** Samples per method for which the tampered model returned NaN or infinite probabilities. */
  readonly nonFinite: Map<MethodName, number>;
  /** For fine-tuning: the rates at every checkpoint step (figure 9). */
  readonly checkpoints: { step: number; rates: Map<MethodName, number> }[];
  readonly backdoor?: { attackSuccessRate: number; cleanAccuracy: number };
}

export interface TamperOptions {
  /** A fresh copy of the model; it is modified in place. */
  readonly model: ModelAdapter;
  readonly setting: AttackSetting;
  readonly seed: number;
  readonly triggers: ReadonlyMap<MethodName, TriggerSamples>;
  /** Training data, built only when a training attack asks for it. */
  readonly train: () => LabelledBatch;
  readonly test: () => LabelledBatch;
  readonly onCheckpoint?: (step: number, steps: number) => void;
}

/**
 * ChangeRate of a trigger set on a tampered model. An attack such as a flipped exponent bit
 * can make the model return NaN; the adapter rightly refuses such output, but for the study
 * it is the strongest possible detection, so those samples count as changed instead of
 * ending the run. Only on such a refusal are the samples queried one by one to find them.
 */
export async function tamperedChangeRate(model: ModelAdapter, samples: TriggerSamples): Promise<{ rate: number; nonFinite: number }> {
  const changesIn = async (inputs: Tensor, labels: Int32Array): Promise<number | 'non-finite'> => {
    try {
      return (await verify({ adapter: model, inputs, labels })).labelChanges;
    } catch (error) {
      if (isModelSealError(error) && error.code === 'MODEL_OUTPUT') return 'non-finite';
      throw error;
    }
  };
  const total = samples.labels.length;
  const all = await changesIn(samples.inputs, samples.labels);
  if (all !== 'non-finite') return { rate: all / Math.max(1, total), nonFinite: 0 };
  let changed = 0;
  let nonFinite = 0;
  for (const [index, row] of chunkRows(samples.inputs, 1).entries()) {
    const one = await changesIn(row, samples.labels.subarray(index, index + 1));
    if (one === 'non-finite') nonFinite++;
    changed += one === 'non-finite' ? 1 : one;
  }
  return { rate: changed / Math.max(1, total), nonFinite };
}

/** Applies one attack setting to a fresh model copy and verifies every method's trigger set on it. */
export async function tamperAndVerify(options: TamperOptions): Promise<TamperOutcome> {
  const { model, setting, seed } = options;
  const nonFinite = new Map<MethodName, number>();
  const verifyAll = async (): Promise<Map<MethodName, number>> => {
    const rates = new Map<MethodName, number>();
    for (const [method, samples] of options.triggers) {
      const outcome = await tamperedChangeRate(model, samples);
      rates.set(method, outcome.rate);
      nonFinite.set(method, outcome.nonFinite);
    }
    return rates;
  };
  const spec = setting.spec;
  if (spec.kind === 'finetune') {
    const checkpoints: TamperOutcome['checkpoints'] = [];
    await fineTuneWithCheckpoints(model, {
      data: options.train(),
      learningRate: setting.value!,
      steps: spec.steps,
      batchSize: spec.batchSize,
      batchNorm: spec.batchNorm,
      seed,
      points: spec.points,
      onCheckpoint: async (step) => {
        checkpoints.push({ step, rates: await verifyAll() });
        options.onCheckpoint?.(step, spec.steps);
      },
    });
    return { rates: checkpoints.at(-1)!.rates, nonFinite, checkpoints };
  }
  if (spec.kind === 'backdoor') {
    const effect = await backdoorAttack(model, {
      train: options.train(),
      test: options.test(),
      learningRate: setting.value!,
      steps: spec.steps,
      batchSize: spec.batchSize,
      targetLabel: spec.targetLabel,
      poisonFraction: spec.poisonFraction,
      seed,
    });
    return {
      rates: await verifyAll(),
      nonFinite,
      checkpoints: [],
      backdoor: { attackSuccessRate: effect.attackSuccessRate, cleanAccuracy: effect.cleanAccuracy },
    };
  }
  await applyAttack(model, setting, seed);
  const rates = await verifyAll();
  return { rates, nonFinite, checkpoints: [] };
}
