import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import type { Operation } from '../../harness/history/types.ts';
import { HistoryBuilder } from './history-builder.ts';

/**
 * ZooKeeper's session guarantee across keys: once a session's update on any key is acknowledged,
 * its later reads, of any key, reflect every write acknowledged before that update was invoked.
 */
describe('a session\'s reads follow its own updates on other keys', () => {
  describe('set keys', () => {
    it('flags a read-set missing an add acknowledged before the session\'s own write on a register', () => {
      const h = new HistoryBuilder();
      const a = h.add(1, 's', 'a');
      const own = h.write(2, 'r', 'x'); // invoked after the add was acknowledged: ordered after it
      const r = h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 's', element: 'a', ops: [a, own, r] })]);
      expect(verdict.anomalies[0]?.explanation).toContain(`own write ${own} (process 2, ok) on key "r" was invoked`);
    });

    it('flags a read-set missing an add acknowledged before the session\'s own cas, refused by its version, on a register', () => {
      const h = new HistoryBuilder();
      const a = h.add(1, 's', 'a');
      const refused = h.cas(2, 'r', 'v', 'w', 'fail'); // BAD_VERSION: an error transaction, ordered after the add
      const r = h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 's', element: 'a', ops: [a, refused, r] })]);
      expect(verdict.anomalies[0]?.explanation).toContain(`own cas ${refused} (process 2, fail) on key "r" was invoked (refused by its version`);
    });

    it('accepts the same read-set after a cas that failed before it was compared, or one concurrent with the add', () => {
      for (const error of ['CONNECTION_LOSS', 'NOT_CONNECTED']) {
        const h = new HistoryBuilder();
        h.add(1, 's', 'a');
        h.cas(2, 'r', 'v', 'w', 'fail', undefined, error); // never a transaction: binds nothing
        h.readSet(2, 's', []);
        h.readSet(3, 's', ['a']);
        // (unknown, not valid: a register whose one operation failed uncompared decides nothing)
        expect(check(h.ops()).anomalies, error).toEqual([]);
      }
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.cas(2, 'r', 'v', 'w', 'fail'); // overlaps the add: the refusal may be ordered first
      h.ok(1);
      h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('holds a read of the refused cas\'s own key to it when that key\'s check leaves the refusal out', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      const y = h.write(1, 'r', 'y');
      h.write(2, 'q', 'a'); // invoked after y was acknowledged: the session's view holds y
      h.write(3, 'r', 'z', 'info');
      h.write(4, 'r', 'z', 'info'); // z may be written twice: the refusal says nothing of r's value
      const refused = h.cas(2, 'r', 'z', 'w', 'fail');
      const stale = h.read(2, 'r', 'x');
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'y', ops: [y, refused, stale] })]);
    });

    it('flags one missing an add acknowledged before the session\'s own add on another set', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.add(2, 't', 'b');
      h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      h.readSet(3, 't', ['b']);
      expect(check(h.ops()).anomalies.map((x) => x.type)).toEqual(['stale-read-in-session']);
    });

    it('accepts one missing an add concurrent with the session\'s own write', () => {
      const h = new HistoryBuilder();
      h.invoke(1, 'add', 's', 'a');
      h.write(2, 'r', 'x'); // overlaps the add: the write may be ordered first
      h.ok(1);
      h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('takes an acknowledged cas as an anchor', () => {
      const h = new HistoryBuilder();
      h.write(2, 'r', 'x');
      h.add(1, 's', 'a');
      h.cas(2, 'r', 'x', 'y');
      h.readSet(2, 's', []);
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).anomalies.map((x) => [x.type, x.key])).toEqual([['stale-read-in-session', 's']]);
    });

    it('takes no anchor from a failed or indeterminate update, nor from another session, in any order given', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.write(2, 'r', 'x', 'fail');
      h.readSet(2, 's', []);
      h.write(4, 'r', 'y', 'info');
      h.write(1, 'r', 'z');
      h.readSet(5, 's', []);
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).validity).toBe('valid');
      expect(check(h.ops().reverse()).validity).toBe('valid');
    });
  });

  describe('register keys', () => {
    it('flags a read of a value overwritten before the session\'s own add on a set', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      const y = h.write(1, 'r', 'y');
      const own = h.add(2, 's', 'a'); // invoked after y was acknowledged
      const r = h.read(2, 'r', 'x');
      h.readSet(3, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'y' })]);
      expect(verdict.anomalies[0]?.ops).toEqual(expect.arrayContaining([y, own, r]));
      expect(verdict.anomalies[0]?.explanation).toContain(`own add ${own} (process 2, ok) on key "s" was invoked`);
    });

    it('leaves a read after the session\'s own later write of the key to the key\'s own rules', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.add(2, 's', 'a');
      const z = h.write(2, 'r', 'z'); // later than the add, and held to by the key's own checks
      const r = h.read(2, 'r', 'x');
      h.readSet(3, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r' })]);
      expect(verdict.anomalies[0]?.ops).toEqual(expect.arrayContaining([z, r]));
      expect(verdict.anomalies[0]?.explanation).toContain('a session never goes back in time');
    });

    it('flags a read of absent after a write acknowledged before the session\'s own write elsewhere', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      h.write(2, 'q', 'v');
      h.read(2, 'r', null);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'x' })]);
    });

    it('reports a session that went back once, not at each later read', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.add(2, 's', 'a');
      h.read(2, 'r', 'x');
      h.read(2, 'r', 'x');
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).anomalies).toHaveLength(1);
    });

    it('accepts the same stale read without the anchor (reads of other sessions may lag)', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.read(2, 'r', 'x');
      h.add(2, 's', 'a'); // after the read: no anchor for it
      h.readSet(3, 's', ['a']);
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('accepts a value whose writer may follow the anchor\'s predecessors', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      h.invoke(3, 'write', 'r', 'y');
      h.write(2, 'q', 'v');
      h.ok(3);
      h.read(2, 'r', 'x'); // y overlaps the anchor: x may still be current at the session's member
      expect(check(h.ops()).validity).toBe('valid');
    });
  });

  describe('what a session read elsewhere', () => {
    it('flags a read-set missing an add acknowledged before a write the session saw on a register', () => {
      const h = new HistoryBuilder();
      const a = h.add(1, 's', 'a');
      const x = h.write(3, 'r', 'x'); // invoked after the add was acknowledged
      const saw = h.read(2, 'r', 'x'); // the session's member had applied x, so also the add
      const r = h.readSet(2, 's', []);
      h.readSet(4, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 's', element: 'a', ops: [a, x, saw, r] })]);
      expect(verdict.anomalies[0]?.explanation).toContain(`write ${x} (process 3, ok) on key "r" was invoked, a write the same session had seen in its read ${saw} (process 2, ok)`);
    });

    it('flags a read gone back behind the write of the value the session\'s acknowledged cas expected', () => {
      const h = new HistoryBuilder();
      const cas = h.invoke(2, 'cas', 'r', ['v', 'w']); // invoked before the add completed: its own invoke binds nothing
      const a = h.add(1, 's', 'a');
      const v = h.write(3, 'r', 'v'); // invoked after the add was acknowledged
      h.ok(2); // compared with v: its member applied the cas, so v and the add before it
      const r = h.readSet(2, 's', []);
      h.readSet(4, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.validity).toBe('invalid');
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 's', element: 'a', ops: [cas, a, v, r] })]);
      expect(verdict.anomalies[0]?.explanation).toContain(`write ${v} (process 3, ok) on key "r" was invoked, a write the same session had seen in its cas ${cas} (process 2, ok)`);
      // A cas from absent, or refused by its version, saw no write: nothing binds beyond its own invoke.
      for (const [expected, outcome] of [[null, 'ok'], ['v', 'fail']] as const) {
        const g = new HistoryBuilder();
        g.invoke(2, 'cas', 'r', [expected, 'w'] as string[]); // a cas from absent holds a null (as HistoryBuilder.cas)
        g.add(1, 's', 'a');
        g.write(3, 'r', 'v');
        if (outcome === 'ok') g.ok(2);
        else g.fail(2, { error: 'BAD_VERSION' });
        g.readSet(2, 's', []);
        g.readSet(4, 's', ['a']);
        expect(check(g.ops()).anomalies.filter((x) => x.type === 'stale-read-in-session'), `${expected} ${outcome}`).toEqual([]);
      }
    });

    it('flags a register read gone back behind an element the session saw in a set', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      const y = h.write(1, 'r', 'y');
      const b = h.add(3, 's', 'b'); // invoked after y was acknowledged
      const saw = h.readSet(2, 's', ['b']);
      const r = h.read(2, 'r', 'x');
      h.readSet(4, 's', ['b']);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'y' })]);
      expect(verdict.anomalies[0]?.ops).toEqual(expect.arrayContaining([y, b, saw, r]));
    });

    it('takes the latest-invoked of the elements a read-set saw, and an indeterminate add as seen', () => {
      const h = new HistoryBuilder();
      h.add(1, 's', 'a');
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.invoke(3, 'add', 's', 'b'); // never acknowledged, yet the session saw it
      h.readSet(2, 's', ['a', 'b']);
      h.read(2, 'r', 'x');
      h.readSet(4, 's', ['a', 'b']);
      expect(check(h.ops()).anomalies.map((x) => [x.type, x.key])).toEqual([['stale-read-in-session', 'r']]);
    });

    it('takes the earliest of the writes of a repeated value: any of them may be the one seen', () => {
      const h = new HistoryBuilder();
      h.write(3, 'q', 'v'); // the earliest write of v
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.write(3, 'q', 'v'); // a later write of the same value
      h.read(2, 'q', 'v');
      h.read(2, 'r', 'x');
      expect(check(h.ops()).validity).toBe('valid');
    });

    it('takes nothing from absent, a failed writer, a writer invoked after the read, or another session', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.write(3, 'q', 'v', 'fail');
      h.read(2, 'q', null);
      h.read(2, 'q', 'v'); // a failed write's value: its own key's anomaly, no anchor here
      h.read(2, 'p', 'u'); // a value from the future: its own key's anomaly, no anchor here
      h.write(7, 'p', 'u');
      h.read(2, 'r', 'x');
      h.write(4, 'p', 'w');
      h.read(5, 'p', 'w');
      h.read(6, 'r', 'x');
      const verdict = check(h.ops());
      expect(verdict.anomalies.map((x) => x.key).sort()).toEqual(['p', 'q']);
    });

    it('keeps the latest bound when a later read saw an older write', () => {
      const h = new HistoryBuilder();
      h.write(3, 'q', 'v'); // old: invoked before everything below
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.add(2, 's', 'a'); // invoked after y was acknowledged: the bound
      h.read(2, 'q', 'v'); // brings only v's predecessors: the add still binds
      h.read(2, 'r', 'x');
      h.readSet(4, 's', ['a']);
      expect(check(h.ops()).anomalies.map((x) => [x.type, x.key])).toEqual([['stale-read-in-session', 'r']]);
    });

    it('asks of a read the earliest-acknowledged write it cannot follow', () => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'x');
      const y = h.write(1, 'r', 'y');
      const own = h.add(2, 's', 'a'); // invoked after y was acknowledged, before z was
      h.write(1, 'r', 'z');
      const r = h.read(2, 'r', 'x');
      h.readSet(3, 's', ['a']);
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'y' })]);
      expect(verdict.anomalies[0]?.ops).toEqual(expect.arrayContaining([y, own, r]));
    });

    it('asks nothing of a write acknowledged at the very time the anchor was invoked', () => {
      const op = (id: number, process: number, key: string, f: Operation['f'], value: string | null, invokeTime: number, completeTime: number): Operation =>
        ({ id, process, key, f, input: f === 'read' ? null : value, output: value, outcome: 'ok', invokeTime, completeTime });
      const ops = [
        op(0, 1, 'r', 'write', 'x', 0, 5),
        op(1, 1, 'r', 'write', 'y', 6, 10),
        op(2, 2, 'q', 'write', 'v', 10, 12), // invoked when y was acknowledged: either may come first
        op(3, 2, 'r', 'read', 'x', 13, 14),
      ];
      expect(check(ops).validity).toBe('valid');
      ops[2] = op(2, 2, 'q', 'write', 'v', 11, 12);
      expect(check(ops).validity).toBe('invalid');
    });

    it('leaves a read of the key the session read before to the key\'s own rules', () => {
      const h = new HistoryBuilder();
      h.write(3, 'q', 'v');
      h.write(1, 'r', 'x');
      h.write(1, 'r', 'y');
      h.read(2, 'q', 'v');
      h.read(2, 'r', 'y'); // y was invoked after v: this read's bound is the session's latest
      const back = h.read(2, 'r', 'x'); // behind the session's own read of r: the key's own rule says so
      const verdict = check(h.ops());
      expect(verdict.anomalies).toEqual([expect.objectContaining({ key: 'r', ops: expect.arrayContaining([back]) })]);
      expect(verdict.anomalies[0]?.explanation).toContain('never goes back in time');
    });
  });

  describe('two sessions whose views cross', () => {
    const op = (id: number, process: number, key: string, f: Operation['f'], value: string | string[] | null, invokeTime: number, completeTime: number): Operation =>
      ({ id, process, key, f, input: f === 'read' || f === 'read-set' ? null : value, output: value, outcome: 'ok', invokeTime, completeTime, ...(f === 'read' || f === 'read-set' ? { final: false } : {}) });

    it('flags each seeing its own concurrent write but not the other\'s, on different keys', () => {
      const ops = [
        op(0, 1, 's', 'add', 'x', 7, 19),
        op(1, 2, 'r', 'write', 'a', 7, 19), // concurrent with the add: either may come first, not both
        op(2, 1, 'r', 'read', null, 20, 21), // after its own add, without a
        op(3, 2, 's', 'read-set', [], 21, 28), // after its own write, without x
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'skipped-write', ops: [0, 1, 2, 3] })]);
      expect(verdict.anomalies[0]?.explanation).toContain('read 2 (process 1, ok) on key "r" shows a state from before write 1 (process 2, ok)');
    });

    it('flags it when one of the reads is a final read that lost nothing (final or not, a read has a view)', () => {
      for (const [key, f, value] of [['r', 'read', null], ['s', 'read-set', []]] as [string, Operation['f'], string[] | null][]) {
        const ops = [
          op(0, 1, 's', 'add', 'x', 7, 19),
          op(1, 2, 'r', 'write', 'a', 7, 19),
          op(2, 1, 'r', 'read', null, 20, 21),
          op(3, 2, 's', 'read-set', [], 21, 28),
        ];
        // The read of `key` made final: invoked before the write it misses was acknowledged, it lost nothing.
        const at = key === 'r' ? 2 : 3;
        ops[at] = { ...ops[at]!, final: true, invokeTime: 18, output: value };
        expect(ops[at]!.f).toBe(f);
        const verdict = check(ops);
        expect(verdict.anomalies, key).toEqual([expect.objectContaining({ type: 'skipped-write', ops: [0, 1, 2, 3] })]);
      }
    });

    it('flags three sessions whose views order their concurrent writes in a cycle, with no two crossing', () => {
      const ops = [
        op(0, 1, 's', 'add', 'x', 7, 19),
        op(1, 2, 'r', 'write', 'a', 7, 19),
        op(2, 3, 'q', 'write', 'b', 7, 19), // all three concurrent: any order of them is possible, but one order
        op(3, 1, 'r', 'read', null, 20, 21), // x before a
        op(4, 2, 'q', 'read', null, 20, 21), // a before b
        op(5, 3, 's', 'read-set', [], 21, 28), // b before x
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'skipped-write', ops: [0, 1, 2, 3, 4, 5] })]);
      expect(verdict.anomalies[0]?.explanation).toContain('(add 0 (process 1, ok) before write 1 (process 2, ok) before write 2 (process 3, ok) before add 0 (process 1, ok))');
      expect(check([...ops].reverse()).anomalies).toEqual(verdict.anomalies);
      // Any one view seeing the next session's write breaks the cycle.
      ops[4] = op(4, 2, 'q', 'read', 'b', 20, 21);
      expect(check(ops).validity).not.toBe('invalid');
    });

    it('counts a session\'s own update as its own when the anchor came through a read that saw it', () => {
      const ops = [
        op(0, 1, 's', 'add', 'y', 0, 9),
        op(1, 2, 'q', 'write', 'a', 1, 9),
        op(2, 1, 's', 'read-set', ['y'], 10, 11), // sees its own add: the anchor is now this read's
        op(3, 1, 'q', 'read', null, 12, 13), // y before a
        op(4, 2, 's', 'read-set', [], 10, 13), // a before y
      ];
      expect(check(ops).anomalies).toEqual([expect.objectContaining({ type: 'skipped-write', ops: [0, 1, 3, 4] })]);
    });

    it('flags it when the write in one view is another session\'s, seen by an earlier read', () => {
      const ops = [
        op(0, 3, 'r', 'write', 'v', 0, 5),
        op(1, 2, 'q', 'write', 'm', 1, 9), // concurrent with the write of v
        op(2, 1, 'r', 'read', 'v', 6, 7), // session 1 has seen v: its later views hold that write
        op(3, 1, 'q', 'read', null, 10, 11), // v before m
        op(4, 2, 'r', 'read', null, 10, 12), // m before v
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'skipped-write', ops: [0, 1, 3, 4] })]);
      expect(verdict.anomalies[0]?.explanation).toContain(`its session's read 2 (process 1, ok) had seen 'v' on key "r", which write 0 (process 3, ok) wrote`);
      ops[4] = op(4, 2, 'r', 'read', 'v', 10, 12);
      expect(check(ops).validity).not.toBe('invalid');
    });

    it('flags it through a value written twice, whichever of its writes the view holds', () => {
      const ops = [
        op(0, 3, 'r', 'write', 'v', 0, 5), // the earliest writer of v: the one the checker names
        op(1, 4, 'r', 'write', 'v', 2, 6), // the view may hold this one instead; neither is in the other view
        op(2, 2, 'q', 'write', 'm', 1, 9),
        op(3, 1, 'r', 'read', 'v', 7, 8),
        op(4, 1, 'q', 'read', null, 10, 11),
        op(5, 2, 'r', 'read', null, 10, 12), // lacks both writes of v
      ];
      expect(check(ops).anomalies).toEqual([expect.objectContaining({ type: 'skipped-write', ops: [0, 2, 4, 5] })]);
    });

    it('accepts it when one of the two sees the other\'s write', () => {
      const ops = [
        op(0, 1, 's', 'add', 'x', 7, 19),
        op(1, 2, 'r', 'write', 'a', 7, 19),
        op(2, 1, 'r', 'read', null, 20, 21),
        op(3, 2, 's', 'read-set', ['x'], 21, 28), // the add came first
      ];
      expect(check(ops).validity).not.toBe('invalid');
    });
  });

  describe('a write known applied before it was acknowledged, or without being acknowledged', () => {
    type Extra = Partial<Operation>;
    // A cas's value is [expected, new], and expected may be null (absent).
    type Value = string | null | (string | null)[];
    const op = (id: number, process: number, key: string, f: Operation['f'], value: Value, invokeTime: number, completeTime: number, extra: Extra = {}): Operation => {
      const v = value as Operation['input'];
      return { id, process, key, f, input: f === 'read' || f === 'read-set' ? null : v, output: v, outcome: 'ok', invokeTime, completeTime, ...extra };
    };
    const info: Extra = { outcome: 'info', completeTime: Infinity, output: null };

    it('flags a read missing an unacknowledged cas that an earlier read of another session returned', () => {
      const ops = [
        op(0, 4, 'r', 'cas', [null, 'b'], 150, 0, info), // never acknowledged
        op(1, 6, 'r', 'read', 'b', 260, 290), // but applied by 290: the members apply committed writes only
        op(2, 6, 's', 'add', 'x', 350, 420),
        op(3, 3, 's', 'read-set', ['x'], 360, 470), // saw x, invoked after 290
        op(4, 3, 'r', 'read', null, 490, 500), // so its view holds the cas
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'b', ops: [0, 1, 2, 3, 4] })]);
      expect(verdict.anomalies[0]!.explanation).toContain(`misses cas 0 (process 4, info) of 'b', shown applied when read 1 (process 6, ok) completed (it returned 'b'`);
      // Had the read of b come after the add was invoked, the cas may have followed the add.
      expect(check(ops.map((o) => (o.id === 1 ? { ...o, invokeTime: 360, completeTime: 380 } : o))).validity).not.toBe('invalid');
      // Had another op written b too, the read of b may have seen that one.
      expect(check([...ops, op(5, 7, 'r', 'write', 'b', 600, 610)]).validity).not.toBe('invalid');
    });

    it('flags a read missing a write that an acknowledged cas required, itself seen before its acknowledgment', () => {
      const ops = [
        op(0, 4, 'q', 'read', 'c', 130, 270), // c: the cas applied by 270, so the write of a before it
        op(1, 6, 'q', 'write', 'a', 190, 300),
        op(2, 2, 'q', 'cas', ['a', 'c'], 210, 290),
        op(3, 5, 'r', 'write', 'a', 280, 350), // the session's own write, invoked after 270
        op(4, 5, 'q', 'read', null, 420, 430),
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'q', element: 'a', ops: [0, 1, 3, 4] })]);
      expect(verdict.anomalies[0]!.explanation).toContain('misses write 1 (process 6, ok) of \'a\', shown applied when read 0 (process 4, ok) completed');
      // With its own write invoked before 270, the session's view may precede them all.
      expect(check(ops.map((o) => (o.id === 3 ? { ...o, invokeTime: 260 } : o))).validity).toBe('valid');
    });

    it('flags a read-set missing an element an earlier read-set showed, though its add was never acknowledged', () => {
      const ops = [
        op(0, 1, 's', 'add', 'x', 10, 0, info),
        op(1, 2, 's', 'read-set', ['x'], 20, 30, { final: false }), // x applied by 30
        op(2, 3, 'r', 'write', 'v', 40, 50), // invoked after: ordered after x
        op(3, 3, 's', 'read-set', [], 60, 70, { final: false }),
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 's', element: 'x', ops: [0, 1, 2, 3] })]);
      expect(verdict.anomalies[0]!.explanation).toContain(`lacks 'x', added by add 0 (process 1, info), which was shown applied when read-set 1 (process 2, ok) completed (it showed the element)`);
      expect(check(ops.map((o) => (o.id === 2 ? { ...o, invokeTime: 25 } : o))).anomalies).toEqual([]);
    });

    it('flags a read of a value that a cas applied before the anchor wrote over, though the cas was invoked before the value was applied', () => {
      const ops = [
        op(0, 1, 'r', 'write', 'a', 0, 10),
        op(1, 3, 'r', 'cas', ['a', 'b'], 5, 20), // invoked before a was applied, but required it: after it
        op(2, 2, 'q', 'write', 'x', 30, 40),
        op(3, 2, 'r', 'read', 'a', 50, 60),
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'b', ops: [1, 2, 3] })]);
      expect(verdict.anomalies[0]!.explanation).toContain(`misses cas 1 (process 3, ok) of 'b', which required 'a' and wrote over it, acknowledged before`);
      // A second writer of a: the read may show that one, after the cas.
      expect(check([...ops, op(4, 4, 'r', 'write', 'a', 25, 26)]).validity).not.toBe('invalid');
      // The anchor invoked before the cas was acknowledged: the view may precede it.
      expect(check(ops.map((o) => (o.id === 2 ? { ...o, invokeTime: 15 } : o))).validity).not.toBe('invalid');
    });

    it('passes a time known for a cas down a chain of cas ops, each requiring the value of the one before', () => {
      const ops = [
        op(0, 1, 'r', 'write', 'a', 0, 100),
        op(1, 3, 'r', 'cas', ['a', 'b'], 1, 100),
        op(2, 4, 'r', 'cas', ['b', 'c'], 2, 10), // acknowledged at 10: b before it, and a before b
        op(3, 2, 'q', 'write', 'x', 30, 40),
        op(4, 2, 'r', 'read', null, 50, 60),
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 'r', element: 'a', ops: [0, 2, 3, 4] })]);
      expect(verdict.anomalies[0]!.explanation).toContain(
        `misses write 0 (process 1, ok) of 'a', shown applied when cas 2 (process 4, ok) completed (it required the value of that write, directly or through cas ops each requiring the value of the one before)`,
      );
      expect(check(ops.map((o) => (o.id === 2 ? { ...o, input: ['z', 'c'], output: ['z', 'c'] } : o))).anomalies.map((a) => a.type)).not.toContain('stale-read-in-session');
    });

    it('counts an element shown by a read-set before any add of it was acknowledged, when it was added twice', () => {
      const ops = [
        op(0, 1, 's', 'add', 'x', 0, 50),
        op(1, 4, 's', 'add', 'x', 5, 0, info),
        op(2, 2, 's', 'read-set', ['x'], 6, 12, { final: false }), // x applied by 12, by one of its adds
        op(3, 3, 'r', 'write', 'v', 20, 25),
        op(4, 3, 's', 'read-set', [], 30, 35, { final: false }), // lacks every add of x
      ];
      const verdict = check(ops);
      expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', key: 's', element: 'x' })]);
      expect(verdict.anomalies[0]!.explanation).toContain(`added by add 0 (process 1, ok), which was shown applied when read-set 2 (process 2, ok) completed (it showed the element)`);
      // Shown only after the anchor was invoked: nothing known before it.
      expect(check(ops.map((o) => (o.id === 2 ? { ...o, completeTime: 22 } : o))).anomalies).toEqual([]);
    });

    it('of elements one read showed first, names the one acknowledged first, as it names elements by acknowledgment', () => {
      const ops = [
        op(0, 1, 's', 'add', 'a', 0, 0, info),
        op(1, 2, 's', 'add', 'b', 1, 70),
        op(2, 3, 's', 'add', 'c', 2, 60),
        op(3, 4, 's', 'read-set', ['a', 'b'], 10, 20, { final: false }), // a and b known added by 20
        op(4, 5, 'r', 'write', 'w', 30, 40),
        op(5, 5, 's', 'read-set', [], 45, 50, { final: false }),
        op(6, 6, 's', 'read-set', ['a', 'b', 'c'], 100, 110, { final: true }),
      ];
      expect(check(ops).anomalies).toEqual([expect.objectContaining({ type: 'stale-read-in-session', element: 'b', ops: [1, 3, 4, 5] })]);
    });

    it('takes no acknowledgment from the completion time of an indeterminate op given with one', () => {
      const ops = [
        op(0, 1, 'r', 'write', 'a', 0, 5),
        op(1, 3, 'r', 'cas', ['a', 'b'], 1, 12, { outcome: 'info', output: null }), // a time, but no acknowledgment
        op(2, 4, 'r', 'read', 'b', 3, 50), // b applied by 50 only
        op(3, 2, 'q', 'write', 'x', 20, 25),
        op(4, 2, 'r', 'read', 'a', 30, 35), // the cas may have been applied at 45
      ];
      expect(check(ops).anomalies).toEqual([]);
    });

    it('orders a cas after the write whose value it required, though they overlap: two sessions seeing them both ways fork', () => {
      const ops = [
        op(0, 3, 'r', 'cas', [null, 'v0'], 50, 130),
        op(1, 4, 'q', 'write', 'v2', 80, 190),
        op(2, 5, 'r', 'cas', ['v0', 'v4'], 110, 180), // required v0: after cas 0, whatever real time says
        op(3, 5, 'q', 'read', null, 220, 290), // its session's own cas 2, without v2: cas 2 before v2
        op(4, 4, 'r', 'read', 'v0', 230, 240), // its session's own v2, without cas 2: v2 before cas 2
      ];
      expect(check(ops).anomalies).toEqual([expect.objectContaining({ type: 'skipped-write' })]);
      // One view holding both: no fork.
      expect(check(ops.map((o) => (o.id === 4 ? { ...o, output: 'v4' } : o))).validity).toBe('valid');
    });
  });

  it('asks nothing of a read without an anchor, at negative times too', () => {
    const op = (id: number, process: number, f: 'write' | 'read', value: string, invokeTime: number): Operation =>
      ({ id, process, key: 'r', f, input: f === 'read' ? null : value, output: value, outcome: 'ok', invokeTime, completeTime: invokeTime + 5 });
    // A stale read by a session that wrote nothing: ZooKeeper allows it, whatever the clock's zero.
    expect(check([op(0, 1, 'write', 'x', -100), op(1, 1, 'write', 'y', -80), op(2, 2, 'read', 'x', -50)]).validity).toBe('valid');
  });

  it('finds the same anomalies whatever the order of the operations given', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.write(1, 'r', 'x');
    h.write(1, 'r', 'y');
    h.write(2, 'q', 'v');
    h.readSet(2, 's', []);
    h.read(2, 'r', 'x');
    h.readSet(3, 's', ['a']);
    const ops = h.ops();
    const inOrder = check(ops).anomalies;
    expect(inOrder.map((a) => a.key).sort()).toEqual(['r', 's']);
    expect(check([...ops].reverse()).anomalies).toEqual(inOrder);
  });
});
