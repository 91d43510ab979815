import { ModelSealError, type OutputKind } from '@modelseal/core';
import { ERROR_CODES } from './codes.ts';

const SUM_TOLERANCE = 1e-3;

/** Whether every row is a probability vector: non-negative and summing to 1 within 1e-3. */
export function looksLikeProbabilities(values: readonly number[], numClasses: number): boolean {
  for (let start = 0; start < values.length; start += numClasses) {
    let sum = 0;
    for (let c = 0; c < numClasses; c++) {
      const v = values[start + c]!;
      if (v < 0) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) return false;
  }
  return true;
}

export function assertFinite(values: readonly number[], numClasses: number, where: string): void {
  const index = values.findIndex((v) => !Number.isFinite(v));
  if (index >= 0) {
    throw new ModelSealError(
      ERROR_CODES.nonFinite,
      `${where} contains ${values[index]} for sample ${Math.floor(index / numClasses)}, class ${index % numClasses}`,
    );
  }
}

/**
 * Rows of probabilities as float32. Probabilities pass through untouched (a
 * trigger set must see exactly what the server said); logits go through a
 * numerically stable softmax.
 */
export function toProbabilities(values: readonly number[], numClasses: number, kind: OutputKind, where: string): Float32Array {
  const out = new Float32Array(values.length);
  if (kind === 'probabilities') {
    if (!looksLikeProbabilities(values, numClasses)) {
      const row = findBadRow(values, numClasses);
      throw new ModelSealError(
        ERROR_CODES.output,
        `${where}: sample ${row.index} is not a probability vector (sum ${row.sum}, smallest value ${row.min}); if the model returns logits, set outputKind: "logits"`,
      );
    }
    out.set(values);
    return out;
  }
  for (let start = 0; start < values.length; start += numClasses) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) max = Math.max(max, values[start + c]!);
    let total = 0;
    for (let c = 0; c < numClasses; c++) total += Math.exp(values[start + c]! - max);
    for (let c = 0; c < numClasses; c++) out[start + c] = Math.exp(values[start + c]! - max) / total;
  }
  return out;
}

function findBadRow(values: readonly number[], numClasses: number): { index: number; sum: number; min: number } {
  for (let start = 0; start < values.length; start += numClasses) {
    const row = values.slice(start, start + numClasses);
    const sum = row.reduce((a, b) => a + b, 0);
    const min = Math.min(...row);
    if (min < 0 || Math.abs(sum - 1) > SUM_TOLERANCE) return { index: start / numClasses, sum, min };
  }
  return { index: 0, sum: 1, min: 0 };
}
