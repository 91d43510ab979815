import * as tf from '@tensorflow/tfjs';
import { toModelBatch, type ImageSet, type ModelInput } from '@modelseal/datasets';

/** Share of `set` whose top-1 prediction equals its label, computed in chunks of `batchSize`. */
export async function evaluateAccuracy(model: tf.LayersModel, set: ImageSet, input: ModelInput, batchSize = 500): Promise<number> {
  if (set.count === 0) return 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    const batch = toModelBatch(set, input, indices);
    const predicted = tf.tidy(() => tf.argMax(model.apply(tf.tensor(batch.data, batch.shape), { training: false }) as tf.Tensor, 1));
    const labels = (await predicted.data()) as Int32Array;
    predicted.dispose();
    indices.forEach((index, i) => {
      if (labels[i] === set.labels[index]) correct++;
    });
  }
  return correct / set.count;
}
