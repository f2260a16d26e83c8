import { defineConfig } from 'vitest/config';

// The checker's own tests, for mutation testing (stryker.config.json): pure and fast, with a
// quarter of the random oracle trials, so each mutant of harness/checker is judged in seconds.
export default defineConfig({
  test: {
    include: ['test/unit/checker-*.test.ts'],
    // ZK_CHAOS_TRIALS_SCALE=1 npm run mutation runs them all (a second look at survivors).
    env: { ZK_CHAOS_TRIALS_SCALE: process.env.ZK_CHAOS_TRIALS_SCALE ?? '0.25' },
    // Instrumented code runs several times slower.
    testTimeout: 120_000,
  },
});
