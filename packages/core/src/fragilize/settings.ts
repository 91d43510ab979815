import { z } from 'zod';
import { OBJECTIVE_NAMES } from '../objectives/objectives.ts';
import { ModelSealError } from '../errors.ts';
import { describeIssues } from '../util/describeIssues.ts';

export const PRESET_NAMES = ['default', 'paper', 'junction', 'junction-select'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const fragilizeSettingsSchema = z.object({
  preset: z.enum(PRESET_NAMES),
  objective: z.enum(OBJECTIVE_NAMES),
  /** Step size of sign descent (the paper's ε); the initial step when steps adapt. */
  epsilon: z.number().positive().max(1),
  maxIterations: z.number().int().positive().max(1_000_000),
  /** Stop each sample once it reaches the target band, and the run when all have. */
  earlyStop: z.boolean(),
  /** Adapt each sample's step: accept a step only if the objective falls, else shrink the step. */
  adaptiveStep: z.boolean(),
  /** Factor applied to a sample's step after a rejected step. */
  stepDecay: z.number().gt(0).lt(1),
  /** A sample whose step has shrunk below this has converged as far as it can. */
  minEpsilon: z.number().positive(),
  /**
   * Smallest top-1/top-2 margin a kept sample may have: below it, benign recomputation
   * (another batch size, thread count or runtime) could flip the label with no tampering.
   */
  minMargin: z.number().min(0),
  /** A sample is done once its margin is at most this (and at least minMargin). */
  targetMargin: z.number().positive(),
  /**
   * Exact cotangents need the probabilities at the new point first (one extra forward pass);
   * lagged cotangents reuse the previous step's, which is accurate for small steps.
   */
  cotangent: z.enum(['exact', 'lagged']),
  /**
   * `sign` moves every input value by ε (the paper; the L∞-steepest step). `l2` moves along
   * the normalised gradient with the same Euclidean length ε·√d, so pixels that matter move
   * more and the rest stay put: the same boundary is reached with a higher PSNR.
   */
  step: z.enum(['sign', 'l2']),
  /**
   * When a step crosses a decision boundary, bisect the segment to land inside the
   * margin band exactly (a few forward passes, no gradients).
   */
  refine: z.boolean(),
  /**
   * `descent` is the method; `ascent` is Algorithm 1's printed `+ε`, kept only to
   * reproduce why it fails (it drives samples to full confidence).
   */
  direction: z.enum(['descent', 'ascent']),
  /**
   * `descent` follows an objective (all presets but `junction`); `junction` solves for the
   * nearest point where the top `tieClasses` classes tie (see junction.ts).
   */
  method: z.enum(['descent', 'junction']),
  /** Classes that must tie (junction method): a k-class tie flips with probability ≈ (k−1)/k. */
  tieClasses: z.number().int().min(2).max(1000),
  /**
   * Junction method: `iterate` takes each Gauss–Newton step of minimum norm from the current
   * iterate; `origin` keeps the accumulated change x − x0 of minimum norm (each step moves
   * `junctionDamping` of the way to the linearized tie point nearest the original sample).
   */
  junctionAnchor: z.enum(['iterate', 'origin']),
  /** Fraction of the way to the linearized target each `origin`-anchored step goes. */
  junctionDamping: z.number().gt(0).max(1),
  /**
   * How callers that draw trigger candidates from a dataset (CLI, eval studies) choose them:
   * `seeded` takes the first correctly classified samples of a seeded class-balanced shuffle;
   * `junction-distance` screens `selectionPool` × count of them and keeps the ones nearest,
   * to first order, to a `tieClasses`-class tie (see junctionDistance.ts). fragilize() itself
   * works on the inputs it is given.
   */
  selection: z.enum(['seeded', 'junction-distance']),
  /** Pool size as a multiple of the requested count (`junction-distance` selection). */
  selectionPool: z.number().int().min(1).max(1000),
  seed: z.number().int().min(0).max(0xffffffff),
});

export type FragilizeSettings = z.infer<typeof fragilizeSettingsSchema>;

/** Algorithm 1 of the paper as printed, with the sign corrected to descent (DESIGN.md). */
const PAPER: FragilizeSettings = {
  preset: 'paper',
  objective: 'eq3',
  epsilon: 1e-4,
  maxIterations: 10_000,
  earlyStop: false,
  adaptiveStep: false,
  stepDecay: 0.5,
  minEpsilon: 1e-9,
  minMargin: 0,
  // Not a stopping rule here (no early stop): it only decides which samples count as converged.
  targetMargin: 3e-5,
  cotangent: 'exact',
  step: 'sign',
  refine: false,
  direction: 'descent',
  method: 'descent',
  tieClasses: 2,
  junctionAnchor: 'iterate',
  junctionDamping: 1,
  selection: 'seeded',
  selectionPool: 10,
  seed: 0,
};

/**
 * ModelSeal's default: normalised-gradient steps on the logit margin (which, unlike the
 * probability objectives, does not saturate on confident samples), shrunk per sample
 * when they overshoot; the first step that crosses a decision boundary is bisected so
 * the sample lands in a margin band just above the benign-noise floor. Measured on the
 * MNIST demo CNN: every sample converges in about 7 gradient evaluations, PSNR ≈ 27-28 dB.
 */
const DEFAULT: FragilizeSettings = {
  preset: 'default',
  objective: 'logit-margin',
  epsilon: 1e-2,
  maxIterations: 1_000,
  earlyStop: true,
  adaptiveStep: true,
  stepDecay: 0.5,
  minEpsilon: 1e-9,
  minMargin: 1e-5,
  targetMargin: 3e-5,
  cotangent: 'lagged',
  step: 'l2',
  refine: true,
  direction: 'descent',
  method: 'descent',
  tieClasses: 2,
  junctionAnchor: 'iterate',
  junctionDamping: 1,
  selection: 'seeded',
  selectionPool: 10,
  seed: 0,
};

/**
 * ModelSeal's high-sensitivity preset: Gauss–Newton steps onto the point where the model's
 * top ten classes tie (p₁ a band above the rest), so any change that dominates the band
 * flips the label with probability ≈ 9/10 instead of ½ — paid for in image quality.
 */
const JUNCTION: FragilizeSettings = {
  ...DEFAULT,
  preset: 'junction',
  method: 'junction',
  tieClasses: 10,
  maxIterations: 40,
};

/**
 * The junction preset made cheap in image quality: trigger candidates are the ones nearest
 * (linearized) to a 6-class tie among a pool of 10 × count correctly classified samples, and
 * the Gauss–Newton search, once on the junction, slides along it towards the original sample
 * so the total change stays near minimum norm. Measured on the MNIST ONNX CNN (100 samples ×
 * 2 seeds): see docs/design-notes.md.
 */
const JUNCTION_SELECT: FragilizeSettings = {
  ...JUNCTION,
  preset: 'junction-select',
  tieClasses: 6,
  maxIterations: 60,
  earlyStop: false,
  junctionAnchor: 'origin',
  junctionDamping: 0.3,
  selection: 'junction-distance',
  selectionPool: 10,
};

const PRESETS: Record<PresetName, FragilizeSettings> = {
  default: DEFAULT,
  paper: PAPER,
  junction: JUNCTION,
  'junction-select': JUNCTION_SELECT,
};

export function presetSettings(preset: PresetName): FragilizeSettings {
  return { ...PRESETS[preset] };
}

/** A preset with overrides, validated as a whole so contradictory values get a clear error. */
export function resolveSettings(overrides: Partial<FragilizeSettings> & { preset?: PresetName } = {}): FragilizeSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const merged = { ...presetSettings(overrides.preset ?? 'default'), ...defined };
  const parsed = fragilizeSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ModelSealError('INVALID_ARGUMENT', `invalid fragilization settings: ${details}`);
  }
  if (parsed.data.minMargin >= parsed.data.targetMargin) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `invalid fragilization settings: minMargin (${parsed.data.minMargin}) must be below targetMargin (${parsed.data.targetMargin})`,
    );
  }
  return parsed.data;
}
