import * as tf from '@tensorflow/tfjs';
import { ModelSealError } from '@modelseal/core';

export type ImageShape = readonly [height: number, width: number, channels: number];

/**
 * The demo classifier: conv3×3·16 → maxpool → conv3×3·32 → maxpool → dense 64 →
 * dense numClasses (logits), NHWC. Every initialiser is seeded from `seed`, so the
 * same seed and data give the same trained weights on the same backend.
 */
export function buildDemoCnn(numClasses: number, inputShape: ImageShape = [28, 28, 1], seed = 0): tf.Sequential {
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
  return tf.sequential({
    name: 'demo_cnn',
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape: [height, width, channels],
        filters: 16,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(0) }),
      }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({
        name: 'conv2',
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(1) }),
      }),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'dense1', units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(2) }) }),
      tf.layers.dense({ name: 'logits', units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(3) }) }),
    ],
  });
}
