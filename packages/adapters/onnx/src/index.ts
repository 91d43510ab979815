export { OnnxAdapter } from './adapter.ts';
export { onnxAdapterFactory, onnxAdapterFactory as adapterFactory } from './factory.ts';
export { onnxConfigSchema, type OnnxAdapterConfig, type OnnxAdapterConfigInput } from './config.ts';
export { supportedOperators as gradientOperators } from './grad/rules/index.ts';
export { fineTuneOnnx, type BatchNormMode, type FineTuneOptions, type FineTuneResult, type FineTuneStep } from './training/fineTune.ts';
export type { LabelledBatch } from '@modelseal/core';
export { onnxAdapterFactory as default } from './factory.ts';
