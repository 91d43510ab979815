import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@modelseal/api',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
