import type { OutputKind } from '@modelseal/core';
import type { GraphBuilder } from './builder.ts';

/**
 * What the weight gradients are gradients of. `linear`: ⟨output, c⟩ for a cotangent
 * c fed with each run. `cross-entropy`: Σ_n Σ_k t_nk · −log p_nk for targets t fed
 * with each run (one-hot rows scaled by 1/batch give the mean cross-entropy), where p
 * is softmax(output) for logits and the output itself for probabilities.
 */
export type TrainingObjective = { readonly kind: 'linear' } | { readonly kind: 'cross-entropy'; readonly outputKind: OutputKind };

/**
 * Probabilities are clipped here before the logarithm, as the TF.js fine-tune does:
 * a confidently wrong softmax (p = 0) would otherwise make the loss infinite.
 */
export const PROBABILITY_FLOOR = 1e-7;

/** Emits d(objective)/d(output), given the output and the extra input (cotangent or targets), both [N, K]. */
export function objectiveGradient(b: GraphBuilder, objective: TrainingObjective, output: string, fed: string): string {
  if (objective.kind === 'linear') return fed;
  if (objective.outputKind === 'logits') {
    // d/dz Σ_k t_k·−log softmax(z)_k = softmax(z)·Σ_k t_k − t; the row sum is 0 for padding rows.
    const rowWeight = b.reduceSum(fed, [1], true);
    return b.op('Sub', [b.op('Mul', [b.op('Softmax', [output], { axis: 1 }), rowWeight]), fed]);
  }
  // d/dp t·−log max(p, floor) = −t/p above the floor and 0 below it; Where drops the 0/0 of other classes.
  const aboveFloor = b.op('Greater', [output, b.scalar(PROBABILITY_FLOOR)]);
  return b.op('Where', [aboveFloor, b.op('Neg', [b.op('Div', [fed, output])]), b.scalar(0)]);
}
