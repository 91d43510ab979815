import { verify, type ModelAdapter } from '@modelseal/core';
import type { LabelledBatch } from '@modelseal/adapter-tfjs';
import type { TriggerSamples } from '../baselines/index.ts';
import { applyAttack } from './attack.ts';
import type { AttackSetting, MethodName } from './config.ts';
import { backdoorAttack, fineTuneWithCheckpoints } from './fineTune.ts';

export interface TamperOutcome {
  /** ChangeRate of each method's samples on the tampered model. */
  readonly rates: Map<MethodName, number>;
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

/** Applies one attack setting to a fresh model copy and verifies every method's trigger set on it. */
export async function tamperAndVerify(options: TamperOptions): Promise<TamperOutcome> {
  const { model, setting, seed } = options;
  const verifyAll = async (): Promise<Map<MethodName, number>> => {
    const rates = new Map<MethodName, number>();
    for (const [method, samples] of options.triggers) {
      rates.set(method, (await verify({ adapter: model, inputs: samples.inputs, labels: samples.labels })).changeRate);
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
    return { rates: checkpoints.at(-1)!.rates, checkpoints };
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
      checkpoints: [],
      backdoor: { attackSuccessRate: effect.attackSuccessRate, cleanAccuracy: effect.cleanAccuracy },
    };
  }
  await applyAttack(model, setting, seed);
  return { rates: await verifyAll(), checkpoints: [] };
}
