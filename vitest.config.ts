import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { describeMissing, missingServices, REDIS_SUITES } from './test/support/services.ts';

// One copy of graphql: without these conditions vitest may load graphql's CJS and ESM builds side by side.
const ssr = { resolve: { conditions: ['node', 'module-sync', 'default'] } };

/**
 * The same suite on both storage backends (test/support/backend.ts): SQLite, and PostgreSQL at
 * MMS_TEST_POSTGRES_URL (127.0.0.1:5432, database test, by default). `--project sqlite` or
 * `--project postgres` runs one of them. Where PostgreSQL or Redis is missing, the suites that need it are
 * left out and the run says so in one line each, at its start and again at its end.
 */
/**
 * Suites that open no database, or test a client of the API (the TUI, GraphiQL) that the storage beneath
 * the API does not change: the same on either backend.
 */
const BACKEND_INDEPENDENT = [
  'test/domain/**',
  'test/storage/startup-errors.test.ts',
  'test/schema.test.ts',
  'test/tui/**',
  'test/graphiql.test.ts',
  'test/services/relayed-gaps.test.ts',
  'test/services/shared-initial-reads.test.ts',
  'test/api/request-bodies.test.ts',
];

export default defineConfig(async () => {
  const missing = await missingServices();
  const withoutPostgres = missing.some((service) => service.suites.startsWith('the postgres project'));
  const withoutRedis = missing.some((service) => service.suites.startsWith('the Redis suites'));
  const notices = missing.map(describeMissing);
  for (const notice of notices) console.log(notice);
  // The summary reporter, in this same process, repeats them beside the closing count.
  process.env.MMS_TEST_SKIPPED_SUITES = JSON.stringify(notices);

  const shared = {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: withoutRedis ? [REDIS_SUITES] : [],
    setupFiles: ['test/support/backend-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  };
  const project = (name: 'sqlite' | 'postgres') => ({
    ssr,
    test: {
      ...shared,
      // Suites the backend does not change run once, in the sqlite project.
      exclude: name === 'postgres' ? [...shared.exclude, ...BACKEND_INDEPENDENT] : shared.exclude,
      name,
      env: { MMS_TEST_BACKEND: name },
      // Two files at a time on two cores: most wait on processes, sockets and timers as much as they compute.
      maxWorkers: Math.max(2, availableParallelism() - 1),
    },
  });
  return {
    ssr,
    test: {
      reporters: ['default', './test/support/summary-reporter.ts'],
      projects: withoutPostgres ? [project('sqlite')] : [project('sqlite'), project('postgres')],
    },
  };
});
