import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@modelseal/auth',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
