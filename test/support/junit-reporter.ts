import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { UserConsoleLog } from 'vitest';

/**
 * JUnit XML that survives interruption. The file is rewritten after every finished test, always
 * through a temporary file and a rename, so it is never empty or half written: a run cut short
 * keeps the cases that finished. On SIGINT or SIGTERM the test in progress becomes a case with an
 * `interrupted` error naming the signal and the last thing it logged (its phase), and
 * `interrupted.json` beside the file says the same for tools.
 */
export default class InterruptibleJUnitReporter implements Reporter {
  private readonly outputFile: string;
  private readonly modules = new Map<string, TestModule>();
  private readonly running = new Map<string, TestCase>();
  private readonly lastLine = new Map<string, string>();
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
    const suites: string[] = [];
    let tests = 0;
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    const interruptedTests: { file: string; name: string; phase: string | undefined }[] = [];
    for (const module of this.modules.values()) {
      const cases: string[] = [];
      let suiteFailures = 0;
      let suiteErrors = 0;
      let suiteSkipped = 0;
      const file = relative(process.cwd(), module.moduleId);
      for (const test of module.children.allTests()) {
        const result = test.result();
        const seconds = ((test.diagnostic()?.duration ?? 0) / 1000).toFixed(3);
        const head = `<testcase classname="${xml(file)}" name="${xml(test.fullName)}" time="${seconds}"`;
        if (result.state === 'passed') cases.push(`${head}/>`);
        else if (result.state === 'failed') {
          suiteFailures++;
          const error = result.errors?.[0];
          cases.push(`${head}><failure message="${xml(error?.message ?? 'failed')}">${xml(error?.stack ?? error?.message ?? '')}</failure></testcase>`);
        } else if (this.interrupted && this.running.has(test.id)) {
          suiteErrors++;
          const phase = this.lastLine.get(test.id);
          interruptedTests.push({ file, name: test.fullName, phase });
          const message = `interrupted by ${this.interrupted}${phase ? ` during: ${phase}` : ''}`;
          cases.push(`${head}><error type="interrupted" message="${xml(message)}"/></testcase>`);
        } else {
          suiteSkipped++;
          const why = this.interrupted ? `not run: interrupted by ${this.interrupted}` : 'skipped';
          cases.push(`${head}><skipped message="${xml(why)}"/></testcase>`);
        }
      }
      tests += cases.length;
      failures += suiteFailures;
      errors += suiteErrors;
      skipped += suiteSkipped;
      suites.push(
        `  <testsuite name="${xml(file)}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="${suiteSkipped}">\n` +
          cases.map((c) => `    ${c}`).join('\n') +
          '\n  </testsuite>',
      );
    }
    const text =
      '<?xml version="1.0" encoding="UTF-8" ?>\n' +
      `<testsuites name="zk-chaos" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n` +
      suites.join('\n') +
      '\n</testsuites>\n';
    atomicWrite(this.outputFile, text);
    if (this.interrupted) {
      atomicWrite(`${dirname(this.outputFile)}/interrupted.json`, JSON.stringify({ signal: this.interrupted, tests: interruptedTests }, null, 2) + '\n');
    }
  }
}

function atomicWrite(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.partial`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function xml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');
}
