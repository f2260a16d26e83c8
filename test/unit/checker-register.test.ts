import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import type { Operation } from '../../harness/history/types.ts';
import { HistoryBuilder } from './history-builder.ts';

const validity = (h: HistoryBuilder, budget?: number): string => check(h.ops(), budget === undefined ? {} : { budget }).validity;
const stripZxids = (ops: Operation[]): Operation[] =>
  ops.map((op) => {
    const { zxid: _zxid, ...rest } = op;
    return rest;
  });

describe('register keys', () => {
  it('accepts a sequential history', () => {
    const h = new HistoryBuilder();
    h.read(1, 'r', null);
    h.write(1, 'r', 'a');
    h.read(2, 'r', 'a');
    h.cas(2, 'r', 'a', 'b');
    h.cas(3, 'r', 'a', 'c', 'fail');
    h.read(3, 'r', 'b');
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('valid');
    expect(verdict.stats).toMatchObject({ registerKeys: 1, searchedKeys: 1, witnessKeys: 0 });
  });

  it('accepts a stale read by another session', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.write(1, 'r', 'b');
    h.read(2, 'r', 'a'); // b completed before this read began; process 2's follower lags
    h.read(2, 'r', 'b');
    h.read(3, 'r', null); // even the initial state
    expect(validity(h)).toBe('valid');
  });

  it('flags a session whose reads go back in time', () => {
    const h = new HistoryBuilder();
    const wa = h.write(1, 'r', 'a');
    const wb = h.write(1, 'r', 'b');
    const newer = h.read(2, 'r', 'b');
    const older = h.read(2, 'r', 'a');
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('invalid');
    expect(verdict.anomalies).toEqual([
      expect.objectContaining({ type: 'stale-read-in-session', element: 'a', ops: [wa, wb, newer, older] }),
    ]);
    expect(verdict.anomalies[0]?.explanation).toContain(
      `in one session, read ${newer} (process 2) returning 'b' came before read ${older} (process 2) returning 'a'; ` +
        `but write ${wa} (process 1) of 'a' completed before write ${wb} (process 1) of 'b' was invoked`,
    );
    expect(check(h.ops()).stats.searchedKeys).toBe(0);
  });

  it('flags a session that reads absent after seeing a value', () => {
    const h = new HistoryBuilder();
    h.invoke(1, 'write', 'r', 'a');
    h.read(2, 'r', 'a');
    h.read(2, 'r', null);
    h.ok(1);
    expect(check(h.ops()).anomalies.map((a) => a.type)).toEqual(['stale-read-in-session']);
  });

  /** Concurrent writes a and b: one session sees a then b, another b then a. */
  function disagreeingSessions(): { h: HistoryBuilder; ids: number[] } {
    const h = new HistoryBuilder();
    const wa = h.invoke(1, 'write', 'r', 'a');
    const wb = h.invoke(2, 'write', 'r', 'b');
    const r1 = h.read(3, 'r', 'a');
    const r2 = h.read(3, 'r', 'b');
    const r3 = h.read(4, 'r', 'b');
    const r4 = h.read(4, 'r', 'a');
    h.ok(1);
    h.ok(2);
    return { h, ids: [wa, wb, r1, r2, r3, r4] };
  }

  it('flags sessions that disagree on the order of concurrent writes (found by the search)', () => {
    const { h, ids } = disagreeingSessions();
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('invalid');
    expect(verdict.stats.searchedKeys).toBe(1);
    const [anomaly] = verdict.anomalies;
    expect(anomaly?.type).toBe('nonlinearizable');
    expect(anomaly?.explanation).toMatch(/The deepest attempt ordered \d of 6, leaving the register at '[ab]'/);
    expect(anomaly?.explanation).toMatch(/still needs/);
    expect(anomaly?.ops.every((id) => ids.includes(id))).toBe(true);
  });

  it('flags a session that does not read its own write', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.write(2, 'r', 'b');
    h.read(2, 'r', 'a');
    expect(validity(h)).toBe('invalid');
  });

  it('flags a cas that succeeds from a value real time says was already overwritten', () => {
    const h = new HistoryBuilder();
    const wa = h.write(1, 'r', 'a');
    const wb = h.write(1, 'r', 'b');
    const cas = h.cas(2, 'r', 'a', 'c');
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('invalid');
    expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'nonlinearizable', element: 'a', ops: [wa, wb, cas] })]);
    expect(verdict.anomalies[0]?.explanation).toContain(`cas ${cas} (process 2) from 'a' to 'c' succeeded, but 'a' was written by write ${wa}`);
  });

  it('flags a cas from absent after a write completed', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.cas(2, 'r', null, 'c');
    expect(check(h.ops()).anomalies.map((a) => a.type)).toEqual(['nonlinearizable']);
  });

  it('accepts a cas from a value overwritten concurrently', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.invoke(1, 'write', 'r', 'b');
    h.cas(2, 'r', 'a', 'c');
    h.ok(1);
    h.read(3, 'r', 'b');
    expect(validity(h)).toBe('valid');
  });

  it('orders writes by real time among themselves', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.write(2, 'r', 'b'); // invoked after a completed: after a
    h.read(3, 'r', 'b');
    h.read(3, 'r', 'a');
    expect(validity(h)).toBe('invalid');

    const g = new HistoryBuilder();
    g.invoke(1, 'write', 'r', 'a');
    g.write(2, 'r', 'b'); // concurrent with a: either order
    g.ok(1);
    g.read(3, 'r', 'b');
    g.read(3, 'r', 'a');
    expect(validity(g)).toBe('valid');
  });

  it('does not let a read see a write invoked after the read completed', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.read(2, 'r', 'a');
    const read = h.read(3, 'r', 'b');
    const write = h.write(1, 'r', 'b');
    const verdict = check(h.ops());
    expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'future-read', element: 'b', ops: [read, write] })]);
  });

  it('flags a failed cas whose expected value the register must have held', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    const failed = h.cas(2, 'r', 'a', 'b', 'fail');
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('invalid');
    expect(verdict.anomalies[0]?.ops).toContain(failed);
    expect(verdict.anomalies[0]?.explanation).toContain('held exactly that');
  });

  it('accepts a failed cas explained by a concurrent or indeterminate write', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.invoke(3, 'write', 'r', 'b');
    h.cas(2, 'r', 'a', 'c', 'fail');
    h.ok(3);
    expect(validity(h)).toBe('valid');

    const g = new HistoryBuilder();
    g.write(1, 'r', 'a');
    g.write(3, 'r', 'x', 'info'); // never observed, but it may have happened
    g.cas(2, 'r', 'a', 'c', 'fail');
    g.read(2, 'r', 'a'); // ... and may have happened at any point
    expect(validity(g)).toBe('invalid'); // a is gone once x is written; nothing writes a again

    const k = new HistoryBuilder();
    k.write(1, 'r', 'a');
    k.write(3, 'r', 'x', 'info');
    k.cas(2, 'r', 'a', 'c', 'fail');
    k.read(2, 'r', 'x');
    expect(validity(k)).toBe('valid');
  });

  it('ignores failed writes, failed and indeterminate reads', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a', 'fail');
    h.invoke(2, 'read', 'r');
    h.info(2);
    h.read(3, 'r', null);
    expect(validity(h)).toBe('valid');
  });

  it('accepts an indeterminate write that is present, or absent', () => {
    for (const seen of ['a', null]) {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'a', 'info');
      h.read(2, 'r', seen);
      h.read(2, 'r', seen);
      expect(validity(h)).toBe('valid');
    }
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a', 'invoke'); // no completion at all
    h.pause(100);
    h.read(2, 'r', null);
    h.read(3, 'r', 'a'); // took effect long after
    h.cas(3, 'r', 'a', 'b');
    expect(validity(h)).toBe('valid');
  });

  it('accepts a cas chaining from an indeterminate cas', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.cas(2, 'r', 'a', 'b', 'info');
    h.cas(3, 'r', 'b', 'c');
    h.read(3, 'r', 'c');
    expect(validity(h)).toBe('valid');
  });

  describe('phantom-value', () => {
    it('flags a value no write wrote, and names a failed write of it', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'a');
      const failedWrite = h.write(1, 'r', 'b', 'fail');
      const read = h.read(2, 'r', 'b');
      const ghost = h.read(2, 'r', 'zzz');
      const anomalies = check(h.ops()).anomalies;
      expect(anomalies).toEqual([
        expect.objectContaining({ type: 'phantom-value', element: 'b', ops: [failedWrite, read] }),
        expect.objectContaining({ type: 'phantom-value', element: 'zzz', ops: [ghost] }),
      ]);
      expect(anomalies[0]?.explanation).toContain(`write ${failedWrite} (process 1, fail)`);
    });

    it('flags a cas that succeeds from a value never written', () => {
      const h = new HistoryBuilder();
      const cas = h.cas(1, 'r', 'nope', 'b');
      expect(check(h.ops()).anomalies).toEqual([expect.objectContaining({ type: 'phantom-value', ops: [cas] })]);
    });

    it('accepts a value written by an indeterminate write', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'a', 'info');
      h.read(2, 'r', 'a');
      expect(check(h.ops()).anomalies).toEqual([]);
    });
  });

  describe('future-read', () => {
    it('accepts a read concurrent with its writer', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'write', 'r', 'a');
      h.read(2, 'r', 'a');
      h.ok(1);
      expect(validity(h)).toBe('valid');
    });

    it('flags an indeterminate write read before it was invoked', () => {
      const h = new HistoryBuilder();
      h.read(2, 'r', 'a');
      h.write(1, 'r', 'a', 'info');
      expect(check(h.ops()).anomalies.map((a) => a.type)).toEqual(['future-read']);
    });
  });

  it('says unknown, never a guess, when the search budget runs out', () => {
    const { h } = disagreeingSessions();
    const verdict = check(h.ops(), { budget: 1 });
    expect(verdict.validity).toBe('unknown');
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.unknownKeys).toEqual([{ key: 'r', reason: expect.stringContaining('more than 1 state of key "r"') }]);
    expect(check(h.ops()).validity).toBe('invalid');
  });

  it('keeps keys apart and reports a key that mixes kinds as unknown', () => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.read(2, 'q', null);
    h.add(1, 'm', 'x');
    h.read(2, 'm', null);
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys.map((u) => u.key)).toEqual(['m']);
    expect(verdict.stats).toMatchObject({ keys: 3, registerKeys: 2, setKeys: 0 });
  });

  describe('zxid witness', () => {
    function zxidHistory(): HistoryBuilder {
      const h = new HistoryBuilder();
      h.invoke(1, 'write', 'r', 'a');
      h.invoke(2, 'write', 'r', 'b');
      h.ok(2, 'b', { zxid: '0x10' });
      h.ok(1, 'a', { zxid: '0x11' }); // leader applied b first
      h.read(3, 'r', 'b', '0x10'); // stale
      h.read(3, 'r', 'a', '0x11');
      h.read(4, 'r', null);
      h.cas(4, 'r', 'b', 'c', 'fail');
      h.cas(4, 'r', 'a', 'c', 'ok', '0x12');
      h.write(5, 'r', 'd', 'info'); // never observed: dropped
      h.write(1, 'r', 'e', 'info'); // observed below
      h.read(3, 'r', 'e', '0x20');
      return h;
    }

    it('proves a valid key without searching, and agrees with the search', () => {
      const ops = zxidHistory().ops();
      const fast = check(ops);
      expect(fast.validity).toBe('valid');
      expect(fast.stats).toMatchObject({ witnessKeys: 1, searchedKeys: 0 });
      const slow = check(stripZxids(ops));
      expect(slow.validity).toBe('valid');
      expect(slow.stats).toMatchObject({ witnessKeys: 0, searchedKeys: 1 });
    });

    it('uses an unobserved indeterminate write to explain a failed cas', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'a', 'ok', '0x1');
      h.write(3, 'r', 'x', 'info'); // took effect (unobserved): that is why the cas failed
      h.cas(2, 'r', 'a', 'c', 'fail');
      h.write(1, 'r', 'b', 'ok', '0x3');
      h.read(2, 'r', 'b', '0x3');
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('valid');
      expect(verdict.stats).toMatchObject({ witnessKeys: 1, searchedKeys: 0 });
      expect(check(stripZxids(h.ops())).validity).toBe('valid');
    });

    it('does not trust lying zxids: falls back to the search', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'a', 'ok', '0x2');
      h.write(1, 'r', 'b', 'ok', '0x1'); // zxid order contradicts real time
      h.read(2, 'r', 'b', '0x1');
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('valid');
      expect(verdict.stats).toMatchObject({ witnessKeys: 0, searchedKeys: 1 });
    });

    it('still finds an anomaly when zxids are present', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'a', 'ok', '0x1');
      h.write(1, 'r', 'b', 'ok', '0x2');
      h.read(2, 'r', 'b', '0x2');
      h.read(2, 'r', 'a', '0x1');
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(check(stripZxids(h.ops())).validity).toBe('invalid');
    });
  });
});
