import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Config files, not folders: a folder glob would also match packages/adapters itself
    // and run every adapter's tests twice.
    projects: ['packages/*/vitest.config.ts', 'packages/adapters/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});
