import { rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Reporter, ReportedHookContext, TestCase, TestModule, TestSuite } from 'vitest/node';
import type { UserConsoleLog } from 'vitest';
import { atomicWrite } from '../../harness/run/atomic-write.ts';
import { junitXml, type JUnitCase } from '../../harness/run/junit.ts';

/**
 * JUnit XML that survives interruption. The file is rewritten after every finished test, always
 * through a temporary file and a rename, so it is never empty or half written: a run cut short
 * keeps the cases that finished. On SIGINT or SIGTERM the test in progress becomes a case with an
 * `interrupted` error naming the signal and the last thing it logged (its phase), and
 * `interrupted.json` beside the file says the same for tools. A signal during a beforeAll (a
 * suite starting its ensemble) marks the first test of that suite so: no test runs yet, but the
 * suite was under way.
 */
export default class InterruptibleJUnitReporter implements Reporter {
  private readonly outputFile: string;
  private readonly modules = new Map<string, TestModule>();
  private readonly running = new Map<string, TestCase>();
  private readonly lastLine = new Map<string, string>();
  /** Suites and modules whose beforeAll is running. */
  private readonly settingUp = new Map<string, TestSuite | TestModule>();
  private interrupted: string | undefined;

  constructor(options: { outputFile?: string } = {}) {
    this.outputFile = options.outputFile ?? 'test-results/junit.xml';
  }

  onInit(): void {
    rmSync(`${dirname(this.outputFile)}/interrupted.json`, { force: true });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        this.interrupted = signal;
        this.write();
        // Vitest's own handler stands down while another listener exists: exit as it would.
        process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
      });
    }
  }

  onTestModuleCollected(module: TestModule): void {
    this.modules.set(module.moduleId, module);
  }

  onTestCaseReady(test: TestCase): void {
    this.running.set(test.id, test);
  }

  onHookStart(hook: ReportedHookContext): void {
    if (hook.name === 'beforeAll') this.settingUp.set(hook.entity.id, hook.entity);
  }

  onHookEnd(hook: ReportedHookContext): void {
    if (hook.name === 'beforeAll') this.settingUp.delete(hook.entity.id);
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    if (!log.taskId) return;
    const line = log.content.trim().split('\n').at(-1);
    if (line) this.lastLine.set(log.taskId, line.slice(0, 300));
  }

  onTestCaseResult(test: TestCase): void {
    this.running.delete(test.id);
    this.write();
  }

  onTestRunEnd(): void {
    this.write();
  }

  private write(): void {
    const cases: JUnitCase[] = [];
    const interruptedTests: { file: string; name: string; phase: string | undefined }[] = [];
    // The first test of a suite interrupted in its beforeAll stands for the suite, with its phase.
    const inSetup = new Map<string, string>();
    for (const entity of this.settingUp.values()) {
      const first = [...entity.children.allTests()][0];
      if (first) inSetup.set(first.id, `beforeAll${this.lastLine.has(entity.id) ? `, ${this.lastLine.get(entity.id)}` : ''}`);
    }
    for (const module of this.modules.values()) {
      const file = relative(process.cwd(), module.moduleId);
      for (const test of module.children.allTests()) {
        const result = test.result();
        const base = { suite: file, name: test.fullName, seconds: (test.diagnostic()?.duration ?? 0) / 1000 };
        if (result.state === 'passed') cases.push(base);
        else if (result.state === 'failed') {
          const error = result.errors?.[0];
          // The harness's own failure (HarnessError: a full disk, a Docker engine or API server
          // gone) is an error of type harness: a reader of JUnit never takes it for ZooKeeper's.
          const harness = error?.name === 'HarnessError';
          cases.push({ ...base, outcome: { kind: harness ? 'error' : 'failure', ...(harness ? { type: 'harness' } : {}), message: error?.message ?? 'failed', detail: error?.stack ?? error?.message ?? '' } });
        } else if (this.interrupted && (this.running.has(test.id) || inSetup.has(test.id))) {
          const phase = this.lastLine.get(test.id) ?? inSetup.get(test.id);
          interruptedTests.push({ file, name: test.fullName, phase });
          cases.push({ ...base, outcome: { kind: 'error', type: 'interrupted', message: `interrupted by ${this.interrupted}${phase ? ` during: ${phase}` : ''}` } });
        } else {
          cases.push({ ...base, outcome: { kind: 'skipped', message: this.interrupted ? `not run: interrupted by ${this.interrupted}` : 'skipped' } });
        }
      }
    }
    if (this.interrupted && interruptedTests.length === 0) {
      // Between two tests (or before the first one started): the file still has to say the run
      // was cut short, or it would pass for a whole run.
      cases.push({ suite: 'vitest', name: 'between tests', seconds: 0, outcome: { kind: 'error', type: 'interrupted', message: `interrupted by ${this.interrupted} while no test was running` } });
    }
    atomicWrite(this.outputFile, junitXml(cases));
    if (this.interrupted) {
      atomicWrite(`${dirname(this.outputFile)}/interrupted.json`, JSON.stringify({ signal: this.interrupted, tests: interruptedTests }, null, 2) + '\n');
    }
  }
}

