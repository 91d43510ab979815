import { defineAdapterFactory, ModelSealError, describeIssues } from '@modelseal/core';
import { OnnxAdapter } from './adapter.ts';
import { onnxConfigSchema } from './config.ts';

export const onnxAdapterFactory = defineAdapterFactory({
  kind: 'onnx',
  title: 'ONNX model',
  description:
    'A classifier exported to ONNX (e.g. torch.onnx.export), run locally with ONNX Runtime on CPU or CUDA. Provides exact input gradients for common image-classifier operators and weight access.',
  configSchema: onnxConfigSchema,
  matchesLocation: (location) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && location.toLowerCase().endsWith('.onnx'),
  configFromLocation: (location) => ({ path: location }),
  async create(config, context) {
    // Direct callers may pass a raw object; parsing again fills defaults and is a no-op for parsed configs.
    const parsed = onnxConfigSchema.safeParse(config);
    if (!parsed.success) {
      const details = describeIssues(parsed.error, '(config)');
      throw new ModelSealError('INVALID_CONFIG', `invalid config for adapter "onnx": ${details}`);
    }
    return OnnxAdapter.open(parsed.data, context);
  },
});
