// A third-party adapter package in miniature, for adapters.test.ts: a module exporting a factory.
import { defineAdapterFactory } from '@modelseal/core';
import { z } from 'zod';

export const adapterFactory = defineAdapterFactory({
  kind: 'test-constant',
  title: 'Constant classifier (test)',
  description: 'Answers the same probabilities for every input.',
  configSchema: z.strictObject({ classes: z.number().int().min(2) }),
  create: async (config) => ({
    kind: 'test-constant',
    describe: () => ({ inputShape: [1], layout: 'flat', valueRange: [0, 1], numClasses: config.classes, outputKind: 'probabilities', runtime: 'test' }),
    predict: async (batch) => {
      const n = batch.shape[0] ?? 0;
      return { data: new Float32Array(n * config.classes).fill(1 / config.classes), shape: [n, config.classes] };
    },
    dispose: async () => undefined,
  }),
});
