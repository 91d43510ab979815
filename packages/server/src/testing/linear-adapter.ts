import {
  assertBatchShape,
  ModelSealError,
  sizeOf,
  type Layout,
  type ModelAdapter,
  type ModelDescription,
  type Tensor,
} from '@modelseal/core';

export interface LinearAdapterOptions {
  readonly inputShape?: readonly number[];
  readonly numClasses?: number;
  readonly layout?: Layout;
  readonly maxBatchSize?: number;
  /** Shifts the weights, so that two adapters with different seeds disagree. */
  readonly seed?: number;
}

export interface LinearAdapter extends ModelAdapter {
  /** Number of predict calls, to observe batching from tests. */
  readonly calls: number;
}

/**
 * A deterministic softmax(W·x + b) classifier in plain JS: a real model for
 * tests of servers and remote adapters, with no ML runtime to install.
 */
export function createLinearAdapter(options: LinearAdapterOptions = {}): LinearAdapter {
  const inputShape = [...(options.inputShape ?? [12])];
  const numClasses = options.numClasses ?? 3;
  const seed = options.seed ?? 0;
  const features = sizeOf(inputShape);
  const weights = new Float64Array(numClasses * features);
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < features; i++) weights[c * features + i] = Math.sin(1.3 * (c + 1) * (i + 1) + seed) * 2;
  }
  const description: ModelDescription = {
    inputShape,
    layout: options.layout ?? (inputShape.length === 1 ? 'flat' : 'NCHW'),
    valueRange: [0, 1],
    numClasses,
    outputKind: 'probabilities',
    runtime: 'linear test model (js)',
    ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
  };
  let disposed = false;
  let calls = 0;

  return {
    kind: 'linear-test',
    get calls() {
      return calls;
    },
    describe: () => description,
    async predict(batch: Tensor): Promise<Tensor> {
      if (disposed) throw new ModelSealError('DISPOSED', 'linear test adapter was disposed');
      const rows = assertBatchShape(batch, inputShape, 'linear test adapter');
      calls++;
      const out = new Float32Array(rows * numClasses);
      const logits = new Float64Array(numClasses);
      for (let r = 0; r < rows; r++) {
        let max = -Infinity;
        for (let c = 0; c < numClasses; c++) {
          let sum = 0.1 * c;
          for (let i = 0; i < features; i++) sum += weights[c * features + i]! * batch.data[r * features + i]!;
          logits[c] = sum;
          max = Math.max(max, sum);
        }
        let total = 0;
        for (let c = 0; c < numClasses; c++) total += Math.exp(logits[c]! - max);
        for (let c = 0; c < numClasses; c++) out[r * numClasses + c] = Math.exp(logits[c]! - max) / total;
      }
      return { data: out, shape: [rows, numClasses] };
    },
    async dispose() {
      disposed = true;
    },
  };
}
