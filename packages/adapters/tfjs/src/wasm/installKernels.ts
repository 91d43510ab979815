import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaConv } from './conv2dBackpropFilter.ts';
import { conv2dBackpropInputViaConv } from './conv2dBackpropInput.ts';
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

function replace(kernelName: string, make: (native: tf.KernelConfig | undefined) => tf.KernelFunc | undefined): void {
  const native = tf.getKernel(kernelName, 'wasm');
  const kernelFunc = make(native);
  if (!kernelFunc) return;
  if (native) tf.unregisterKernel(kernelName, 'wasm');
  // Keeping the native setupFunc lets a replacement still fall back to the native kernel.
  tf.registerKernel({ ...native, kernelName, backendName: 'wasm', kernelFunc });
}

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
  replace('MaxPoolGrad', () => maxPoolGrad);
  // Replaces a correct but slow kernel (see conv2dBackpropInput.ts).
  replace('Conv2DBackpropInput', (native) => (native ? conv2dBackpropInputViaConv(native.kernelFunc) : undefined));
}
