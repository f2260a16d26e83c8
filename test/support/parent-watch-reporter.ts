import type { Reporter } from 'vitest/node';
import { processExists } from '../../harness/cli/process-exists.ts';

/**
 * When `npm run e2e` runs the suites it names itself in ZK_CHAOS_E2E_PID. The suites run in a
 * process group of their own (so that a Ctrl-C reaches them once, through e2e), which also means a
 * `kill -9` of e2e alone would leave them running with no one to clean up after them or finish
 * their runs. This watches e2e: once it is gone, the suites are stopped as a cancelled CI job
 * would stop them (SIGTERM), so the JUnit reporter records the suite in progress as interrupted.
 */
export default class ParentWatchReporter implements Reporter {
  onInit(): void {
    const parent = Number(process.env.ZK_CHAOS_E2E_PID);
    if (!Number.isInteger(parent) || parent <= 0) return;
    const timer = setInterval(() => {
      if (processExists(parent)) return;
      clearInterval(timer);
      console.error(`[e2e] npm run e2e (pid ${parent}) is gone: stopping the suites`);
      try {
        process.kill(-process.pid, 'SIGTERM'); // the suites' whole group, as e2e would
      } catch {
        process.kill(process.pid, 'SIGTERM'); // not a group leader (run by hand): this process
      }
    }, 1000);
    timer.unref();
  }
}
