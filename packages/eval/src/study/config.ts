import { z } from 'zod';
import { ModelSealError, describeIssues } from '@modelseal/core';

export const METHOD_NAMES = ['non-fragile', 'random', 'icip2022', 'ours', 'boundary', 'junction', 'paper'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Row titles in the paper's tables; "paper" is Algorithm 1 as published, "ours" ModelSeal's default preset, "boundary" and "junction" its other presets. */
export const METHOD_TITLES: Record<MethodName, string> = {
  'non-fragile': 'Non-fragile',
  random: 'Random',
  icip2022: 'ICIP-2022',
  ours: 'Ours (default)',
  boundary: 'Ours (boundary)',
  junction: 'Ours (junction)',
  paper: 'Ours (paper preset)',
};

/** Overrides of the default preset for the "ours" rows, named in their title. */
export const oursSettingsSchema = z.object({ tieTop: z.enum(['runner-up', 'last', 'original', 'probe']).optional() }).strict();
export type OursSettings = z.infer<typeof oursSettingsSchema>;

/** A method's row title, with any override of the default preset spelled out. */
export function methodTitle(method: MethodName, ours?: OursSettings): string {
  if (method !== 'ours' || !ours?.tieTop) return METHOD_TITLES[method];
  return `Ours (default, tie top: ${ours.tieTop})`;
}

const positiveList = z.array(z.number().positive()).min(1);

export const attackSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('noise'), std: positiveList }),
  z.object({
    kind: z.literal('finetune'),
    /** 0 is allowed: with batch-norm statistics updating, fine-tuning at learning rate 0 still changes the model. */
    learningRate: z.array(z.number().min(0)).min(1),
    steps: z.number().int().positive().max(100_000),
    batchSize: z.number().int().positive().max(4096).default(32),
    batchNorm: z.enum(['frozen', 'update']).default('frozen'),
    /** Steps at which every trigger set is verified during fine-tuning (figure 9). */
    points: z.number().int().positive().max(100).default(10),
  }),
  z.object({ kind: z.literal('prune'), fraction: positiveList }),
  z.object({ kind: z.literal('fp16') }),
  z.object({ kind: z.literal('int8') }),
  /** One random bit of one random weight per seed, or the given bit position (31 = sign, 30 = top exponent bit). */
  z.object({ kind: z.literal('bitflip'), bit: z.array(z.number().int().min(0).max(31)).min(1) }),
  /** BadNets: fine-tuning on a share of training images stamped with a patch and relabelled to the target. */
  z.object({
    kind: z.literal('backdoor'),
    learningRate: positiveList,
    steps: z.number().int().positive().max(100_000),
    batchSize: z.number().int().positive().max(4096).default(32),
    targetLabel: z.number().int().min(0).default(0),
    poisonFraction: z.number().gt(0).max(1).default(0.1),
  }),
]);
export type AttackSpec = z.infer<typeof attackSchema>;

export const studyConfigSchema = z.object({
  /** TF.js model.json or its folder, or an .onnx file; relative to the config file. */
  model: z.string().min(1),
  dataset: z.string().min(1),
  count: z.number().int().positive().max(10_000),
  seeds: z.array(z.number().int().min(0).max(0xffffffff)).min(1),
  methods: z.array(z.enum(METHOD_NAMES)).min(1),
  /** Changes to the default preset for the "ours" rows (their title says so). */
  ours: oursSettingsSchema.optional(),
  /** Iterations of the paper preset (the paper: 10,000; far too slow for a quick study on CPU). */
  paperIterations: z.number().int().positive().max(1_000_000).optional(),
  icip2022: z
    .object({ maxSteps: z.number().int().positive().max(10_000).optional(), lambda: z.number().positive().optional() })
    .optional(),
  /**
   * Independent tampered copies per seed for the randomised weight attacks (noise, bitflip):
   * weight noise shifts whole classes at once for every sample, so one draw per seed gives
   * ChangeRates that swing by ±10 points between draws. Draw 0 uses the seed itself.
   */
  attackDraws: z.number().int().min(1).max(1000).default(1),
  /** Samples followed through fragilization for figures 5, 7 and 8 (0 disables them). */
  traceSamples: z.number().int().min(0).max(100).default(10),
  attacks: z.array(attackSchema).min(1),
});
export type StudyConfig = z.output<typeof studyConfigSchema>;
export type StudyConfigInput = z.input<typeof studyConfigSchema>;

export function parseStudyConfig(value: unknown, source = 'config'): StudyConfig {
  const parsed = studyConfigSchema.safeParse(value);
  if (!parsed.success) {
    const details = describeIssues(parsed.error, '(root)');
    throw new ModelSealError('INVALID_CONFIG', `${source}: ${details}`);
  }
  return parsed.data;
}

/** One column of a table: an attack kind and the value of its swept parameter. */
export interface AttackSetting {
  readonly kind: AttackSpec['kind'];
  /** Swept value (std, learning rate, fraction, bits); undefined for parameterless attacks. */
  readonly value?: number;
  /** Tells apart two attacks of one kind that sweep the same values, e.g. "batch-norm update". */
  readonly variant?: string;
  readonly spec: AttackSpec;
}

export function attackSettings(spec: AttackSpec): AttackSetting[] {
  switch (spec.kind) {
    case 'noise':
      return spec.std.map((value) => ({ kind: spec.kind, value, spec }));
    case 'finetune':
      return spec.learningRate.map((value) => ({ kind: spec.kind, value, variant: `batch-norm ${spec.batchNorm}`, spec }));
    case 'backdoor':
      return spec.learningRate.map((value) => ({ kind: spec.kind, value, spec }));
    case 'prune':
      return spec.fraction.map((value) => ({ kind: spec.kind, value, spec }));
    case 'bitflip':
      return spec.bit.map((value) => ({ kind: spec.kind, value, spec }));
    case 'fp16':
    case 'int8':
      return [{ kind: spec.kind, spec }];
  }
}
