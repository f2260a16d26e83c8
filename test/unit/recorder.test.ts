import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../../harness/history/recorder.ts';

describe('HistoryRecorder', () => {
  it('writes each event to disk as it happens, indexed and timed', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'zk-chaos-')), 'history.jsonl');
    const recorder = new HistoryRecorder(path);
    recorder.invoke(0, 'add', 'set-0', 'e1');
    // Written before the operation completes: a crash now still leaves the invoke on disk.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    recorder.complete(0, 'ok', 'e1', { server: 'zk-0', zxid: undefined });
    recorder.close();
    const events = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => [e.index, e.type, e.process, e.f, e.key])).toEqual([
      [0, 'invoke', 0, 'add', 'set-0'],
      [1, 'ok', 0, 'add', 'set-0'],
    ]);
    expect(events[1].server).toBe('zk-0');
    expect('zxid' in events[1]).toBe(false);
    expect(events[1].time).toBeGreaterThanOrEqual(events[0].time);
  });

  it('refuses a second outstanding operation in one process and a completion without invoke', () => {
    const recorder = new HistoryRecorder(join(mkdtempSync(join(tmpdir(), 'zk-chaos-')), 'h.jsonl'));
    recorder.invoke(1, 'read', 'reg-0', null);
    expect(() => recorder.invoke(1, 'read', 'reg-0', null)).toThrow(/already has an operation outstanding/);
    expect(() => recorder.complete(2, 'ok', null)).toThrow(/no operation outstanding/);
    recorder.close();
  });
});
