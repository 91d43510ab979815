import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@modelseal/artifacts',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
