import { intAttribute, intsAttribute, stringAttribute } from '../../graph/attributes.ts';
import type { NodeProto } from '../../proto/types.ts';
import { firstGradient, inputName, outputName, type GradientContext, type GradientRule } from '../rule.ts';

export interface WindowGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Explicit pads, begins then ends, as ONNX lists them. */
  readonly pads: readonly number[];
}

/** Resolves auto_pad into explicit pads, the way ONNX Runtime does for Conv and pooling. */
export function windowGeometry(node: NodeProto, inputSpatial: readonly number[], kernel: readonly number[]): WindowGeometry {
  const rank = inputSpatial.length;
  const strides = intsAttribute(node, 'strides') ?? new Array<number>(rank).fill(1);
  const dilations = intsAttribute(node, 'dilations') ?? new Array<number>(rank).fill(1);
  const autoPad = stringAttribute(node, 'auto_pad', 'NOTSET');
  let pads = intsAttribute(node, 'pads') ?? new Array<number>(2 * rank).fill(0);
  if (autoPad === 'VALID') pads = new Array<number>(2 * rank).fill(0);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const begins: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < rank; i++) {
      const size = inputSpatial[i]!;
      const stride = strides[i]!;
      const out = Math.ceil(size / stride);
      const extent = (kernel[i]! - 1) * dilations[i]! + 1;
      const total = Math.max(0, (out - 1) * stride + extent - size);
      const small = Math.floor(total / 2);
      begins.push(autoPad === 'SAME_UPPER' ? small : total - small);
      ends.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
    pads = [...begins, ...ends];
  }
  return { kernel, strides, dilations, pads };
}

/**
 * Pads and output_padding that make ConvTranspose, undoing a window operation,
 * return exactly the forward input's spatial size. A strided window can leave the
 * last input rows unread (output_padding gives them zero gradient), and a
 * ceil-mode window can read past the input (extra end padding crops that away).
 */
export function transposedGeometry(
  geometry: WindowGeometry,
  inputSpatial: readonly number[],
  outputSpatial: readonly number[],
): { pads: number[]; outputPadding: number[] } {
  const rank = inputSpatial.length;
  const begins = geometry.pads.slice(0, rank);
  const ends = geometry.pads.slice(rank, 2 * rank);
  const outputPadding: number[] = [];
  for (let i = 0; i < rank; i++) {
    const produced =
      (outputSpatial[i]! - 1) * geometry.strides[i]! + (geometry.kernel[i]! - 1) * geometry.dilations[i]! + 1 - begins[i]! - ends[i]!;
    const missing = inputSpatial[i]! - produced;
    if (missing >= 0) {
      outputPadding.push(missing);
    } else {
      outputPadding.push(0);
      ends[i] = ends[i]! - missing;
    }
  }
  return { pads: [...begins, ...ends], outputPadding };
}

export function spatialShape(context: GradientContext, value: string): readonly number[] {
  return context.shape(value).slice(2);
}

/**
 * The kernel of the convolution that equals a stride-1 transposed convolution with
 * `weights` [M, C/g, ...k]: per group, input and output channels swapped, and the
 * window flipped, giving [C, M/g, ...k]. Emitted as graph ops on the initializer, which
 * ONNX Runtime folds into a constant when it loads the model.
 */
function flippedKernel(context: GradientContext, weights: string, group: number): string {
  const b = context.builder;
  const [m, cPerGroup, ...kernel] = context.shape(weights);
  const rank = kernel.length;
  const spatialAxes = Array.from({ length: rank }, (_, i) => i + 2);
  const grouped = b.op('Reshape', [weights, b.int64Constant([group, m! / group, cPerGroup!, ...kernel])]);
  const swapped = b.op('Transpose', [grouped], { perm: [0, 2, 1, ...spatialAxes.map((axis) => axis + 1)] });
  const merged = b.op('Reshape', [swapped, b.int64Constant([group * cPerGroup!, m! / group, ...kernel])]);
  return b.op('Slice', [
    merged,
    b.int64Constant(new Array<number>(rank).fill(-1)),
    b.int64Constant(new Array<number>(rank).fill(Number.MIN_SAFE_INTEGER)),
    b.int64Constant(spatialAxes),
    b.int64Constant(new Array<number>(rank).fill(-1)),
  ]);
}

