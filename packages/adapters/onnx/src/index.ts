export { OnnxAdapter } from './adapter.ts';
export { onnxAdapterFactory, onnxAdapterFactory as adapterFactory } from './factory.ts';
export { onnxConfigSchema, type OnnxAdapterConfig, type OnnxAdapterConfigInput } from './config.ts';
export { supportedOperators as gradientOperators } from './grad/rules/index.ts';
export { onnxAdapterFactory as default } from './factory.ts';
