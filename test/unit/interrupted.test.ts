import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { interruptedVerdict } from '../../harness/run/interrupted.ts';
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
