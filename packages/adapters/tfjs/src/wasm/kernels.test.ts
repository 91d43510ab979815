import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Random } from '@modelseal/core';
import { initBackend } from '../backend.ts';

type Shape4 = [number, number, number, number];

function values(shape: readonly number[], seed: number): number[] {
  const random = new Random(seed);
  return Array.from({ length: shape.reduce((a, b) => a * b) }, () => random.gaussian());
}

/** Runs `compute` on one backend and returns its result as plain numbers. */
async function on(backend: 'wasm' | 'cpu', compute: () => tf.Tensor): Promise<Float32Array> {
  await initBackend(backend);
  await tf.setBackend(backend);
  const result = tf.tidy(compute);
  const data = (await result.data()) as Float32Array;
  result.dispose();
  return data;
}

function expectClose(actual: Float32Array, expected: Float32Array, relative: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  expect(scale).toBeGreaterThan(0.1);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `index ${i}`).toBeLessThanOrEqual(relative * scale);
}

interface ConvCase {
  readonly input: Shape4;
  readonly filter: Shape4;
  readonly strides: number;
  readonly pad: 'same' | 'valid';
}

const convCases: ConvCase[] = [
  { input: [2, 5, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same' },
  { input: [3, 7, 6, 1], filter: [3, 2, 1, 4], strides: 1, pad: 'valid' },
  { input: [2, 8, 8, 3], filter: [3, 3, 3, 2], strides: 2, pad: 'valid' },
  { input: [1, 9, 7, 2], filter: [5, 3, 2, 2], strides: 2, pad: 'same' },
];

function filterGradient(c: ConvCase): tf.Tensor {
  const x = tf.tensor4d(values(c.input, 1), c.input);
  const filter = tf.tensor4d(values(c.filter, 2), c.filter);
  // A linear fused conv is what TF.js layers build; its gradient always needs Conv2DBackpropFilter.
  return tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.fused.conv2d({ x, filter: f as tf.Tensor4D, strides: c.strides, pad: c.pad }))))(filter);
}

function inputGradient(c: ConvCase): tf.Tensor {
  const x = tf.tensor4d(values(c.input, 5), c.input);
  const filter = tf.tensor4d(values(c.filter, 6), c.filter);
  return tf.grad((input: tf.Tensor) => tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, filter, c.strides, c.pad))))(x);
}

interface PoolCase {
  readonly input: Shape4;
  readonly size: number;
  readonly strides: number;
  readonly pad: 'same' | 'valid';
  /** Round inputs so that windows tie (as on an image's flat background). */
  readonly ties?: boolean;
}

const poolCases: PoolCase[] = [
  { input: [1, 4, 4, 2], size: 2, strides: 2, pad: 'valid' },
  { input: [2, 26, 26, 16], size: 2, strides: 2, pad: 'valid' },
  { input: [2, 7, 7, 3], size: 3, strides: 2, pad: 'same' },
  { input: [1, 9, 8, 4], size: 2, strides: 1, pad: 'valid' },
  { input: [2, 6, 6, 3], size: 2, strides: 2, pad: 'valid', ties: true },
];

function poolGradient(c: PoolCase): tf.Tensor {
  const raw = tf.tensor4d(values(c.input, 3), c.input);
  const x = c.ties ? tf.round(tf.relu(raw)) : raw;
  const pooled = tf.maxPool(x, c.size, c.strides, c.pad);
  const weights = tf.tensor(values(pooled.shape, 4), pooled.shape);
  return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, c.size, c.strides, c.pad), weights)))(x);
}

describe('wasm gradient kernels', () => {
  it.each(convCases)('computes conv filter gradients as the cpu backend does (%j)', async (c) => {
    expectClose(await on('wasm', () => filterGradient(c)), await on('cpu', () => filterGradient(c)), 1e-4);
  });

  it.each(convCases)('computes conv input gradients as the cpu backend does (%j)', async (c) => {
    expectClose(await on('wasm', () => inputGradient(c)), await on('cpu', () => inputGradient(c)), 1e-4);
  });

  it.each(poolCases)('computes max-pool gradients as the cpu backend does (%j)', async (c) => {
    // Both route each window's gradient to its first maximum; overlapping windows sum in another order.
    expectClose(await on('wasm', () => poolGradient(c)), await on('cpu', () => poolGradient(c)), 1e-6);
  });

  it('leaves no tensors behind', async () => {
    const all = () => tf.addN([tf.sum(filterGradient(convCases[0]!)), tf.sum(inputGradient(convCases[0]!)), tf.sum(poolGradient(poolCases[2]!))]);
    await on('wasm', all);
    const before = tf.memory().numTensors;
    await on('wasm', all);
    expect(tf.memory().numTensors).toBe(before);
  });
});
