import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'modelseal-adapter-js-function',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
