import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../harness/history/event-log.ts';
import { JsonlWriteError } from '../../harness/history/jsonl-file.ts';
import { HistoryRecorder, RecorderError } from '../../harness/history/recorder.ts';
import { FaultTimeline } from '../../harness/nemesis/fault.ts';

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

  it('turns a write that fails (a full device) into a RecorderError that names the file and stops recording', () => {
    // /dev/full answers every write with ENOSPC, like a disk with no space left.
    const recorder = new HistoryRecorder('/dev/full');
    const failures: RecorderError[] = [];
    recorder.onFailure((error) => failures.push(error));
    let thrown: unknown;
    try {
      recorder.invoke(0, 'add', 'set-0', 'e1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RecorderError);
    expect((thrown as RecorderError).message).toMatch(/\/dev\/full \(ENOSPC/);
    expect((thrown as RecorderError).events).toBe(0);
    expect(failures).toEqual([thrown]);
    expect(recorder.failure).toBe(thrown);
    expect(recorder.eventCount).toBe(0);
    // Everything after the failure fails the same way: nothing is recorded out of order.
    expect(() => recorder.invoke(1, 'add', 'set-0', 'e2')).toThrow(thrown as RecorderError);
    const late: RecorderError[] = [];
    recorder.onFailure((error) => late.push(error));
    expect(late).toEqual([thrown]);
    recorder.close();
  });
});

describe('the side logs (events.jsonl, faults.jsonl)', () => {
  it('on a full device, keep the records in memory, never throw into the recording code, and report the failure once', async () => {
    const events = new EventLog('/dev/full', () => 1);
    const failures: JsonlWriteError[] = [];
    events.onFailure((error) => failures.push(error));
    // A pod watch's callback records; it must not crash when the disk is full.
    expect(() => events.record('pod-watch', 'phase', 'zk-0 Running')).not.toThrow();
    events.record('pod-watch', 'phase', 'zk-1 Running');
    expect(events.events.map((e) => e.detail)).toEqual(['zk-0 Running', 'zk-1 Running']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(JsonlWriteError);
    expect(failures[0]!.message).toMatch(/^\/dev\/full could not be written \(ENOSPC/);
    const late: JsonlWriteError[] = [];
    events.onFailure((error) => late.push(error));
    expect(late).toEqual(failures);

    const timeline = new FaultTimeline('/dev/full', () => 2);
    const faultFailures: JsonlWriteError[] = [];
    timeline.onFailure((error) => faultFailures.push(error));
    const window = await timeline.apply({ name: 'kill', inject: async () => 'zk-0', heal: async () => {} }, 0);
    expect(window).toMatchObject({ name: 'kill', detail: 'zk-0', start: 2, end: 2 });
    expect(timeline.windows).toEqual([window]);
    expect(faultFailures).toHaveLength(1);
  });

  it('write one whole line per record', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'zk-chaos-')), 'events.jsonl');
    const events = new EventLog(path, () => 1);
    events.record('harness', 'gap', 'first');
    events.record('harness', 'gap', 'second');
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).detail)).toEqual(['first', 'second']);
  });
});
