import { defineConfig } from 'vitest/config';

// The checker's own tests, for mutation testing (stryker.config.json): pure and fast, so each
// mutant of harness/checker is judged in seconds.
export default defineConfig({
  test: {
    include: ['test/unit/checker-*.test.ts'],
  },
});
