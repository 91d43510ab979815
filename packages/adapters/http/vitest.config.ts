import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@modelseal/adapter-http',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
