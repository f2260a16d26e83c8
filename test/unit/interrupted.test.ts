import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { HistoryRecorder } from '../../harness/history/recorder.ts';
import { finalizeInterruptedRuns, interruptedVerdict } from '../../harness/run/interrupted.ts';
import { HISTORY_COMPLETE, RUN_FILES } from '../../harness/run/run-folder.ts';
import { HistoryBuilder } from './history-builder.ts';

describe('the verdict of an interrupted run', () => {
  it('is never valid: what the checker accepted becomes unknown, with the interruption first', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.readSet(2, 's', ['a']);
    expect(check(h.ops()).validity).toBe('valid');
    const verdict = interruptedVerdict(check(h.ops()), 'interrupted by SIGINT');
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys[0]).toEqual({ key: '', reason: 'interrupted by SIGINT' });
  });

  it('stays invalid when what was recorded already proves an anomaly', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a', 'fail');
    h.readSet(2, 's', ['a']);
    const verdict = interruptedVerdict(check(h.ops()), 'interrupted by SIGTERM');
    expect(verdict.validity).toBe('invalid');
    expect(verdict.anomalies.map((a) => a.type)).toEqual(['failed-add-present']);
  });
});

describe('finalizeInterruptedRuns: what each phase of an interrupted run leaves, judged', () => {
  const results = mkdtempSync(join(tmpdir(), 'zk-chaos-finalize-'));
  afterAll(() => rmSync(results, { recursive: true, force: true }));

  /** A run folder as runTest leaves it: a whole history (an add and a final read of it), its events. */
  function runFolder(name: string, events: object[]): string {
    const dir = join(results, name);
    mkdirSync(dir, { recursive: true });
    const rec = new HistoryRecorder(join(dir, RUN_FILES.history));
    rec.invoke(1, 'add', 's', 'a');
    rec.complete(1, 'ok', 'a');
    rec.invoke(2, 'read-set', 's', null, { final: true });
    rec.complete(2, 'ok', ['a']);
    rec.close();
    writeFileSync(join(dir, RUN_FILES.events), events.map((e) => JSON.stringify(e) + '\n').join(''));
    return dir;
  }

  it('judges a run interrupted while checking on its whole history, and one interrupted earlier as unknown', async () => {
    const checking = runFolder('interrupted-checking', [{ time: 1, source: 'harness', kind: HISTORY_COMPLETE, detail: 'final reads made through zk-0' }]);
    const workload = runFolder('interrupted-workload', [{ time: 1, source: 'pod-watch', kind: 'ready', detail: 'zk-0' }]);
    expect((await finalizeInterruptedRuns(results, 0, 'SIGINT')).sort()).toEqual([checking, workload].sort());
    expect(JSON.parse(readFileSync(join(checking, RUN_FILES.verdict), 'utf8')).validity).toBe('valid');
    const early = JSON.parse(readFileSync(join(workload, RUN_FILES.verdict), 'utf8'));
    expect(early.validity).toBe('unknown');
    expect(early.unknownKeys[0].reason).toContain('the run was interrupted (SIGINT)');
    expect(existsSync(join(checking, RUN_FILES.report))).toBe(true);
    expect(existsSync(join(workload, RUN_FILES.report))).toBe(true);
  });

  it('gives a run interrupted while writing its report the report, and leaves its verdict as it was', async () => {
    const reporting = runFolder('interrupted-report', []);
    const verdict = JSON.stringify({ ...check([]), unknownKeys: [{ key: '', reason: 'as the run wrote it' }] });
    writeFileSync(join(reporting, RUN_FILES.verdict), verdict);
    expect(await finalizeInterruptedRuns(results, 0, 'SIGTERM')).toEqual([reporting]);
    expect(readFileSync(join(reporting, RUN_FILES.verdict), 'utf8')).toBe(verdict);
    expect(existsSync(join(reporting, RUN_FILES.report))).toBe(true);
    // Nothing is left to finalize afterwards.
    expect(await finalizeInterruptedRuns(results, 0, 'again')).toEqual([]);
  });
});
