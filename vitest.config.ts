import { defineConfig } from 'vitest/config';
import { FileNameSequencer } from './test/support/file-name-sequencer.ts';

// Three projects: unit (pure logic, seconds), integration (real ZooKeeper in Docker, minutes),
// e2e (the kind suites, run by `npm run e2e`). Integration and e2e files run one at a time:
// they share one Docker engine and two cores.
export default defineConfig({
  test: {
    // Suites are numbered; run every project's files in file-name order, not by duration cache.
    sequence: { sequencer: FileNameSequencer },
    // JUnit through our reporter: rewritten atomically after every test, and an interrupted test is
    // recorded as such (vitest's own JUnit file is left empty when a run is cut short).
    reporters: ['default', ['./test/support/junit-reporter.ts', { outputFile: `${process.env.ZK_CHAOS_RESULTS ?? 'test-results'}/junit.xml` }], './test/support/summary-reporter.ts', './test/support/parent-watch-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['./test/integration/global-setup.ts'],
          // The reaper image cannot be pulled on offline hosts; global-setup removes leftovers instead.
          env: { TESTCONTAINERS_RYUK_DISABLED: process.env.TESTCONTAINERS_RYUK_DISABLED ?? 'true' },
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        // The kind suites, one file per scenario, in file-name order (npm run e2e).
        test: {
          name: 'e2e',
          include: ['suites/**/*.test.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
