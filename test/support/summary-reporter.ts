import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { SerializedError } from 'vitest';

/**
 * Ends every run with one plain line, "Tests: N passed, N failed[, N skipped][, N errors]", that CI
 * systems and people can read without knowing vitest's own summary format.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || underFailedHook(test)) failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but is a failure all the same.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    const errors = unhandledErrors.length;
    // Printed as the process exits, so it stays the last line (other reporters, e.g. JUnit, log
    // after their files are written, which can be after this hook returns).
    const line = `\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${errors ? `, ${errors} errors` : ''}\n`;
    process.once('exit', () => process.stdout.write(line));
  }
}

/**
 * A test that never ran because a beforeAll of its suite or file threw did not pass: vitest marks
 * it skipped, but counting it so would let a broken setup read as "0 failed".
 */
function underFailedHook(test: TestCase): boolean {
  if (test.result().state !== 'skipped' || test.options.mode === 'skip' || test.options.mode === 'todo') return false;
  for (let parent = test.parent; ; parent = parent.parent) {
    if (parent.state() === 'failed') return true;
    if (parent.type === 'module') return false;
  }
}
