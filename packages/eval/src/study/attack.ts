import { ModelSealError, parseAttack, runWeightAttack, type ModelAdapter } from '@modelseal/core';
import type { AttackSetting } from './config.ts';

/**
 * Tampers with a fresh copy of the model in place, with the study seed so every method
 * of one seed faces the same tampered model. Training attacks (fine-tuning, backdoor)
 * need training data and checkpoints, so the runner runs them through fineTune.ts.
 */
export async function applyAttack(adapter: ModelAdapter, setting: AttackSetting, seed: number): Promise<void> {
  if (!adapter.weights) throw new ModelSealError('UNSUPPORTED', `${adapter.kind} models expose no weights to tamper with`);
  const params = ((): Record<string, unknown> | undefined => {
    switch (setting.kind) {
      case 'noise':
        return { std: setting.value, seed };
      case 'prune':
        return { fraction: setting.value };
      case 'fp16':
      case 'int8':
        return {};
      case 'bitflip':
        return { bit: setting.value, seed };
      case 'finetune':
      case 'backdoor':
        return undefined;
    }
  })();
  if (!params) throw new ModelSealError('UNSUPPORTED', `the "${setting.kind}" attack trains the model: the study runner runs it (see fineTune.ts)`);
  await runWeightAttack(adapter.weights, parseAttack({ name: setting.kind, params }));
}
