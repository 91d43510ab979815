import type { OutputKind } from '@modelseal/core';
import { PROBABILITY_FLOOR } from '../grad/loss.ts';

/**
 * The targets fed to the training graph: row i is one-hot at labels[indices[i]],
 * scaled by 1/rows, so that the graph's gradients are those of the mean cross-entropy.
 */
export function crossEntropyTargets(labels: Int32Array, indices: readonly number[], classes: number): Float32Array {
  const targets = new Float32Array(indices.length * classes);
  indices.forEach((sample, row) => {
    targets[row * classes + labels[sample]!] = 1 / indices.length;
  });
  return targets;
}

/**
 * Mean cross-entropy of a batch, in float64: log-softmax of logits, or −log of the
 * probabilities clipped at the same floor the graph's gradient uses.
 */
export function meanCrossEntropy(output: Float32Array, labels: Int32Array, indices: readonly number[], classes: number, outputKind: OutputKind): number {
  let total = 0;
  indices.forEach((sample, row) => {
    const values = output.subarray(row * classes, (row + 1) * classes);
    const label = labels[sample]!;
    if (outputKind === 'probabilities') {
      total -= Math.log(Math.min(1, Math.max(PROBABILITY_FLOOR, values[label]!)));
      return;
    }
    let max = -Infinity;
    for (const v of values) max = Math.max(max, v);
    let sum = 0;
    for (const v of values) sum += Math.exp(v - max);
    total += max + Math.log(sum) - values[label]!;
  });
  return total / indices.length;
}
