import type { Reporter, TestModule } from 'vitest/node';

/** Prints the plain closing line `N passed, N failed` that CI reads. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const testModule of testModules) {
      const tests = [...testModule.children.allTests()];
      const failedTests = tests.filter((test) => test.result().state === 'failed').length;
      // A module that failed to load, or whose setup hook failed (its tests then read as skipped), failed.
      if (testModule.state() === 'failed' && failedTests === 0) failed++;
      for (const test of tests) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    // The closing line is exactly `N passed, N failed`; skipped tests (each the other backend's twin of a
    // test that runs on its own) are counted on the line before.
    // Suites left out for want of PostgreSQL or Redis (vitest.config.ts) are named there too.
    const notices = JSON.parse(process.env.MMS_TEST_SKIPPED_SUITES || '[]') as string[];
    const before = [...notices, ...(skipped ? [`${skipped} skipped`] : [])];
    process.stdout.write(
      `\n${before.map((line) => `${line}\n`).join('')}${passed} passed, ${failed} failed\n`,
    );
  }
}
