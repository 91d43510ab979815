import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './backends.ts';
import { wasmKernel, type ConvBackpropAttrs } from './convBackprop.ts';

interface BackpropInputAttrs extends ConvBackpropAttrs {
  inputShape: [number, number, number, number];
}

/**
 * For stride 1, dx = conv2d(dy, W rotated by 180° with in/out channels swapped),
 * padded by (filter − 1 − forward padding) on each side. The wasm backend's own
 * Conv2DBackpropInput (4.22) is a plain loop and dominated `vjp` of small CNNs;
 * its XNNPACK Conv2D is several times faster. Strided convolutions would need dy
 * dilated with zeros, so they (and NCHW) stay with `native`.
 */
export function conv2dBackpropInputViaConv(native: tf.KernelFunc): tf.KernelFunc {
  const conv2d = wasmKernel('Conv2D');
  const transpose = wasmKernel('Transpose');
  const reverse = wasmKernel('Reverse');
  return (args) => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as BackpropInputAttrs;
    const filter = inputs.filter!;
    const dy = inputs.dy!;
    if (attrs.dataFormat === 'NCHW') return native(args);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { top, bottom, left, right } = info.padInfo;
    const padding = [info.filterHeight - 1 - top, info.filterHeight - 1 - bottom, info.filterWidth - 1 - left, info.filterWidth - 1 - right];
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || padding.some((p) => p < 0)) return native(args);
    const wasm = backend as unknown as WasmBackend;
    const temporaries: tf.TensorInfo[] = [];
    const run = (func: tf.KernelFunc, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: object): tf.TensorInfo => {
      const output = func({ inputs: kernelInputs, attrs: kernelAttrs as tf.NamedAttrMap, backend }) as tf.TensorInfo;
      temporaries.push(output);
      return output;
    };
    try {
      const rotated = run(reverse, { x: filter }, { dims: [0, 1] });
      const swapped = run(transpose, { x: rotated }, { perm: [0, 1, 3, 2] });
      return conv2d({
        inputs: { x: dy, filter: swapped },
        attrs: {
          strides: [1, 1],
          pad: [[0, 0], [padding[0]!, padding[1]!], [padding[2]!, padding[3]!], [0, 0]],
          dataFormat: 'NHWC',
          dilations: [1, 1],
        } as unknown as tf.NamedAttrMap,
        backend,
      });
    } finally {
      for (const temporary of temporaries) wasm.disposeData(temporary.dataId);
    }
  };
}
