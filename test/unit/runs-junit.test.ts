import { describe, expect, it } from 'vitest';
import { junitXml } from '../../harness/run/junit.ts';
import { interruptedCase, runCases, type RunSummary } from '../../harness/run/runs-junit.ts';

const run = (verdict: string, more: Partial<RunSummary> = {}): RunSummary => ({
  run: 1,
  seed: 300,
  verdict,
  anomalies: {},
  report: 'test-results/hunt-docker-zk3.6.2-x/report.html',
  rerun: 'npx zk-chaos hunt --zk-version 3.6.2 --runs 1 --seed 300',
  seconds: 93.5,
  ...more,
});

describe('the JUnit cases of run and hunt', () => {
  it('a valid run passes', () => {
    expect(runCases('hunt', [run('valid')])).toEqual([{ suite: 'hunt', name: 'run 1, seed 300', seconds: 93.5 }]);
  });

  it('an invalid run fails, naming its anomalies by kind, its report and how to replay it', () => {
    const [c] = runCases('hunt', [run('invalid', { anomalies: { lost: 1739, 'stale-read-in-session': 12 } })]);
    expect(c?.outcome).toEqual({
      kind: 'failure',
      type: 'invalid',
      message: 'invalid: lost 1739, stale-read-in-session 12',
      detail: 'report: test-results/hunt-docker-zk3.6.2-x/report.html\nreplay: npx zk-chaos hunt --zk-version 3.6.2 --runs 1 --seed 300',
    });
  });

  it('unknown and error are errors with their reason, never passes', () => {
    const cases = runCases('run', [run('unknown', { reason: 'no final read succeeded' }), run('error', { run: 2, seed: 301, reason: 'zk-2 never rejoined' }), run('error', { run: 3 })]);
    expect(cases.map((c) => [c.name, c.outcome?.kind, c.outcome?.type, c.outcome?.message])).toEqual([
      ['run 1, seed 300', 'error', 'unknown', 'unknown: no final read succeeded'],
      ['run 2, seed 301', 'error', 'error', 'error: zk-2 never rejoined'],
      ['run 3, seed 300', 'error', 'error', 'error: no reason recorded'],
    ]);
  });

  it('a run cut short by a signal is an error, and the file counts it', () => {
    const cut = { run: 2, seed: 301, rerun: 'npx zk-chaos hunt --runs 1 --seed 301' };
    const xml = junitXml([...runCases('hunt', [run('valid')]), interruptedCase('hunt', cut, 'SIGINT')]);
    expect(xml).toContain('<testsuite name="hunt" tests="2" failures="0" errors="1" skipped="0">');
    expect(xml).toContain('<testcase classname="hunt" name="run 2, seed 301" time="0.000"><error type="interrupted" message="interrupted by SIGINT: no verdict">report: -\nreplay: npx zk-chaos hunt --runs 1 --seed 301</error></testcase>');
    const unknown = interruptedCase('hunt', { ...cut, report: 'r/report.html', verdict: { validity: 'unknown', anomalies: {} } }, 'SIGTERM');
    expect(unknown.outcome).toMatchObject({ kind: 'error', type: 'interrupted', detail: 'report: r/report.html\nreplay: npx zk-chaos hunt --runs 1 --seed 301' });
  });

  it('a run cut short after what it recorded was already invalid is a failure: a finding is a finding', () => {
    const c = interruptedCase('hunt', { run: 1, seed: 300, rerun: 'replay', report: 'r/report.html', verdict: { validity: 'invalid', anomalies: { lost: 2 } } }, 'SIGINT');
    expect(c.outcome).toEqual({ kind: 'failure', type: 'invalid', message: 'invalid: lost 2 (then interrupted by SIGINT)', detail: 'report: r/report.html\nreplay: replay' });
  });
});
