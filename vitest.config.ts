import { defineConfig } from 'vitest/config';

// One copy of graphql: without these conditions vitest may load graphql's CJS and ESM builds side by side.
const ssr = { resolve: { conditions: ['node', 'module-sync', 'default'] } };

const shared = {
  include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
  setupFiles: ['test/support/backend-setup.ts'],
  testTimeout: 20_000,
  hookTimeout: 30_000,
};

/**
 * The same suite on both storage backends (test/support/backend.ts): SQLite, and PostgreSQL at
 * MMS_TEST_POSTGRES_URL (127.0.0.1:5432, database test, by default). `--project sqlite` or
 * `--project postgres` runs one of them.
 */
export default defineConfig({
  ssr,
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { ssr, test: { ...shared, name: 'sqlite', env: { MMS_TEST_BACKEND: 'sqlite' } } },
      { ssr, test: { ...shared, name: 'postgres', env: { MMS_TEST_BACKEND: 'postgres' } } },
    ],
  },
});
