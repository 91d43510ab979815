import type { GradientRule } from '../rule.ts';
import { convRules } from './conv.ts';
import { elementwiseRules } from './elementwise.ts';
import { linearRules } from './linear.ts';
import { normalizationRules } from './normalization.ts';
import { poolingRules } from './pooling.ts';
import { shapeRules } from './shape.ts';

/** Gradient rules of default-domain (ai.onnx) operators, by op_type. */
export const gradientRules: ReadonlyMap<string, GradientRule> = new Map(
  Object.entries({
    ...elementwiseRules,
    ...linearRules,
    ...convRules,
    ...poolingRules,
    ...normalizationRules,
    ...shapeRules,
  }),
);

/**
 * Ops whose outputs carry no gradient even when their inputs do: shape queries,
 * comparisons and index computations, and piecewise-constant maps (zero derivative
 * almost everywhere). Constant and ConstantOfShape take no differentiable input.
 */
export const nonDifferentiableOps: ReadonlySet<string> = new Set([
  'Shape',
  'Size',
  'Constant',
  'ConstantOfShape',
  'ArgMax',
  'ArgMin',
  'Equal',
  'Greater',
  'GreaterOrEqual',
  'Less',
  'LessOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
  'NonZero',
  'Sign',
  'Floor',
  'Ceil',
  'Round',
]);

export function supportedOperators(): string[] {
  return [...gradientRules.keys(), 'Constant'].sort();
}
