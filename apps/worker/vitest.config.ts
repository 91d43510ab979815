import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@modelseal/worker',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/testing/setup.ts'],
    testTimeout: 60_000,
  },
});
