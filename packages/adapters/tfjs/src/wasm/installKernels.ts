import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaConv } from './conv2dBackpropFilter.ts';
import { viaCpu } from './cpuBridge.ts';
import { maxPoolGrad } from './maxPoolGrad.ts';

/**
 * Gradient kernels the wasm backend (4.22) lacks. Conv2DBackpropFilter matters
 * most: TF.js fuses every linear-activation conv (Conv→BatchNorm→ReLU) and the
 * fused op's gradient always computes the filter gradient, and training any conv
 * needs it. The rest are rare and run on the cpu backend's kernels; Einsum is
 * here for GraphModels that use it in the forward pass.
 */
const MISSING_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'Einsum',
  'UnsortedSegmentSum',
] as const;

let installed = false;

/** Completes and corrects the wasm backend's kernels, once per process; call after it is registered. */
export function installWasmKernels(): void {
  if (installed) return;
  installed = true;
  for (const kernelName of MISSING_KERNELS) {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel || tf.getKernel(kernelName, 'wasm')) continue;
    const fallback = viaCpu(cpuKernel);
    const kernelFunc = kernelName === 'Conv2DBackpropFilter' ? conv2dBackpropFilterViaConv(fallback) : fallback;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  // Replaces a kernel that exists but computes wrong gradients (see maxPoolGrad.ts).
  if (tf.getKernel('MaxPoolGrad', 'wasm')) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad });
}
