import { describe, expect, it } from 'vitest';
import { isModelSealError } from '@modelseal/core';
import { DataType } from '../proto/types.ts';
import { checkGradient } from '../testing/gradient-check.ts';
import { seededValues, syntheticModel, type SyntheticModel } from '../testing/synthetic.ts';
import { planGradient } from './plan.ts';

const DOUBLE = DataType.DOUBLE;
const FLOAT = DataType.FLOAT;

function weights(dims: readonly number[], seed: number, lo = -1, hi = 1): readonly [readonly number[], readonly number[]] {
  return [dims, seededValues(dims.reduce((a, b) => a * b, 1), seed, lo, hi)];
}

async function relativeError(
  spec: Omit<SyntheticModel, 'input' | 'output'> & { output?: string },
  inputDims: readonly number[],
  step: number,
): Promise<number> {
  const model = syntheticModel({ output: 'y', ...spec, input: { name: 'x', dims: ['N', ...inputDims.slice(1)] } });
  const result = await checkGradient(model, { inputDims, step });
  expect(result.gradientScale).toBeGreaterThan(0);
  return result.relativeError;
}

// ONNX Runtime has no float64 kernels for Conv, ConvTranspose and the average pools, so
// those run in float32 — they are linear, so central differences with a large step are exact
// up to rounding. Everything else runs in float64 with a small step.
describe('gradient rules agree with central finite differences', () => {
  it('Conv: strided, padded, with bias (output_padding case)', async () => {
    const error = await relativeError(
      {
        floatType: FLOAT,
        nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }],
        weights: { w: weights([3, 2, 3, 3], 1), b: weights([3], 2) },
      },
      [2, 2, 8, 8],
      0.5,
    );
    expect(error).toBeLessThan(1e-4);
  });

  it('Conv: grouped, dilated, strided; auto_pad SAME_UPPER and SAME_LOWER', async () => {
    const cases = [
      { kernel_shape: [2, 3], strides: [3, 2], dilations: [2, 1], pads: [1, 0, 0, 2], group: 2 },
      { kernel_shape: [2, 3], strides: [3, 2], group: 2, auto_pad: 'SAME_UPPER' },
      { kernel_shape: [4, 3], strides: [2, 3], auto_pad: 'SAME_LOWER' },
    ];
    for (const attributes of cases) {
      const grouped = attributes.group === 2;
      const error = await relativeError(
        {
          floatType: FLOAT,
          nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes }],
          weights: { w: weights([4, grouped ? 1 : 2, ...attributes.kernel_shape], 3) },
        },
        [1, 2, 7, 6],
        0.5,
      );
      expect(error, JSON.stringify(attributes)).toBeLessThan(1e-4);
    }
  });

  it('Gemm: every transA/transB combination, alpha, beta and a broadcast bias', async () => {
    for (const [transA, transB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      const nodes = [
        { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
        ...(transA === 1 ? [{ op: 'Transpose', inputs: ['f'], outputs: ['a'] }] : [{ op: 'Identity', inputs: ['f'], outputs: ['a'] }]),
        { op: 'Gemm', inputs: ['a', 'w', 'c'], outputs: ['y'], attributes: { transA, transB, alpha: { float: 0.7 }, beta: { float: 1.3 } } },
      ];
      const error = await relativeError(
        { floatType: DOUBLE, nodes, weights: { w: weights(transB === 1 ? [4, 12] : [12, 4], 4), c: weights([4], 5) } },
        [3, 3, 2, 2],
        1e-6,
      );
      expect(error, `transA=${transA} transB=${transB}`).toBeLessThan(1e-6);
    }
  });

  it('Gemm: both operands and the bias computed from the input', async () => {
    const error = await relativeError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
          { op: 'Transpose', inputs: ['f'], outputs: ['t'] },
          { op: 'Gemm', inputs: ['f', 't', 'f'], outputs: ['y'], attributes: { alpha: { float: 0.5 } } },
        ],
      },
      [3, 3],
      1e-6,
    );
    expect(error).toBeLessThan(1e-6);
  });

  it('MatMul: batched input against a matrix, and the input against itself', async () => {
    const withWeights = await relativeError(
      { floatType: DOUBLE, nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }], weights: { w: weights([4, 3], 6) } },
      [2, 3, 5, 4],
      1e-6,
    );
    expect(withWeights).toBeLessThan(1e-6);
    const selfProduct = await relativeError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 1] } },
          { op: 'MatMul', inputs: ['x', 't'], outputs: ['p'] },
          { op: 'MatMul', inputs: ['p', 'w'], outputs: ['y'] },
        ],
        weights: { w: weights([3, 2], 7) },
      },
      [2, 3, 4],
      1e-6,
    );
    expect(selfProduct).toBeLessThan(1e-6);
  });

  it('Add, Sub, Mul, Div with broadcasting (normalisation-style pre-processing)', async () => {
    const error = await relativeError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'Sub', inputs: ['x', 'mean'], outputs: ['centered'] },
          { op: 'Div', inputs: ['centered', 'std'], outputs: ['scaled'] },
          { op: 'Mul', inputs: ['scaled', 'x'], outputs: ['squared'] },
          { op: 'Add', inputs: ['squared', 'bias'], outputs: ['shifted'] },
          { op: 'Sigmoid', inputs: ['x'], outputs: ['positive'] },
          { op: 'Add', inputs: ['positive', 'half'], outputs: ['denominator'] },
          { op: 'Div', inputs: ['shifted', 'denominator'], outputs: ['ratio'] },
          { op: 'Sub', inputs: ['bias', 'ratio'], outputs: ['y'] },
        ],
        weights: { mean: weights([2, 1, 1], 8), std: weights([2, 1, 1], 9, 0.5, 2), bias: weights([3], 10), half: [[], [0.5]] },
      },
      [2, 2, 4, 3],
      1e-6,
    );
    expect(error).toBeLessThan(1e-5);
  });

  it('Relu, LeakyRelu, Sigmoid, Tanh, Identity, Dropout and a variadic Sum', async () => {
    const error = await relativeError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['a'] },
          { op: 'LeakyRelu', inputs: ['x'], outputs: ['b'], attributes: { alpha: { float: 0.2 } } },
          { op: 'Sigmoid', inputs: ['b'], outputs: ['c'] },
          { op: 'Tanh', inputs: ['x'], outputs: ['d'] },
          { op: 'Identity', inputs: ['d'], outputs: ['e'] },
          { op: 'Dropout', inputs: ['e'], outputs: ['f'] },
          { op: 'Sum', inputs: ['a', 'c', 'f'], outputs: ['y'] },
        ],
      },
      [2, 3, 4],
      1e-6,
    );
    expect(error).toBeLessThan(1e-6);
  });

  it('MaxPool: non-overlapping, overlapping with padding, and ceil mode', async () => {
    const cases = [
      { kernel_shape: [2, 2], strides: [2, 2] },
      { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
      { kernel_shape: [3, 2], strides: [2, 2], ceil_mode: 1 },
    ];
    for (const attributes of cases) {
      const error = await relativeError(
        { floatType: DOUBLE, nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attributes }] },
        [2, 2, 7, 6],
        1e-7,
      );
      expect(error, JSON.stringify(attributes)).toBeLessThan(1e-6);
    }
  });

  it('MaxPool in an opset-13 model (the gradient graph raises the opset it needs)', async () => {
    const error = await relativeError(
      { opset: 13, floatType: DOUBLE, nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attributes: { kernel_shape: [2, 2] } }] },
      [1, 1, 4, 4],
      1e-7,
    );
    expect(error).toBeLessThan(1e-6);
  });

  it('AveragePool: padding counted and not counted, strided, ceil mode', async () => {
    const cases = [
      { kernel_shape: [2, 2], strides: [2, 2] },
      { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 },
      { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 0], count_include_pad: 1 },
      { kernel_shape: [3, 2], strides: [2, 2], ceil_mode: 1 },
    ];
    for (const attributes of cases) {
      const error = await relativeError(
        { floatType: FLOAT, nodes: [{ op: 'AveragePool', inputs: ['x'], outputs: ['y'], attributes }] },
        [2, 3, 7, 6],
        0.5,
      );
      expect(error, JSON.stringify(attributes)).toBeLessThan(1e-4);
    }
  });

  it('GlobalAveragePool', async () => {
    const error = await relativeError(
      { floatType: FLOAT, nodes: [{ op: 'GlobalAveragePool', inputs: ['x'], outputs: ['y'] }] },
      [2, 3, 5, 4],
      0.5,
    );
    expect(error).toBeLessThan(1e-4);
  });

  it('BatchNormalization in inference mode', async () => {
    const error = await relativeError(
      {
        floatType: DOUBLE,
        nodes: [{ op: 'BatchNormalization', inputs: ['x', 'scale', 'bias', 'mean', 'var'], outputs: ['y'], attributes: { epsilon: { float: 1e-3 } } }],
        weights: { scale: weights([3], 12), bias: weights([3], 13), mean: weights([3], 14), var: weights([3], 15, 0.1, 2) },
      },
      [2, 3, 4, 4],
      1e-6,
    );
    expect(error).toBeLessThan(1e-6);
  });

  it('Flatten, Reshape (shape from a Constant node), Squeeze, Unsqueeze, Transpose, Concat', async () => {
    const error = await relativeError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'Constant', inputs: [], outputs: ['shape'], attributes: { value: { name: '', dims: [3], data_type: DataType.INT64, int64_data: [0, 4, -1] } } },
          { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
          { op: 'Unsqueeze', inputs: ['r', 'axis1'], outputs: ['u'] },
          { op: 'Squeeze', inputs: ['u', 'axis1'], outputs: ['s'] },
          { op: 'Transpose', inputs: ['s'], outputs: ['t'], attributes: { perm: [0, 2, 1] } },
          { op: 'Shape', inputs: ['t'], outputs: ['tShape'] },
          { op: 'ConstantOfShape', inputs: ['tShape'], outputs: ['zeros'], attributes: { value: { name: '', dims: [1], data_type: DOUBLE, double_data: [1] } } },
          { op: 'Concat', inputs: ['t', 'zeros', 't'], outputs: ['c'], attributes: { axis: -1 } },
          { op: 'Flatten', inputs: ['c'], outputs: ['f'] },
          { op: 'MatMul', inputs: ['f', 'w'], outputs: ['y'] },
        ],
        weights: { w: weights([36, 4], 17) },
        int64Weights: { axis1: [1] },
      },
      [2, 2, 2, 3],
      1e-6,
    );
    expect(error).toBeLessThan(1e-6);
  });

  it('Softmax and LogSoftmax over the last and a middle axis', async () => {
    const error = await relativeError(
      {
        floatType: DOUBLE,
        nodes: [
          { op: 'Softmax', inputs: ['x'], outputs: ['a'], attributes: { axis: 1 } },
          { op: 'LogSoftmax', inputs: ['x'], outputs: ['b'] },
          { op: 'Mul', inputs: ['a', 'b'], outputs: ['c'] },
          { op: 'Softmax', inputs: ['c'], outputs: ['y'] },
        ],
      },
      [2, 3, 4],
      1e-6,
    );
    expect(error).toBeLessThan(1e-6);
  });

  it('residual block: Conv → Relu → Conv + skip connection (fan-out sums gradients)', async () => {
    const error = await relativeError(
      {
        floatType: FLOAT,
        nodes: [
          { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
          { op: 'Relu', inputs: ['a'], outputs: ['r'] },
          { op: 'Conv', inputs: ['r', 'w2'], outputs: ['b'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
          { op: 'Add', inputs: ['b', 'x'], outputs: ['y'] },
        ],
        weights: { w1: weights([2, 2, 3, 3], 18), w2: weights([2, 2, 3, 3], 19) },
      },
      [1, 2, 5, 5],
      1e-3,
    );
    expect(error).toBeLessThan(2e-3);
  });

  it('Conv whose weights are computed from the input (weight gradient flows back to the input)', async () => {
    const error = await relativeError(
      {
        floatType: FLOAT,
        nodes: [
          { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['w'] },
          { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { pads: [1, 1, 1, 1] } },
        ],
        int64Weights: { shape: [1, 1, 2, 2] },
      },
      [1, 1, 2, 2],
      0.5,
    );
    expect(error).toBeLessThan(1e-4);
  });

  it('gives a zero gradient when the output does not depend on the input', async () => {
    const model = syntheticModel({
      floatType: DOUBLE,
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'ConstantOfShape', inputs: ['s'], outputs: ['y'], attributes: { value: { name: '', dims: [1], data_type: DOUBLE, double_data: [2] } } },
      ],
      input: { name: 'x', dims: ['N', 3] },
      output: 'y',
    });
    const result = await checkGradient(model, { inputDims: [2, 3], step: 1e-3 });
    expect(result.gradientScale).toBe(0);
  });
});

