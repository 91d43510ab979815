import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './backends.ts';
import { wasmKernel, type ConvBackpropAttrs } from './convBackprop.ts';

interface BackpropFilterAttrs extends ConvBackpropAttrs {
  filterShape: [number, number, number, number];
}

/**
 * dW[kh,kw,ci,co] = Σ_{n,i,j} xpad[n, i·sh+kh, j·sw+kw, ci] · dy[n,i,j,co], which is a
 * convolution of x (channels as batch, batch as channels) with dy as the filter,
 * dilated by the forward stride: three transposes and one fast wasm (XNNPACK) Conv2D.
 * NCHW, which TF.js layers never produce here, goes to `fallback`.
 */
export function conv2dBackpropFilterViaConv(fallback: tf.KernelFunc): tf.KernelFunc {
  const conv2d = wasmKernel('Conv2D');
  const transpose = wasmKernel('Transpose');
  const slice = wasmKernel('Slice');
  return (args) => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as BackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW') return fallback(args);
    const wasm = backend as unknown as WasmBackend;
    const x = inputs.x!;
    const dy = inputs.dy!;
    const [filterHeight, filterWidth, inChannels, outChannels] = attrs.filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const temporaries: tf.TensorInfo[] = [];
    const run = (func: tf.KernelFunc, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: object): tf.TensorInfo => {
      const output = func({ inputs: kernelInputs, attrs: kernelAttrs as tf.NamedAttrMap, backend }) as tf.TensorInfo;
      temporaries.push(output);
      return output;
    };
    try {
      const channelsAsBatch = run(transpose, { x }, { perm: [3, 1, 2, 0] });
      const dyAsFilter = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] });
      const { top, bottom, left, right } = info.padInfo;
      let product = run(conv2d, { x: channelsAsBatch, filter: dyAsFilter }, {
        strides: [1, 1],
        pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [info.strideHeight, info.strideWidth],
      });
      // Rows and columns past the last window the forward pass used are not part of the filter.
      if (product.shape[1] !== filterHeight || product.shape[2] !== filterWidth) {
        product = run(slice, { x: product }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] });
      }
      return transpose({ inputs: { x: product }, attrs: { perm: [1, 2, 0, 3] }, backend });
    } finally {
      for (const temporary of temporaries) wasm.disposeData(temporary.dataId);
    }
  };
}
