import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finalizeInterruptedRuns } from '../../harness/run/interrupted.ts';
import { waitForHistory } from '../support/run-history.ts';

/**
 * A run cut short by Ctrl-C keeps what it recorded: a test run (real vitest, our JUnit reporter,
 * the real history recorder) is interrupted while a test is recording; the JUnit file keeps the
 * finished case and names the interrupted one with its phase, and the run's folder gets a verdict
 * (unknown, never valid) and a report.
 */

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-interrupted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(): { results: string; history: string } {
  const results = join(dir, 'results');
  const runDir = join(results, 'recording-run');
  mkdirSync(runDir, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(
    join(dir, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['*.test.ts'], testTimeout: 120000,
  reporters: [['${join(ROOT, 'test/support/junit-reporter.ts')}', { outputFile: '${join(results, 'junit.xml')}' }]] } });\n`,
  );
  writeFileSync(
    join(dir, 'recording.test.ts'),
    `import { it } from 'vitest';
import { HistoryRecorder } from '${join(ROOT, 'harness/history/recorder.ts')}';
it('finishes before the interruption', () => {});
it('records until interrupted', async () => {
  const rec = new HistoryRecorder('${join(runDir, 'history.jsonl')}');
  console.log('[e2e] workload: adding elements');
  for (let i = 0; ; i++) {
    rec.invoke(1, 'add', 's', 'e' + i);
    await new Promise((r) => setTimeout(r, 20));
    rec.complete(1, 'ok', 'e' + i);
  }
});\n`,
  );
  return { results, history: join(runDir, 'history.jsonl') };
}

describe('a test run interrupted by Ctrl-C', () => {
  it('keeps the finished cases, names the interrupted one, and the run gets an unknown verdict and a report', async () => {
    const { results, history } = fixture();
    const child = spawn(join(ROOT, 'node_modules/.bin/vitest'), ['run', '--root', dir], { cwd: dir, detached: true, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitForHistory('the test to record operations', () => history, 20, { timeoutMs: 60_000 });
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).toBe(130);

    const junit = readFileSync(join(results, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testcase classname="recording.test.ts" name="finishes before the interruption"');
    expect(junit).toContain('name="records until interrupted" time="0.000"><error type="interrupted" message="interrupted by SIGINT during: [e2e] workload: adding elements"/>');
    expect(JSON.parse(readFileSync(join(results, 'interrupted.json'), 'utf8'))).toEqual({
      signal: 'SIGINT',
      tests: [{ file: 'recording.test.ts', name: 'records until interrupted', phase: '[e2e] workload: adding elements' }],
    });

    const finalized = await finalizeInterruptedRuns(results, 0, 'SIGINT during the suites');
    expect(finalized).toEqual([join(results, 'recording-run')]);
    const verdict = JSON.parse(readFileSync(join(results, 'recording-run', 'verdict.json'), 'utf8'));
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys[0].reason).toContain('the run was interrupted (SIGINT during the suites)');
    expect(verdict.stats.operations).toBeGreaterThan(10);
    expect(existsSync(join(results, 'recording-run', 'report.html'))).toBe(true);
    // A second pass finds nothing left to finalize.
    expect(await finalizeInterruptedRuns(results, 0, 'again')).toEqual([]);
  });

  it('killed with kill -9, the harness leaves a history that zk-chaos check gives a verdict on', async () => {
    const history = join(dir, 'killed', 'history.jsonl');
    const script = join(dir, 'record-forever.ts');
    writeFileSync(
      script,
      `import { HistoryRecorder } from '${join(ROOT, 'harness/history/recorder.ts')}';
const rec = new HistoryRecorder('${history}');
rec.invoke(0, 'add', 's', 'first'); rec.complete(0, 'ok', 'first');
rec.invoke(0, 'read-set', 's', null, { final: true }); rec.complete(0, 'ok', ['first']);
for (let i = 0; ; i++) {
  rec.invoke(1 + (i % 4), 'add', 's', 'e' + i);
  await new Promise((r) => setTimeout(r, 5));
  rec.complete(1 + (i % 4), 'ok', 'e' + i);
}\n`,
    );
    const child = spawn(process.execPath, [script], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await waitForHistory('the recorder to record operations', () => history, 50, { timeoutMs: 60_000 });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Every line on disk is whole; the operation in flight has no completion: indeterminate.
    const check = spawnSync(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'check', '--json', history], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    const verdict = JSON.parse(check.stdout);
    expect([0, 1, 2]).toContain(check.status); // a verdict, whatever it is; never 3 (unreadable)
    expect(verdict.stats.operations).toBeGreaterThan(20);
    // The one invoked and not completed when the kill came (almost always: the recorder waits
    // between the two) is counted as indeterminate, not dropped.
    const types = readFileSync(history, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { type: string }).type);
    const inFlight = types.filter((t) => t === 'invoke').length - types.filter((t) => t !== 'invoke').length;
    expect(inFlight).toBeLessThanOrEqual(1);
    expect(verdict.stats.byOutcome.info).toBe(inFlight);
    // The adds after the final read were never read: they cannot be lost, and nothing is invented.
    expect(verdict.validity).toBe('valid');
  });
});

describe('JUnit of a suite that stops on the harness\'s own failure', () => {
  it('is an error of type harness, never a failure like a broken guarantee', () => {
    const project = join(dir, 'harness-failure');
    mkdirSync(project, { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'package.json'), '{"type":"module"}\n');
    const junit = join(project, 'junit.xml');
    writeFileSync(
      join(project, 'vitest.config.ts'),
      `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['*.test.ts'], reporters: [['${join(ROOT, 'test/support/junit-reporter.ts')}', { outputFile: '${junit}' }]] } });\n`,
    );
    writeFileSync(
      join(project, 'suite.test.ts'),
      `import { expect, it } from 'vitest';
import { HarnessError } from '${join(ROOT, 'harness/run/test-run.ts')}';
it('runs on a full disk', () => { throw new HarnessError('disk: the harness failed, not ZooKeeper: ENOSPC', '${project}', new Error('ENOSPC')); });
it('finds a lost write', () => { expect('invalid', 'verdict').toBe('valid'); });\n`,
    );
    const run = spawnSync(join(ROOT, 'node_modules/.bin/vitest'), ['run', '--root', project], { cwd: project, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/name="runs on a full disk" time="[^"]*"><error type="harness" message="disk: the harness failed, not ZooKeeper: ENOSPC">/);
    expect(xml).toMatch(/name="finds a lost write" time="[^"]*"><failure message="verdict: expected 'invalid' to be 'valid'/);
    expect(xml).toMatch(/<testsuites name="zk-chaos" tests="2" failures="1" errors="1"/);
  });
});
