import { intAttribute, intsAttribute } from '../../graph/attributes.ts';
import { elementCount, realTensor } from '../../graph/tensors.ts';
import { firstGradient, inputName, outputName, type GradientRule } from '../rule.ts';
import { spatialShape, transposedGeometry, windowGeometry, type WindowGeometry } from './conv.ts';

/**
 * Routes each output gradient to the input element its window picked. ONNX Runtime's
 * indices are flat offsets into the whole input tensor, so one scatter-add over the
 * flattened input handles every batch row and channel, and adds up contributions
 * where overlapping windows picked the same element.
 */
const maxPool: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const x = inputName(context, 0);
  const node = context.node;
  const outputs = node.output ?? [];
  let indices = outputs[1];
  if (indices === undefined || indices === '') {
    indices = b.fresh('MaxPool_indices');
    node.output = [outputs[0] ?? '', indices];
  } else if (intAttribute(node, 'storage_order', 0) !== 0) {
    context.unsupported('its indices output uses column-major storage_order');
  }
  b.requireOpset(16); // ScatterElements' reduction attribute
  const total = b.op('Reshape', [b.op('Size', [x]), b.int64Constant([1])]);
  const zeros = b.op('ConstantOfShape', [total], { value: realTensor('', [1], [0], b.floatType) });
  const flat = b.int64Constant([-1]);
  const scattered = b.op(
    'ScatterElements',
    [zeros, b.op('Reshape', [indices, flat]), b.op('Reshape', [g, flat])],
    { axis: 0, reduction: 'add' },
  );
  return [b.reshapeLike(scattered, x)];
};

/** Number of window taps that the average divides by, along one dimension, for output position `p`. */
function tapCount(p: number, size: number, geometry: WindowGeometry, dim: number, includePad: boolean): number {
  const rank = geometry.kernel.length;
  const start = p * geometry.strides[dim]! - geometry.pads[dim]!;
  const limit = includePad ? size + geometry.pads[rank + dim]! : size;
  let count = 0;
  for (let j = 0; j < geometry.kernel[dim]!; j++) {
    const position = start + j * geometry.dilations[dim]!;
    if (position < limit && (includePad || position >= 0)) count++;
  }
  return count;
}

/**
 * Spreads each output gradient evenly over its window: a depthwise transposed
 * convolution with a kernel of ones, after dividing by each window's divisor
 * (which varies at the borders when padding is not counted).
 */
const averagePool: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const x = inputName(context, 0);
  const xShape = context.shape(x);
  const channels = xShape[1]!;
  const inputSpatial = xShape.slice(2);
  const outputSpatial = spatialShape(context, outputName(context, 0));
  const kernel = intsAttribute(context.node, 'kernel_shape') ?? context.unsupported('it has no kernel_shape');
  const geometry = windowGeometry(context.node, inputSpatial, kernel);
  const includePad = intAttribute(context.node, 'count_include_pad', 0) === 1;

  const rank = inputSpatial.length;
  const perDim = inputSpatial.map((size, dim) =>
    Array.from({ length: outputSpatial[dim]! }, (_, p) => tapCount(p, size, geometry, dim, includePad)),
  );
  const inverse = new Array<number>(elementCount(outputSpatial));
  for (let flat = 0; flat < inverse.length; flat++) {
    let rest = flat;
    let count = 1;
    for (let dim = rank - 1; dim >= 0; dim--) {
      const extent = outputSpatial[dim]!;
      count *= perDim[dim]![rest % extent]!;
      rest = Math.floor(rest / extent);
    }
    inverse[flat] = count === 0 ? 0 : 1 / count;
  }
  const scaled = b.op('Mul', [g, b.constant(inverse, [1, 1, ...outputSpatial])]);
  const ones = b.constant(new Array<number>(channels * elementCount(kernel)).fill(1), [channels, 1, ...kernel]);
  const fit = transposedGeometry(geometry, inputSpatial, outputSpatial);
  return [
    b.op('ConvTranspose', [scaled, ones], {
      kernel_shape: [...kernel],
      strides: [...geometry.strides],
      dilations: [...geometry.dilations],
      pads: fit.pads,
      output_padding: fit.outputPadding,
      group: channels,
    }),
  ];
};

const globalAveragePool: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const x = inputName(context, 0);
  const area = elementCount(context.shape(x).slice(2));
  return [b.op('Expand', [b.op('Mul', [g, b.scalar(1 / area)]), b.shape(x)])];
};

export const poolingRules: Readonly<Record<string, GradientRule>> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
};
