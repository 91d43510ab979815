import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@modelseal/adapter-onnx',
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
