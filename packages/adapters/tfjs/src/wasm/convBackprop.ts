// What the two Conv2D backprop replacements share: their attributes and the wasm kernels they
// are built from.
import * as tf from '@tensorflow/tfjs';

/** TF.js's attributes of Conv2DBackpropFilter / Conv2DBackpropInput, less the shape each adds. */
export interface ConvBackpropAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** A kernel of the registered wasm backend (present once the backend is registered). */
export function wasmKernel(name: string): tf.KernelFunc {
  return tf.getKernel(name, 'wasm')!.kernelFunc;
}
