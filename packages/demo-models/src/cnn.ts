import * as tf from '@tensorflow/tfjs';
import { ModelSealError } from '@modelseal/core';

export type ImageShape = readonly [height: number, width: number, channels: number];

export interface DemoCnnOptions {
  /**
   * Batch normalization after each convolution (conv → batch-norm → ReLU). Fine-tuning such
   * a model in training mode moves its running statistics even at learning rate 0, which is
   * what the evaluation's `batchNorm: frozen | update` fine-tuning settings tell apart.
   */
  readonly batchNorm?: boolean;
}

/**
 * The demo classifier: conv3×3·16 → maxpool → conv3×3·32 → maxpool → dense 64 →
 * dense numClasses (logits), NHWC. Every initialiser is seeded from `seed`, so the
 * same seed and data give the same trained weights on the same backend.
 */
export function buildDemoCnn(numClasses: number, inputShape: ImageShape = [28, 28, 1], seed = 0, options: DemoCnnOptions = {}): tf.Sequential {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new ModelSealError('INVALID_ARGUMENT', `the demo CNN needs an integer number of classes ≥ 2, got ${numClasses}`);
  }
  const [height, width, channels] = inputShape;
  // Two valid 3×3 convolutions and two 2×2 pools need at least 10 pixels to leave one.
  if (![height, width, channels].every((d) => Number.isInteger(d) && d > 0) || Math.min(height, width) < 10) {
    throw new ModelSealError('INVALID_ARGUMENT', `the demo CNN needs images of at least 10×10 pixels, got [${inputShape.join(', ')}]`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ModelSealError('INVALID_ARGUMENT', `the demo CNN's seed must be a non-negative integer, got ${seed}`);
  }
  // TF.js treats an initialiser seed of 0 as "no seed" and draws from Math.random.
  const layerSeed = (layer: number): number => seed * 8 + layer + 1;
  const conv = (name: string, layer: number, filters: number, first: boolean): tf.layers.Layer[] => {
    const shape = first ? { inputShape: [height, width, channels] } : {};
    const kernelInitializer = tf.initializers.heNormal({ seed: layerSeed(layer) });
    if (!options.batchNorm) return [tf.layers.conv2d({ name, ...shape, filters, kernelSize: 3, activation: 'relu', kernelInitializer })];
    return [
      // The batch-norm's shift makes the convolution's bias redundant.
      tf.layers.conv2d({ name, ...shape, filters, kernelSize: 3, useBias: false, kernelInitializer }),
      tf.layers.batchNormalization({ name: `${name}_bn` }),
      tf.layers.activation({ name: `${name}_relu`, activation: 'relu' }),
    ];
  };
  return tf.sequential({
    name: options.batchNorm ? 'demo_cnn_bn' : 'demo_cnn',
    layers: [
      ...conv('conv1', 0, 16, true),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      ...conv('conv2', 1, 32, false),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'dense1', units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(2) }) }),
      tf.layers.dense({ name: 'logits', units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(3) }) }),
    ],
  });
}
