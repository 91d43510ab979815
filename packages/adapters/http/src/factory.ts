import { defineAdapterFactory } from '@modelseal/core';
import { HttpAdapter } from './adapter.ts';
import { httpAdapterConfigSchema } from './config.ts';

export const httpAdapterFactory = defineAdapterFactory({
  kind: 'http',
  title: 'Remote model (HTTP)',
  description:
    'A model behind an HTTP endpoint that returns class probabilities or logits: Open Inference Protocol v2 (KServe, Triton, MLServer, modelseal serve) or TensorFlow Serving REST. Black-box: fragilization estimates gradients from queries.',
  configSchema: httpAdapterConfigSchema,
  matchesLocation: (location: string) => /^https?:\/\//i.test(location.trim()),
  configFromLocation: (location: string) => httpAdapterConfigSchema.parse({ url: location.trim() }),
  create: (config, context) => HttpAdapter.create(config, context),
});

export default httpAdapterFactory;
