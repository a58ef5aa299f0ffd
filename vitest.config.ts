import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One copy of graphql: without these conditions vitest may load graphql's CJS and ESM builds side by side.
  ssr: { resolve: { conditions: ['node', 'import', 'module-sync', 'default'] } },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
