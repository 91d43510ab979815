import { describe, expect, it } from 'vitest';
import { isModelSealError } from '@modelseal/core';
import { loadOnnxFile } from '../load.ts';
import { DataType } from '../proto/types.ts';
import { fixturePath } from '../testing/fixtures.ts';
import { seededValues, syntheticModel, type SyntheticModel } from '../testing/synthetic.ts';
import { checkWeightGradients, type WeightCheckOptions } from '../testing/weight-gradient-check.ts';
import { planWeightGradients } from './weight-plan.ts';

const DOUBLE = DataType.DOUBLE;
const FLOAT = DataType.FLOAT;

function weights(dims: readonly number[], seed: number, lo = -1, hi = 1): readonly [readonly number[], readonly number[]] {
  return [dims, seededValues(dims.reduce((a, b) => a * b, 1), seed, lo, hi)];
}

/** Worst relative error over the trained weights; every one of them must get a non-zero gradient. */
async function worstError(
  spec: Omit<SyntheticModel, 'input' | 'output'> & { output?: string },
  options: Omit<WeightCheckOptions, 'inputDims'> & { inputDims: readonly number[] },
): Promise<{ worst: number; trained: string[] }> {
  const model = syntheticModel({ output: 'y', ...spec, input: { name: 'x', dims: ['N', ...options.inputDims.slice(1)] } });
  const result = await checkWeightGradients(model, options);
  for (const [name, scale] of result.scales) expect(scale, name).toBeGreaterThan(0);
  return { worst: Math.max(...result.relativeErrors.values()), trained: [...result.relativeErrors.keys()] };
}

// ONNX Runtime runs Conv only in float32, but ⟨Conv(x, w) + b, c⟩ is linear in w and b, so
// central differences with a large step are exact up to rounding. The rest runs in float64.
describe('weight gradients agree with central finite differences', () => {
  it('Conv: stride 2 with pads, a stride that leaves input unread, a 1×1 stride-2 downsample, and the bias', async () => {
    const cases = [
      { inputSize: 7, attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
      { inputSize: 8, attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
      { inputSize: 8, attributes: { kernel_shape: [1, 1], strides: [2, 2] } },
      { inputSize: 6, attributes: { kernel_shape: [3, 3] } },
    ];
    for (const { inputSize, attributes } of cases) {
      const { worst, trained } = await worstError(
        {
          floatType: FLOAT,
          nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes }],
          weights: { w: weights([3, 2, ...attributes.kernel_shape], 1), b: weights([3], 2) },
        },
        { inputDims: [2, 2, inputSize, inputSize], step: 0.5, entries: 8 },
      );
      expect(trained).toEqual(['w', 'b']);
      expect(worst, JSON.stringify(attributes)).toBeLessThan(1e-4);
    }
  });

  it('Conv: grouped, dilated and strided, rectangular, with auto_pad', async () => {
    const cases = [
      { kernel_shape: [2, 3], strides: [3, 2], dilations: [2, 1], pads: [1, 0, 0, 2], group: 2 },
      { kernel_shape: [2, 3], strides: [1, 2], dilations: [2, 2], pads: [2, 1, 1, 0] },
      { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' },
      { kernel_shape: [3, 3], group: 4 },
    ];
    for (const attributes of cases) {
      const group = attributes.group ?? 1;
      const { worst } = await worstError(
        {
          floatType: FLOAT,
          nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes }],
          weights: { w: weights([4, 4 / group, ...attributes.kernel_shape], 3) },
        },
        { inputDims: [2, 4, 7, 6], step: 0.5, entries: 12 },
      );
      expect(worst, JSON.stringify(attributes)).toBeLessThan(1e-4);
    }
  });

  it('Gemm: every transA/transB combination, alpha, beta and a broadcast bias', async () => {
    for (const [transA, transB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      const { worst, trained } = await worstError(
        {
          floatType: DOUBLE,
          nodes: [
            { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
            transA === 1 ? { op: 'Transpose', inputs: ['f'], outputs: ['a'] } : { op: 'Identity', inputs: ['f'], outputs: ['a'] },
            { op: 'Gemm', inputs: ['a', 'w', 'c'], outputs: ['y'], attributes: { transA, transB, alpha: { float: 0.7 }, beta: { float: 1.3 } } },
          ],
          weights: { w: weights(transB === 1 ? [4, 12] : [12, 4], 4), c: weights([1, 4], 5) },
        },
        { inputDims: [3, 3, 2, 2], step: 1e-6 },
      );
      expect(trained).toEqual(['w', 'c']);
      expect(worst, `transA=${transA} transB=${transB}`).toBeLessThan(1e-7);
    }
  });

  it('MatMul with a bias Add (a decomposed dense layer), through Relu, on the cross-entropy of logits', async () => {
    const { worst, trained } = await worstError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
          { op: 'Add', inputs: ['h', 'b1'], outputs: ['a'] },
          { op: 'Relu', inputs: ['a'], outputs: ['r'] },
          { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['z'] },
          { op: 'Add', inputs: ['b2', 'z'], outputs: ['y'] },
        ],
        weights: { w1: weights([5, 6], 6), b1: weights([6], 7), w2: weights([6, 3], 8), b2: weights([1, 3], 9) },
      },
      { inputDims: [4, 5], step: 1e-6, objective: { kind: 'cross-entropy', outputKind: 'logits' } },
    );
    expect(trained).toEqual(['w1', 'b1', 'w2', 'b2']);
    expect(worst).toBeLessThan(1e-6);
  });

  it('a softmax model on the cross-entropy of its probabilities', async () => {
    const { worst } = await worstError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['z'], attributes: { transB: 1 } },
          { op: 'Softmax', inputs: ['z'], outputs: ['y'] },
        ],
        weights: { w: weights([4, 5], 10), b: weights([4], 11) },
      },
      { inputDims: [3, 5], step: 1e-6, objective: { kind: 'cross-entropy', outputKind: 'probabilities' } },
    );
    expect(worst).toBeLessThan(1e-6);
  });

  it('BatchNormalization scale and bias, with the running statistics frozen', async () => {
    const { worst, trained } = await worstError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'BatchNormalization', inputs: ['x', 'scale', 'bias', 'mean', 'var'], outputs: ['n'], attributes: { epsilon: { float: 1e-3 } } },
          { op: 'Flatten', inputs: ['n'], outputs: ['f'] },
          { op: 'MatMul', inputs: ['f', 'w'], outputs: ['y'] },
        ],
        weights: { scale: weights([3], 12), bias: weights([3], 13), mean: weights([3], 14), var: weights([3], 15, 0.1, 2), w: weights([12, 2], 16) },
      },
      { inputDims: [2, 3, 2, 2], step: 1e-6, candidates: ['scale', 'bias', 'w'] },
    );
    expect(trained).toEqual(['scale', 'bias', 'w']);
    expect(worst).toBeLessThan(1e-7);
  });

  it('the small MNIST CNN fixture (Conv, MaxPool, Gemm), every weight and bias', async () => {
    const { model } = await loadOnnxFile(fixturePath('cnn_mnist_logits.onnx'));
    // float32 through Relu and MaxPool: a small step, and a tolerance for rounding and kinks.
    const result = await checkWeightGradients(model, { inputDims: [2, 1, 28, 28], inputRange: [0, 1], step: 1e-2, entries: 4 });
    expect([...result.relativeErrors.keys()]).toEqual([
      'conv1.weight',
      'conv1.bias',
      'conv2.weight',
      'conv2.bias',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
    ]);
    for (const [name, error] of result.relativeErrors) expect(error, name).toBeLessThan(2e-2);
  });
});

