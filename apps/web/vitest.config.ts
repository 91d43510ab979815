import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@modelseal/web',
    include: ['server/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
