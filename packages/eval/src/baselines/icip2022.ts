import * as tf from '@tensorflow/tfjs';
import { initBackend, useBackend } from '@modelseal/adapter-tfjs';
import { argmaxRows, exactGradient, ModelSealError, predictAll, Random, sizeOf, type ModelAdapter, type Tensor } from '@modelseal/core';
import type { TriggerSamples } from './types.ts';

export interface Icip2022Options {
  readonly count: number;
  readonly seed: number;
  /** Weight of the variance term (the ICIP-2022 paper: 150). */
  readonly lambda?: number;
  readonly maxSteps?: number;
  readonly learningRate?: number;
  /** Stop once more than this fraction of generated samples carries its key label. */
  readonly keyAgreement?: number;
  readonly latentSize?: number;
  readonly hiddenSize?: number;
  readonly onStep?: (step: number, maxSteps: number, agreement: number) => void;
}

export interface Icip2022Samples extends TriggerSamples {
  readonly steps: number;
  /** Fraction of samples whose label equals its key when training stopped. */
  readonly keyAgreement: number;
  readonly key: Int32Array;
}

/**
 * Cotangent of mean_i [CE(p_i, key_i) + λ·var(p_i)] with respect to the probabilities;
 * the adapter's vjp turns it into the gradient with respect to the generated images.
 */
export function icipCotangent(probabilities: Tensor, key: Int32Array, lambda: number): Tensor {
  const [rows = 0, n = 0] = probabilities.shape;
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < n; c++) {
      const p = probabilities.data[r * n + c]!;
      let g = (lambda * 2 * (p - 1 / n)) / n;
      if (c === key[r]) g -= 1 / Math.max(p, 1e-12);
      out[r * n + c] = g / rows;
    }
  }
  return { data: out, shape: [rows, n] };
}

/**
 * ICIP-2022 baseline (Yin, Yin, Zhang): a generator z → image trained while the target
 * stays frozen. The target is reached only through predict and vjp, and its image
 * gradient enters TF.js as an external gradient (∂/∂θ Σ G(z)·g = Jᵀg), so the same code
 * trains against an ONNX or a TF.js model.
 */
export async function icip2022Samples(adapter: ModelAdapter, options: Icip2022Options): Promise<Icip2022Samples> {
  if (!adapter.vjp) throw new ModelSealError('UNSUPPORTED', 'the ICIP-2022 baseline needs a white-box model (vjp)');
  const started = performance.now();
  // The generator runs on the backend the TF.js adapter would pick (wasm when it loads),
  // also for ONNX targets, instead of TF.js's slow default.
  await useBackend(await initBackend('auto'));
  const { inputShape, valueRange, numClasses } = adapter.describe();
  const [lo, hi] = valueRange;
  const count = options.count;
  const lambda = options.lambda ?? 150;
  const maxSteps = options.maxSteps ?? 300;
  const threshold = options.keyAgreement ?? 0.999;
  const latent = options.latentSize ?? 32;
  const hidden = options.hiddenSize ?? 128;
  const dim = sizeOf(inputShape);
  const random = new Random(options.seed);
  const gaussian = (size: number, std: number): Float32Array => Float32Array.from({ length: size }, () => std * random.gaussian());
  const key = Int32Array.from({ length: count }, (_, i) => i % numClasses);
  const gradient = exactGradient(adapter);

  const z = tf.tensor2d(gaussian(count * latent, 1), [count, latent]);
  const w1 = tf.variable(tf.tensor2d(gaussian(latent * hidden, Math.sqrt(2 / latent)), [latent, hidden]));
  const b1 = tf.variable(tf.zeros([hidden]));
  const w2 = tf.variable(tf.tensor2d(gaussian(hidden * dim, Math.sqrt(1 / hidden)), [hidden, dim]));
  const b2 = tf.variable(tf.zeros([dim]));
  const generate = (): tf.Tensor2D =>
    tf.tidy(() => tf.add(tf.mul(tf.sigmoid(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(z, w1), b1)), w2), b2)), hi - lo), lo));
  const optimizer = tf.train.adam(options.learningRate ?? 1e-4, 0.5, 0.999);
  const images = async (): Promise<Tensor> => {
    const out = generate();
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return { data, shape: [count, ...inputShape] };
  };

  let steps = 0;
  let agreement = 0;
  try {
    for (;;) {
      const batch = await images();
      const probabilities = await predictAll(adapter, batch);
      const labels = argmaxRows(probabilities);
      agreement = labels.reduce((sum, label, i) => sum + (label === key[i] ? 1 : 0), 0) / count;
      options.onStep?.(steps, maxSteps, agreement);
      if (agreement > threshold || steps >= maxSteps) break;
      const { gradient: imageGradient } = await gradient.compute(batch, icipCotangent(probabilities, key, lambda));
      const external = tf.tensor2d(imageGradient.data, [count, dim]);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(generate(), external)), [w1, b1, w2, b2]);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose([value, external, ...Object.values(grads)]);
      steps++;
    }
    const inputs = await images();
    const labels = argmaxRows(await predictAll(adapter, inputs));
    return { inputs, labels, key, steps, keyAgreement: agreement, gradientEvaluations: steps * count, durationMs: performance.now() - started };
  } finally {
    tf.dispose([z, w1, b1, w2, b2]);
    optimizer.dispose();
  }
}