function identityPerm(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

/** Swaps the first two axes (batch and channels) of a rank-`rank` tensor. */
function swapLeading(rank: number): number[] {
  return [1, 0, ...identityPerm(rank).slice(2)];
}

/**
 * dW[m, c, k] = Σ_n Σ_o dY[n, m, o] · X_padded[n, c, o·stride + k·dilation]: a
 * convolution of the input with the output gradient as its kernel, once the batch
 * axis is made the channel axis (per group) and the channel axis the batch axis. The
 * forward stride becomes the dilation and the forward dilation the stride; the
 * result covers at least the kernel (more when the strides leave input unread) and
 * is cut back to it.
 */
function weightGradient(context: GradientContext, g: string, geometry: WindowGeometry, group: number): string {
  const b = context.builder;
  const [x, w] = [inputName(context, 0), inputName(context, 1)];
  const [m, cPerGroup, ...kernel] = context.shape(w);
  const inputSpatial = spatialShape(context, x);
  const outputSpatial = spatialShape(context, outputName(context, 0));
  const rank = kernel.length;
  const spatial = identityPerm(rank).map((i) => i + 2);
  let images: string;
  let filters: string;
  if (group === 1) {
    images = b.op('Transpose', [x], { perm: swapLeading(rank + 2) });
    filters = b.op('Transpose', [g], { perm: swapLeading(rank + 2) });
  } else {
    // [N, C, …] → [C/g, g·N, …] and [N, M, …] → [M, N, …], so that group i of the
    // convolution pairs group i's input channels with group i's output channels.
    const perGroup = m! / group;
    const shifted = spatial.map((axis) => axis + 1);
    const groupedX = b.op('Reshape', [x, b.int64Constant([-1, group, cPerGroup!, ...inputSpatial])]);
    images = b.op('Reshape', [b.op('Transpose', [groupedX], { perm: [2, 1, 0, ...shifted] }), b.int64Constant([cPerGroup!, -1, ...inputSpatial])]);
    const groupedG = b.op('Reshape', [g, b.int64Constant([-1, group, perGroup, ...outputSpatial])]);
    filters = b.op('Reshape', [b.op('Transpose', [groupedG], { perm: [1, 2, 0, ...shifted] }), b.int64Constant([m!, -1, ...outputSpatial])]);
  }
  const correlated = b.op('Conv', [images, filters], {
    strides: [...geometry.dilations],
    dilations: [...geometry.strides],
    pads: [...geometry.pads],
    group,
  });
  const gradient = b.op('Transpose', [correlated], { perm: swapLeading(rank + 2) });
  const covered = inputSpatial.map(
    (size, i) =>
      Math.floor((size + geometry.pads[i]! + geometry.pads[rank + i]! - geometry.strides[i]! * (outputSpatial[i]! - 1) - 1) / geometry.dilations[i]!) + 1,
  );
  if (covered.every((extent, i) => extent === kernel[i])) return gradient;
  return b.op('Slice', [gradient, b.int64Constant(new Array<number>(rank).fill(0)), b.int64Constant(kernel), b.int64Constant(spatial)]);
}

/**
 * dX of a convolution is the transposed convolution of dY with the same weights. With
 * stride 1 it is also an ordinary convolution with the flipped kernel, which ONNX
 * Runtime runs with its faster (blocked-layout) Conv kernels. The weights and bias get
 * gradients only when they are active (trained, or computed from the input).
 */
const conv: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const [x, w, bias] = [inputName(context, 0), inputName(context, 1), inputName(context, 2)];
  const kernel = intsAttribute(context.node, 'kernel_shape') ?? context.shape(w).slice(2);
  const group = intAttribute(context.node, 'group', 1);
  const inputSpatial = spatialShape(context, x);
  const geometry = windowGeometry(context.node, inputSpatial, kernel);
  const rank = kernel.length;
  let gradX: string | undefined;
  if (context.active(0)) {
    const flippedPads = geometry.pads.map((pad, i) => (kernel[i % rank]! - 1) * geometry.dilations[i % rank]! - pad);
    if (geometry.strides.every((s) => s === 1) && flippedPads.every((pad) => pad >= 0)) {
      gradX = b.op('Conv', [g, flippedKernel(context, w, group)], {
        kernel_shape: [...kernel],
        dilations: [...geometry.dilations],
        pads: flippedPads,
        group,
      });
    } else {
      const fit = transposedGeometry(geometry, inputSpatial, spatialShape(context, outputName(context, 0)));
      gradX = b.op('ConvTranspose', [g, w], {
        kernel_shape: [...kernel],
        strides: [...geometry.strides],
        dilations: [...geometry.dilations],
        pads: fit.pads,
        output_padding: fit.outputPadding,
        group,
      });
    }
  }
  const gradW = context.active(1) ? weightGradient(context, g, geometry, group) : undefined;
  let gradBias: string | undefined;
  if (bias !== '' && context.active(2)) {
    const outRank = context.shape(outputName(context, 0)).length;
    gradBias = b.reduceSum(g, [0, ...Array.from({ length: outRank - 2 }, (_, i) => i + 2)], false);
  }
  return [gradX, gradW, gradBias];
};

export const convRules: Readonly<Record<string, GradientRule>> = { Conv: conv };