describe('unsupported models', () => {
  function planError(spec: Omit<SyntheticModel, 'input' | 'output'>): unknown {
    const model = syntheticModel({ ...spec, input: { name: 'x', dims: ['N', 4] }, output: 'y' });
    try {
      planGradient(model, 'x', 'y', spec.opset ?? 17);
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it('names every operator without a gradient rule and points to the zeroth-order mode', () => {
    const error = planError({
      nodes: [
        { op: 'Erf', inputs: ['x'], outputs: ['a'], name: 'erf1' },
        { op: 'Relu', inputs: ['a'], outputs: ['b'] },
        { op: 'FusedGelu', inputs: ['b'], outputs: ['y'], domain: 'com.microsoft' },
      ],
    });
    expect(isModelSealError(error) && error.code).toBe('UNSUPPORTED');
    const message = (error as Error).message;
    expect(message).toContain('Erf (node "erf1")');
    expect(message).toContain('com.microsoft.FusedGelu');
    expect(message).toMatch(/zeroth-order/);
  });

  it('ignores unsupported operators that lie off the path from input to output', () => {
    expect(
      planError({
        nodes: [
          { op: 'Erf', inputs: ['x'], outputs: ['unused'] },
          { op: 'Relu', inputs: ['x'], outputs: ['y'] },
        ],
      }),
    ).toBeUndefined();
  });

  it('refuses opsets older than 13', () => {
    const error = planError({ opset: 11, nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
    expect(isModelSealError(error) && error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toContain('opset 11');
  });

  it('refuses a batch norm whose statistics are computed from the input', async () => {
    const model = syntheticModel({
      floatType: DOUBLE,
      nodes: [
        // With a batch of 2 and 2 channels, a per-sample projection reshaped to [2] passes for channel means.
        { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
        { op: 'MatMul', inputs: ['f', 'project'], outputs: ['p'] },
        { op: 'Reshape', inputs: ['p', 'channels'], outputs: ['mean'] },
        { op: 'BatchNormalization', inputs: ['x', 'scale', 'bias', 'mean', 'var'], outputs: ['y'], name: 'selfnorm' },
      ],
      weights: { scale: weights([2], 1), bias: weights([2], 2), var: weights([2], 3, 0.5, 1), project: weights([8, 1], 4) },
      int64Weights: { channels: [2] },
      input: { name: 'x', dims: [2, 2, 2, 2] },
      output: 'y',
    });
    const error = await checkGradient(model, { inputDims: [2, 2, 2, 2], step: 1e-6 }).catch((e: unknown) => e);
    expect(isModelSealError(error) && error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toContain('BatchNormalization node "selfnorm"');
    expect((error as Error).message).toContain('mean or variance');
});
});
