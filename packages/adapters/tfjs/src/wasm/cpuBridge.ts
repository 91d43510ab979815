import * as tf from '@tensorflow/tfjs';
import { silenceCpuGreeting, type CpuBackend, type WasmBackend } from './backends.ts';

/** Runs a cpu kernel on copies of wasm tensors and hands the results back to wasm. Exact, just slower. */
export function viaCpu(cpuKernel: tf.KernelConfig): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as unknown as WasmBackend;
    const cpu = tf.findBackend('cpu') as unknown as CpuBackend | null;
    if (!cpu) throw new Error(`the cpu backend needed for ${cpuKernel.kernelName} on wasm is not available`);
    silenceCpuGreeting();
    const created: tf.TensorInfo[] = [];
    const toCpu = (input: tf.TensorInfo): tf.TensorInfo => {
      const copy = cpu.makeTensorInfo([...input.shape], input.dtype, wasm.readSync(input.dataId));
      created.push(copy);
      return copy;
    };
    try {
      // Most kernels take named inputs; list kernels such as Einsum take an array.
      const cpuInputs = Array.isArray(inputs)
        ? (inputs as tf.TensorInfo[]).map(toCpu)
        : Object.fromEntries(Object.entries(inputs).flatMap(([name, input]) => (input ? [[name, toCpu(input)]] : [])));
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs as tf.NamedTensorInfoMap, attrs, backend: cpu as unknown as tf.KernelBackend });
      const outputs = Array.isArray(result) ? result : [result];
      created.push(...outputs);
      const back = outputs.map((output) => wasm.makeOutput([...output.shape], output.dtype, undefined, cpu.readSync(output.dataId)));
      return Array.isArray(result) ? back : back[0]!;
    } finally {
      for (const info of created) cpu.disposeIntermediateTensorInfo(info);
    }
  };
}
