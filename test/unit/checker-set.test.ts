import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import type { Operation } from '../../harness/history/types.ts';
import { HistoryBuilder } from './history-builder.ts';

const types = (h: HistoryBuilder): string[] => check(h.ops()).anomalies.map((a) => a.type);

describe('set keys', () => {
  it('accepts acknowledged adds that every later read shows', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.add(2, 's', 'b');
    h.readSet(3, 's', ['a', 'b']);
    h.add(1, 's', 'c');
    h.readSet(3, 's', ['a', 'b', 'c']);
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('valid');
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.stats).toMatchObject({ operations: 5, keys: 1, setKeys: 1, byOutcome: { ok: 5, fail: 0, info: 0 }, byFunction: { add: 3, 'read-set': 2 } });
  });

  describe('lost', () => {
    it('flags an acknowledged add missing from the final read, naming the element', () => {
      const h = new HistoryBuilder();
      const a = h.add(1, 's', 'a');
      const b = h.add(2, 's', 'b');
      const final = h.readSet(3, 's', ['b']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toHaveLength(1);
      const [lost] = verdict.anomalies;
      expect(lost).toMatchObject({ type: 'lost', key: 's', element: 'a', ops: [a, final] });
      expect(lost?.explanation).toContain("'a'");
      expect(lost?.explanation).toContain(`add ${a}`);
      expect(lost?.explanation).toContain(`read-set ${final}`);
      expect(b).toBeGreaterThan(a);
    });

    it('does not require an add that completed after the final read was invoked', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.invoke(2, 'read-set', 's');
      h.events.at(-1)!.final = true;
      h.ok(1);
      h.ok(2, []);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('takes no read invoked before an add completed as final (unknown, not valid)', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.invoke(2, 'read-set', 's');
      h.ok(1);
      h.ok(2, []);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('unknown');
      expect(verdict.unknownKeys[0]?.reason).toContain('no read-set of it succeeded after every add on it completed');
    });
  });

  describe('indeterminate adds', () => {
    it('accepts an indeterminate add that is present', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a', 'info');
      h.add(2, 's', 'b', 'invoke'); // never completes
      h.readSet(3, 's', ['a', 'b']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('accepts an indeterminate add that is absent', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a', 'info');
      h.add(2, 's', 'b', 'invoke');
      h.readSet(3, 's', []);
      h.readSet(3, 's', []);
      expect(check(h.ops()).validity).toBe('valid');
    });
  });

  describe('failed-add-present', () => {
    it('flags a failed add that a read shows', () => {
      const h = new HistoryBuilder();
      const a = h.add(1, 's', 'a', 'fail');
      const r = h.readSet(2, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'failed-add-present', element: 'a', ops: [a, r] })]);
    });

    it('accepts a failed add that no read shows', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a', 'fail');
      h.readSet(2, 's', []);
      expect(types(h)).toEqual([]);
    });
  });

  describe('unexpected-element', () => {
    it('flags an element nobody added', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      const r = h.readSet(2, 's', ['a', 'ghost']);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'unexpected-element', element: 'ghost', ops: [r] })]);
    });

    it('does not take an element of another key as added', () => {
      const h = new HistoryBuilder();
      h.add(1, 't', 'a');
      h.readSet(2, 's', ['a']);
      expect(types(h)).toEqual(['unexpected-element']);
    });

    it('accepts elements that were added', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.readSet(2, 's', ['a']);
      expect(types(h)).toEqual([]);
    });
  });

  describe('future-read', () => {
    it('flags an element read before its add was invoked', () => {
      const h = new HistoryBuilder();
      const r = h.readSet(2, 's', ['a']);
      const a = h.add(1, 's', 'a');
      h.readSet(2, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'future-read', element: 'a', ops: [r, a] })]);
    });

    it('accepts an element read while its add is in flight', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.readSet(2, 's', ['a']);
      h.ok(1);
      expect(types(h)).toEqual([]);
    });
  });

  describe('stale-read-in-session', () => {
    it('accepts a stale read by another session (followers may lag)', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.readSet(2, 's', []); // after the add completed: stale, but another session
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('flags a session whose read goes back in time', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      const first = h.readSet(2, 's', ['a']);
      const second = h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toHaveLength(1);
      const [stale] = verdict.anomalies;
      expect(stale).toMatchObject({ type: 'stale-read-in-session', element: 'a', ops: [first, second] });
      expect(stale?.explanation).toContain(`already saw in read-set ${first}`);
    });

    it('flags a session that does not read its own add', () => {
      const h = new HistoryBuilder();
      const own = h.add(2, 's', 'a');
      const r = h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).anomalies).toEqual([
        expect.objectContaining({ type: 'stale-read-in-session', element: 'a', ops: [own, r] }),
      ]);
    });

    it('flags a read missing an add ordered before the session\'s own last add', () => {
      const h = new HistoryBuilder();
      const a = h.add(1, 's', 'a');
      const own = h.add(2, 's', 'b'); // invoked after a completed: b is after a in the leader's order
      const r = h.readSet(2, 's', ['b']);
      h.readSet(3, 's', ['a', 'b']);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([
        expect.objectContaining({ type: 'stale-read-in-session', element: 'a', ops: [a, own, r] }),
      ]);
      expect(verdict.anomalies[0]?.explanation).toContain(`own add ${own}`);
    });

    // A second add of b, in flight from the start, lets the reads show b early without a fork.
    it('flags a read missing an element another session\'s read showed before the session\'s own last add', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a'); // never acknowledged, but shown: it was committed
      h.invoke(5, 'add', 's', 'b');
      const shown = h.readSet(3, 's', ['a', 'b']);
      const own = h.add(2, 's', 'b'); // invoked after the read completed: ordered after a
      const r = h.readSet(2, 's', ['b']);
      h.info(1);
      h.info(5);
      h.readSet(4, 's', ['a', 'b']);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([
        expect.objectContaining({ type: 'stale-read-in-session', element: 'a', ops: [shown, own, r] }),
      ]);
      expect(verdict.anomalies[0]?.explanation).toContain(`which read-set ${shown} (process 3, ok) showed, completing before this session's own add ${own} (of 'b') was invoked`);
    });

    it('accepts a read missing an element shown only while the session\'s own add was in flight', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.invoke(5, 'add', 's', 'b');
      h.invoke(2, 'add', 's', 'b'); // invoked before any read showed a: it may be ordered first
      h.readSet(3, 's', ['a', 'b']);
      h.ok(2);
      h.readSet(2, 's', ['b']);
      h.info(1);
      h.info(5);
      h.readSet(4, 's', ['a', 'b']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('accepts a read missing an add concurrent with the session\'s own add', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.add(2, 's', 'b'); // overlaps a: b may be ordered before a
      h.ok(1);
      h.readSet(2, 's', ['b']);
      h.readSet(3, 's', ['a', 'b']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('reports each missing element once per session, carrying it forward', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.add(1, 's', 'b');
      h.readSet(2, 's', ['a', 'b']);
      h.readSet(2, 's', ['b']);
      h.readSet(2, 's', ['b']);
      h.readSet(2, 's', []);
      h.readSet(3, 's', ['a', 'b']);
      const anomalies = check(h.ops()).anomalies;
      expect(anomalies.map((a) => [a.type, a.element])).toEqual([
        ['stale-read-in-session', 'a'],
        ['stale-read-in-session', 'b'],
      ]);
    });

    it('never requires an indeterminate add, but keeps what the session saw', () => {
      const h = new HistoryBuilder();
      h.add(2, 's', 'a', 'info');
      h.readSet(3, 's', []);
      h.readSet(3, 's', ['a']);
      h.readSet(3, 's', []);
      h.readSet(4, 's', ['a']); // the final read
      expect(types(h)).toEqual(['stale-read-in-session']);
    });
  });

  describe('forks: the set only grows, so of any two reads one holds what the other shows', () => {
    it('flags two sessions that each see their own add but not the other\'s', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.invoke(2, 'add', 's', 'b'); // concurrent: either may come first, not both
      h.ok(1);
      h.ok(2);
      const onlyA = h.readSet(1, 's', ['a']);
      const onlyB = h.readSet(2, 's', ['b']);
      h.readSet(3, 's', ['a', 'b']); // the final read
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'skipped-write', element: 'a', ops: [0, 1, onlyA, onlyB] })]);
      expect(verdict.anomalies[0]?.explanation).toContain(`read-set ${onlyA} (process 1) shows 'a' but lacks 'b', and read-set ${onlyB} (process 2) shows 'b' but lacks 'a'`);
    });

    it('accepts reads that lag, each holding the one before', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.add(1, 's', 'b');
      h.readSet(2, 's', ['a', 'b']);
      h.readSet(3, 's', []);
      h.readSet(4, 's', ['a']);
      h.readSet(5, 's', ['a', 'b']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('flags a read holding a session\'s later add without its earlier one, also when the later was invoked at the very time the earlier completed', () => {
      const op = (id: number, process: number, f: 'add' | 'read-set', value: string | string[], invokeTime: number, completeTime: number): Operation =>
        ({ id, process, key: 's', f, input: f === 'add' ? value : null, output: value, outcome: 'ok', invokeTime, completeTime, ...(f === 'read-set' ? { final: false } : {}) });
      const ops = (xInvoked: number, xProcess = 2): Operation[] => [
        op(0, 2, 'add', 'y', 10, 50),
        op(1, xProcess, 'add', 'x', xInvoked, 100),
        op(2, 3, 'read-set', ['x'], 90, 110),
      ];
      for (const xInvoked of [60, 50]) {
        const verdict = check(ops(xInvoked));
        expect(verdict.anomalies, String(xInvoked)).toEqual([expect.objectContaining({ type: 'skipped-write', element: 'y', ops: [0, 1, 2] })]);
      }
      expect(check(ops(50)).anomalies[0]!.explanation).toContain(`whose add 0 (process 2, ok) completed before its own session invoked that add (at the same time)`);
      // Another session's add invoked at that time: the two may have been applied either way.
      expect(check(ops(50, 4)).anomalies).toEqual([]);
      // Also when the session's own add of x is there too: the read may show the other session's.
      for (const outcome of ['ok', 'info'] as const) {
        const twice = [...ops(50), { ...op(3, 4, 'add', 'x', 50, 100), outcome, ...(outcome === 'info' ? { completeTime: Infinity, output: null } : {}) }];
        expect(check(twice).anomalies, outcome).toEqual([]);
      }
    });

    it('counts an element a read repeats once', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.add(1, 's', 'b');
      h.readSet(2, 's', ['a', 'a', 'a']);
      h.readSet(3, 's', ['a', 'b']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('leaves an element no add made to its own rule', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.readSet(2, 's', ['ghost']);
      h.readSet(3, 's', ['a']);
      expect(types(h)).toEqual(['unexpected-element']);
    });
  });

  it('reports a lost element once, not again as stale in the final read', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.readSet(1, 's', []);
    expect(types(h)).toEqual(['lost']);
  });
});
