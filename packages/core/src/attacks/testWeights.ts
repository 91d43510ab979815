import { MlpAdapter } from '../testing/mlpAdapter.ts';

/**
 * A 2-input, 3-hidden, 2-class test MLP with hand-set weights, so that attack
 * tests can state exact expected values. Tensor sizes: w1 6, b1 3, w2 6, b2 2.
 */
export async function tinyMlp(values: { w1?: number[]; b1?: number[]; w2?: number[]; b2?: number[] } = {}): Promise<MlpAdapter> {
  const mlp = new MlpAdapter({ inputShape: [2], hidden: 3, numClasses: 2, seed: 5 });
  for (const [name, data] of Object.entries(values)) await mlp.weights.write(name, Float32Array.from(data));
  return mlp;
}
