import * as tf from '@tensorflow/tfjs';

/** The parts of the wasm and cpu backends' (untyped) APIs that the kernels here use. */
export interface DataBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
}

export interface CpuBackend extends DataBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

export interface WasmBackend extends DataBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

/**
 * The cpu backend greets its first write with advice to install tfjs-node. We log
 * the backend we chose ourselves, and the kernels here use cpu internally, so skip it.
 */
export function silenceCpuGreeting(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}
