import { chunkRows, isModelSealError, topTwo, verify, type ModelAdapter } from '@modelseal/core';
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
  try {
    return { rate: (await verify({ adapter: model, inputs: samples.inputs, labels: samples.labels })).changeRate, nonFinite: 0 };
  } catch (error) {
    if (!isModelSealError(error) || error.code !== 'MODEL_OUTPUT') throw error;
  }
  let changed = 0;
  let nonFinite = 0;
  let index = 0;
  for (const row of chunkRows(samples.inputs, 1)) {
    try {
      const output = await model.predict(row);
      if (topTwo(output.data).index !== samples.labels[index]) changed++;
    } catch (error) {
      if (!isModelSealError(error) || error.code !== 'MODEL_OUTPUT') throw error;
      changed++;
      nonFinite++;
    }
    index++;
  }
  return { rate: changed / Math.max(1, samples.labels.length), nonFinite };
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
