import { z } from 'zod';
import type { WeightAccess } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { describeIssues } from '../util/describeIssues.ts';
import { flipBit } from './bitflip.ts';
import { addGaussianNoise } from './noise.ts';
import { pruneSmallest } from './prune.ts';
import { roundTripFloat16, roundTripInt8 } from './quantize.ts';
import type { AttackReport } from './report.ts';

const seed = z.number().int().min(0).default(0);
// Strict objects: a misspelt parameter in a study config must fail, not silently fall back to a default.
const batchNorm = z.enum(['frozen', 'update']).default('frozen');

export const noiseParamsSchema = z.strictObject({
  std: z.number().positive().finite(),
  seed,
  includeNonTrainable: z.boolean().default(false),
});

export const pruneParamsSchema = z.strictObject({
  fraction: z.number().min(0).max(1),
  scope: z.enum(['global', 'per-tensor']).default('global'),
  trainableOnly: z.boolean().default(true),
});

export const fp16ParamsSchema = z.strictObject({
  trainableOnly: z.boolean().default(false),
  allowOverflow: z.boolean().default(false),
});

export const int8ParamsSchema = z.strictObject({
  perChannel: z.boolean().default(false),
  channelAxis: z.number().int().default(-1),
  trainableOnly: z.boolean().default(true),
});

export const bitflipParamsSchema = z.strictObject({
  tensor: z.string().min(1).optional(),
  index: z.number().int().min(0).optional(),
  bit: z.number().int().min(0).max(31).optional(),
  seed,
  allowNonFinite: z.boolean().default(false),
});

export const fineTuneParamsSchema = z.strictObject({
  /** 0 is allowed: with batch-norm statistics updating, a zero learning rate still changes the model. */
  learningRate: z.number().min(0).finite(),
  steps: z.number().int().min(1),
  batchSize: z.number().int().min(1).default(32),
  seed,
  batchNorm,
});

export const patchSchema = z.strictObject({
  size: z.number().int().min(1).default(3),
  value: z.number().min(0).max(1).default(1),
  corner: z.enum(['top-left', 'top-right', 'bottom-left', 'bottom-right']).default('bottom-right'),
});

export const backdoorParamsSchema = fineTuneParamsSchema.extend({
  targetLabel: z.number().int().min(0),
  poisonFraction: z.number().gt(0).max(1),
  patch: patchSchema.default({ size: 3, value: 1, corner: 'bottom-right' }),
});

export type AttackName = 'noise' | 'prune' | 'fp16' | 'int8' | 'bitflip' | 'finetune' | 'backdoor';

export interface AttackDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly name: AttackName;
  readonly title: string;
  readonly description: string;
  readonly paramsSchema: Schema;
  /**
   * `weights`: runs through WeightAccess alone (`runWeightAttack`);
   * `training`: needs a runtime that can train the model (`fineTune` of the TF.js adapter, `fineTuneOnnx` of the ONNX adapter).
   */
  readonly needs: 'weights' | 'training';
}

function define<Schema extends z.ZodType>(definition: AttackDefinition<Schema>): AttackDefinition<Schema> {
  return definition;
}

/** Every attack a study config can name, with its parameters; the schemas are the single source of truth. */
export const ATTACKS = {
  noise: define({
    name: 'noise',
    title: 'Gaussian noise',
    description: 'Adds N(0, std²) to every trainable parameter (paper §4).',
    paramsSchema: noiseParamsSchema,
    needs: 'weights',
  }),
  prune: define({
    name: 'prune',
    title: 'Magnitude pruning',
    description: 'Sets the given fraction of weights with the smallest |w| to zero, globally or per tensor.',
    paramsSchema: pruneParamsSchema,
    needs: 'weights',
  }),
  fp16: define({
    name: 'fp16',
    title: 'float16 round trip',
    description: 'Stores every weight as IEEE float16 and back (round to nearest even), as a half-precision deployment would.',
    paramsSchema: fp16ParamsSchema,
    needs: 'weights',
  }),
  int8: define({
    name: 'int8',
    title: 'int8 round trip',
    description: 'Symmetric linear int8 quantisation (scale = max|w| / 127) per tensor or per output channel, and back.',
    paramsSchema: int8ParamsSchema,
    needs: 'weights',
  }),
  bitflip: define({
    name: 'bitflip',
    title: 'Single bit flip',
    description: 'Flips one bit of one float32 weight (a fault or Rowhammer-style attack); the position is drawn by seed unless given.',
    paramsSchema: bitflipParamsSchema,
    needs: 'weights',
  }),
  finetune: define({
    name: 'finetune',
    title: 'Fine-tuning',
    description: 'Plain SGD on softmax cross-entropy over normal training data; batch-norm statistics frozen or updating (paper §4).',
    paramsSchema: fineTuneParamsSchema,
    needs: 'training',
  }),
  backdoor: define({
    name: 'backdoor',
    title: 'Backdoor fine-tuning',
    description: 'BadNets: stamps a square patch on a fraction of the training images, relabels them to the target class and fine-tunes.',
    paramsSchema: backdoorParamsSchema,
    needs: 'training',
  }),
} as const satisfies Record<AttackName, AttackDefinition>;

export type AttackParams<Name extends AttackName> = z.output<(typeof ATTACKS)[Name]['paramsSchema']>;

/** One attack as a config names it, parameters defaulted and validated. */
export type Attack = { [Name in AttackName]: { readonly name: Name; readonly params: AttackParams<Name> } }[AttackName];

export function isAttackName(name: unknown): name is AttackName {
  return typeof name === 'string' && Object.hasOwn(ATTACKS, name);
}

/** Validates `{ name, params }` from a config file or form. */
export function parseAttack(config: unknown): Attack {
  const name = (config as { name?: unknown } | null)?.name;
  if (!isAttackName(name)) {
    throw new ModelSealError('INVALID_CONFIG', `unknown attack ${JSON.stringify(name)}; known: ${Object.keys(ATTACKS).join(', ')}`);
  }
  const parsed = ATTACKS[name].paramsSchema.safeParse((config as { params?: unknown }).params ?? {});
  if (!parsed.success) {
    const details = describeIssues(parsed.error, '(params)');
    throw new ModelSealError('INVALID_CONFIG', `invalid parameters for attack "${name}": ${details}`);
  }
  return { name, params: parsed.data } as Attack;
}

/** Runs an attack that needs only weight access; training attacks live with a runtime that can train. */
export async function runWeightAttack(weights: WeightAccess, attack: Attack): Promise<AttackReport> {
  switch (attack.name) {
    case 'noise':
      return addGaussianNoise(weights, attack.params);
    case 'prune':
      return pruneSmallest(weights, attack.params);
    case 'fp16':
      return roundTripFloat16(weights, attack.params);
    case 'int8':
      return roundTripInt8(weights, attack.params);
    case 'bitflip':
      return flipBit(weights, attack.params);
    case 'finetune':
    case 'backdoor':
      throw new ModelSealError(
        'UNSUPPORTED',
        `attack "${attack.name}" trains the model and needs a training runtime (fineTune from @modelseal/adapter-tfjs or fineTuneOnnx from @modelseal/adapter-onnx), not weight access alone`,
      );
  }
}
