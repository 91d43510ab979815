export { runAdapterConformance, type ConformanceOptions } from './conformance.ts';
export { MlpAdapter, type MlpAdapterOptions } from './mlpAdapter.ts';