describe('models whose weights cannot be trained', () => {
  function planError(spec: Omit<SyntheticModel, 'input' | 'output'>, candidates: readonly string[]): unknown {
    const model = syntheticModel({ ...spec, input: { name: 'x', dims: ['N', 4] }, output: 'y' });
    try {
      planWeightGradients(model, { inputName: 'x', outputName: 'y', opset: spec.opset ?? 17, candidates: new Set(candidates) });
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it('names an operator without a gradient rule between the weights and the output', () => {
    const error = planError(
      {
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
          { op: 'Erf', inputs: ['h'], outputs: ['y'], name: 'erf1' },
        ],
        weights: { w: weights([4, 4], 1) },
      },
      ['w'],
    );
    expect(isModelSealError(error) && error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toMatch(/cannot fine-tune this ONNX model: no gradient rule for Erf \(node "erf1"\)/);
  });

  it('names an operator whose weights have no gradient rule (ConvTranspose)', () => {
    const error = planError(
      {
        nodes: [
          { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['image'] },
          { op: 'ConvTranspose', inputs: ['image', 'w'], outputs: ['y'], name: 'up' },
        ],
        weights: { w: weights([1, 1, 2, 2], 2) },
        int64Weights: { shape: [-1, 1, 2, 2] },
      },
      ['w'],
    );
    expect(isModelSealError(error) && error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toContain('ConvTranspose (node "up")');
  });

  it('ignores unsupported operators before the first trained weight', () => {
    expect(
      planError(
        {
          nodes: [
            { op: 'Erf', inputs: ['x'], outputs: ['e'] },
            { op: 'MatMul', inputs: ['e', 'w'], outputs: ['y'] },
          ],
          weights: { w: weights([4, 2], 3) },
        },
        ['w'],
      ),
    ).toBeUndefined();
  });

  it('refuses a model without trainable weights on the path, and opsets older than 13', () => {
    const none = planError({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }, []);
    expect(isModelSealError(none) && none.code).toBe('UNSUPPORTED');
    expect((none as Error).message).toMatch(/no trainable float32 weight/);
    const old = planError({ opset: 11, nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }], weights: { w: weights([4, 2], 4) } }, ['w']);
    expect(isModelSealError(old) && old.code).toBe('UNSUPPORTED');
    expect((old as Error).message).toContain('opset 11');
  });
});
