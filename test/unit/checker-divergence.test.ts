import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { toOperations } from '../../harness/history/parse.ts';
import type { Operation } from '../../harness/history/types.ts';
import { HistoryBuilder } from './history-builder.ts';

/**
 * Members compared after the faults: each member's final reads are made through a session pinned
 * to it, after a marker write, so each sees every committed write. A member whose final read
 * disagrees holds different data; a stale read that is not final is ZooKeeper's right.
 */

/** Marks the read `id` final and names the server that answered it. */
function finalThrough(h: HistoryBuilder, id: number, server: string): void {
  const invoke = h.events.find((e) => e.index === id && e.type === 'invoke')!;
  invoke.final = true;
  const completion = h.events.find((e) => e.index > id && e.process === invoke.process && e.type !== 'invoke')!;
  completion.server = server;
}

function registerHistory(finalValues: Array<[string, string | null]>, extra?: (h: HistoryBuilder) => void): HistoryBuilder {
  const h = new HistoryBuilder();
  h.write(1, 'r', 'a');
  h.write(2, 'r', 'b');
  extra?.(h);
  let process = 10;
  for (const [server, value] of finalValues) finalThrough(h, h.read(process++, 'r', value), server);
  return h;
}

describe('final reads of a register through each member', () => {
  it('are valid when every member returns the last value', () => {
    const v = check(registerHistory([['zk-0', 'b'], ['zk-1', 'b'], ['zk-2', 'b']]).ops());
    expect(v.validity).toBe('valid');
  });

  it('report a member whose final read returns another value as divergent, naming both members', () => {
    const h = registerHistory([['zk-0', 'b'], ['zk-1', 'b'], ['zk-2', 'a']]);
    const v = check(h.ops());
    expect(v.validity).toBe('invalid');
    const divergent = v.anomalies.filter((a) => a.type === 'divergent');
    expect(divergent).toHaveLength(1);
    expect(divergent[0]!.explanation).toContain("the final read 6 (process 11) returning 'b' through zk-1, then the final read 8 (process 12) returning 'a' through zk-2");
    expect(divergent[0]!.ops).toEqual([6, 8]);
    expect(divergent[0]!.element).toBe('a');
  });

  it('accept a later final read of a value an indeterminate write may have set in between', () => {
    const v = check(
      registerHistory([['zk-0', 'b'], ['zk-1', 'c']], (h) => {
        h.invoke(3, 'write', 'r', 'c');
        h.info(3);
      }).ops(),
    );
    expect(v.anomalies.filter((a) => a.type === 'divergent')).toEqual([]);
    expect(v.validity).toBe('valid');
  });

  it('accept a later final read of a value an indeterminate cas may have set in between', () => {
    const v = check(
      registerHistory([['zk-0', 'b'], ['zk-1', 'c']], (h) => {
        h.invoke(3, 'cas', 'r', ['b', 'c']);
        h.info(3);
      }).ops(),
    );
    expect(v.anomalies.filter((a) => a.type === 'divergent')).toEqual([]);
    expect(v.validity).toBe('valid');
  });

  // Exact times, for what the builder's one-tick-per-event clock cannot say.
  const finalRead = (id: number, process: number, value: string, invokeTime: number, completeTime: number, server: string): Operation => ({
    id, process, key: 'r', f: 'read', input: null, output: value, outcome: 'ok', invokeTime, completeTime, final: true, server,
  });
  const writes: Operation[] = [
    { id: 0, process: 1, key: 'r', f: 'write', input: 'a', output: 'a', outcome: 'ok', invokeTime: 0, completeTime: 10 },
    { id: 1, process: 2, key: 'r', f: 'write', input: 'b', output: 'b', outcome: 'ok', invokeTime: 20, completeTime: 30 },
  ];

  it('compare each final read with the last one completed before it, whatever order they were invoked in', () => {
    // zk-0's read is invoked first but completes last; zk-1's completes before zk-2's is invoked.
    const v = check([
      ...writes,
      finalRead(2, 10, 'b', 100, 500, 'zk-0'),
      finalRead(3, 11, 'b', 110, 120, 'zk-1'),
      finalRead(4, 12, 'a', 200, 210, 'zk-2'),
    ]);
    expect(v.validity).toBe('invalid');
    expect(v.anomalies.filter((a) => a.type === 'divergent').map((a) => a.ops)).toEqual([[3, 4]]);
  });

  it('leave final reads alone that are not ordered by real time (one completes at the nanosecond the other is invoked)', () => {
    const v = check([...writes, finalRead(2, 10, 'b', 100, 300, 'zk-0'), finalRead(3, 11, 'a', 300, 310, 'zk-1')]);
    expect(v.anomalies.filter((a) => a.type === 'divergent')).toEqual([]);
    // Not divergent, but zk-1's read misses write 1 of 'b', acknowledged long before it: lost.
    expect(v.anomalies.map((a) => [a.type, a.ops])).toEqual([['lost', [0, 1, 3]]]);
  });

  it('accept a later final read of a value an acknowledged write set in between (writes still running)', () => {
    const v = check([
      ...writes,
      finalRead(2, 10, 'b', 100, 110, 'zk-0'),
      { id: 3, process: 3, key: 'r', f: 'write', input: 'c', output: 'c', outcome: 'ok', invokeTime: 105, completeTime: 130 },
      finalRead(4, 11, 'c', 140, 150, 'zk-1'),
    ]);
    expect(v.validity).toBe('valid');
    // The same write completed before the earlier read was invoked cannot have been in between.
    const early = check([
      ...writes,
      { id: 3, process: 3, key: 'r', f: 'write', input: 'c', output: 'c', outcome: 'ok', invokeTime: 40, completeTime: 50 },
      finalRead(2, 10, 'b', 100, 110, 'zk-0'),
      finalRead(4, 11, 'c', 140, 150, 'zk-1'),
    ]);
    expect(early.anomalies.map((a) => a.type).sort()).toEqual(['divergent', 'lost']);
  });

  it('accept a writer that touches either final read at the same nanosecond (real time orders only what is strictly before)', () => {
    const write = (invokeTime: number, completeTime: number): Operation => ({ id: 3, process: 3, key: 'r', f: 'write', input: 'c', output: 'c', outcome: 'ok', invokeTime, completeTime });
    // Completed at the nanosecond the earlier read was invoked; invoked at the nanosecond the later read completed.
    for (const c of [write(40, 100), write(150, 160)]) {
      const v = check([...writes, c, finalRead(2, 10, 'b', 100, 110, 'zk-0'), finalRead(4, 11, 'c', 140, 150, 'zk-1')]);
      expect(v.anomalies.filter((a) => a.type === 'divergent'), JSON.stringify(c)).toEqual([]);
    }
  });

  it('report a later final read whose value no writer could have set in between: one wrote it long before, one after', () => {
    const v = check([
      writes[0]!,
      { id: 3, process: 3, key: 'r', f: 'write', input: 'c', output: 'c', outcome: 'ok', invokeTime: 12, completeTime: 15 },
      writes[1]!,
      finalRead(4, 10, 'b', 100, 110, 'zk-0'),
      finalRead(5, 11, 'c', 140, 150, 'zk-1'),
      { id: 6, process: 3, key: 'r', f: 'write', input: 'c', output: 'c', outcome: 'ok', invokeTime: 160, completeTime: 170 },
    ]);
    expect(v.anomalies.filter((a) => a.type === 'divergent').map((a) => a.ops)).toEqual([[4, 5]]);
  });

  it('accept a value written twice when one of its writers may have landed in between, even if the other was long before', () => {
    const v = check([
      ...writes,
      { id: 3, process: 3, key: 'r', f: 'write', input: 'a', output: 'a', outcome: 'info', invokeTime: 105, completeTime: Infinity },
      finalRead(4, 10, 'b', 100, 110, 'zk-0'),
      finalRead(5, 11, 'a', 140, 150, 'zk-1'),
    ]);
    expect(v.anomalies.filter((a) => a.type === 'divergent')).toEqual([]);
  });

  it('leave a stale read that is not final alone (followers may lag)', () => {
    const h = registerHistory([['zk-0', 'b'], ['zk-1', 'b']]);
    h.read(20, 'r', 'a');
    expect(check(h.ops()).validity).toBe('valid');
  });

  it('survive the history format: final marks and servers round-trip through the parser', () => {
    const h = registerHistory([['zk-0', 'b'], ['zk-2', 'a']]);
    const ops = toOperations(h.events.map((e) => JSON.parse(JSON.stringify(e))));
    expect(check(ops).anomalies.map((a) => a.type)).toContain('divergent');
  });
});

describe('final reads of a set through each member', () => {
  it('report the member that lacks an acknowledged add, by name', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'x');
    h.add(2, 's', 'y');
    finalThrough(h, h.readSet(10, 's', ['x', 'y']), 'zk-0');
    finalThrough(h, h.readSet(11, 's', ['x']), 'zk-2');
    const v = check(h.ops());
    expect(v.validity).toBe('invalid');
    const lost = v.anomalies.filter((a) => a.type === 'lost');
    expect(lost.map((a) => a.element)).toEqual(['y']);
    expect(lost[0]!.explanation).toContain('through zk-2');
  });
});

describe('a final read of a register misses no acknowledged write', () => {
  const op = (id: number, process: number, f: 'write' | 'read' | 'cas', value: string | null | string[], invokeTime: number, completeTime: number, extra: Partial<Operation> = {}): Operation => ({
    id, process, key: 'r', f, input: f === 'read' ? null : value, output: value, outcome: 'ok', invokeTime, completeTime, ...extra,
  });
  const final = { final: true, server: 'zk-0' };

  it('absent after an acknowledged write is lost (and, not final, a stale read ZooKeeper allows)', () => {
    const history = (extra: Partial<Operation>): Operation[] => [op(0, 1, 'write', 'a', 10, 20), op(1, 2, 'read', null, 30, 40, extra)];
    const v = check(history(final));
    expect(v.validity).toBe('invalid');
    expect(v.anomalies.map((a) => [a.type, a.element, a.ops])).toEqual([['lost', 'a', [0, 1]]]);
    expect(v.anomalies[0]!.explanation).toContain("the final read 1 (process 2) returning absent (null) through zk-0 misses write 0 (process 1) of 'a'");
    expect(check(history({})).validity).toBe('valid');
  });

  it('an older value after an acknowledged overwrite is lost, with and without zxids', () => {
    const ops = [op(0, 1, 'write', 'a', 10, 20, { zxid: 1n }), op(1, 1, 'write', 'b', 30, 40, { zxid: 2n }), op(2, 2, 'read', 'a', 50, 60, { ...final, zxid: 1n })];
    for (const history of [ops, ops.map((o) => ({ ...o, zxid: undefined }))]) {
      const v = check(history);
      expect(v.anomalies.map((a) => [a.type, a.element, a.ops])).toEqual([['lost', 'b', [0, 1, 2]]]);
    }
  });

  it('an overwrite that real time does not order after the write read is no loss: either may have landed last', () => {
    expect(check([op(0, 1, 'write', 'a', 10, 30), op(1, 2, 'write', 'b', 20, 40), op(2, 3, 'read', 'a', 50, 60, final)]).validity).toBe('valid');
    // An indeterminate write of the value read may have landed after the overwrite.
    expect(check([op(0, 1, 'write', 'a', 10, 20), op(1, 2, 'write', 'b', 30, 40), op(3, 4, 'write', 'a', 35, Infinity, { outcome: 'info' }), op(2, 3, 'read', 'a', 50, 60, final)]).validity).toBe('valid');
  });

  it('the search orders final reads by real time too, also where the direct rule cannot see it, through the zxid witness or without', () => {
    // The cas from 'a' must follow the write of 'a' (their intervals overlap, so real time alone
    // does not say so), and both completed before the final read of 'a' was invoked.
    const ops = [op(0, 1, 'write', 'a', 0, 10, { zxid: 1n }), op(1, 2, 'cas', ['a', 'b'], 5, 20, { zxid: 2n }), op(2, 3, 'read', 'a', 30, 40, { ...final, zxid: 1n })];
    for (const history of [ops, ops.map((o) => ({ ...o, zxid: undefined }))]) {
      const v = check(history);
      expect(v.anomalies.map((a) => a.type)).toEqual(['nonlinearizable']);
      expect(v.stats.searchedKeys).toBe(1);
    }
    expect(check(ops.map((o) => ({ ...o, final: undefined }))).validity).toBe('valid');
  });

  it('a final read that sees every acknowledged write is valid, and the zxid witness proves it', () => {
    const ops = [op(0, 1, 'write', 'a', 0, 10, { zxid: 1n }), op(1, 2, 'cas', ['a', 'b'], 5, 20, { zxid: 2n }), op(2, 3, 'read', 'b', 30, 40, { ...final, zxid: 2n })];
    const v = check(ops);
    expect(v.validity).toBe('valid');
    expect(v.stats.witnessKeys).toBe(1);
  });

  it.each(['final', 'anchored'] as const)('flags exactly the %s reads its definition names, on random histories (no search involved)', (mode) => {
    // The rule, written the plainest way: a final read f of v is lost when some ok write or cas w of
    // another value completed before f was invoked and every writer of v (any outcome but failed)
    // completed before w was invoked. An ordinary read whose session first wrote another key (its
    // anchor) went back in time when the same holds with the anchor's invoke for f's, with "known
    // applied" for "completed" (see below), or when w is a cas that required v. Histories
    // whose values nobody wrote are left out: a phantom or future read ends the key's check before
    // this rule runs.
    const rng = xoroshiro128plus(mode === 'final' ? 2026 : 2027);
    const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
    const seen = { flagged: 0, clean: 0, skipped: 0, byProof: 0 };
    for (let trial = 0; trial < 3000; trial++) {
      const ops: Operation[] = [];
      const values = ['a', 'b', 'c', 'd'];
      for (let p = 1; p <= 3; p++) {
        let t = int(0, 5);
        for (let k = int(1, 3); k > 0; k--) {
          const duration = int(1, 12);
          const outcome = int(0, 9) === 0 ? 'info' : 'ok';
          const f = int(0, 2) === 0 ? 'cas' : 'write';
          const value = values[int(0, values.length - 1)]!;
          const input = f === 'cas' ? [values[int(0, values.length - 1)]!, value] : value;
          ops.push({ id: 0, process: p, key: 'r', f, input, output: input, outcome, invokeTime: t, completeTime: outcome === 'info' ? Infinity : t + duration });
          if (outcome === 'info') break;
          t += duration + int(0, 4);
        }
      }
      const bounds = new Map<number, number>();
      for (let r = int(1, 3); r > 0; r--) {
        let invokeTime = int(0, 50);
        if (mode === 'anchored') {
          const anchored = invokeTime;
          invokeTime += int(1, 3);
          ops.push({ id: 0, process: 10 + r, key: 'q', f: 'write', input: `q${r}`, output: `q${r}`, outcome: 'ok', invokeTime: anchored, completeTime: invokeTime });
          invokeTime += int(0, 2);
          bounds.set(10 + r, anchored);
        } else bounds.set(10 + r, invokeTime);
        const value = int(0, 5) === 0 ? null : values[int(0, values.length - 1)]!;
        ops.push({ id: 0, process: 10 + r, key: 'r', f: 'read', input: null, output: value, outcome: 'ok', invokeTime, completeTime: invokeTime + int(1, 5), ...(mode === 'final' ? { final: true } : {}) });
      }
      ops.sort((x, y) => x.invokeTime - y.invokeTime);
      ops.forEach((op, id) => (op.id = id));
      const verdict = check(ops);
      if (verdict.anomalies.some((a) => a.type === 'phantom-value' || a.type === 'future-read')) {
        seen.skipped++;
        continue;
      }
      const puts = (op: Operation): string => (op.f === 'cas' ? (op.input as string[])[1]! : (op.input as string));
      const onR = ops.filter((op) => op.key === 'r');
      const writers = (v: string | null): Operation[] => onR.filter((op) => op.f !== 'read' && op.outcome !== 'fail' && puts(op) === v);
      // When a write is known applied: for a final read, its acknowledgment; for the session rule, also
      // an ok read of its value, or a cas known applied that required it (a value's only writer).
      const applied = new Map(onR.filter((w) => w.f !== 'read' && w.outcome !== 'fail').map((w) => [w, w.outcome === 'ok' ? w.completeTime : Infinity]));
      for (let changed = mode === 'anchored'; changed; ) {
        changed = false;
        for (const x of onR) {
          const by = x.f === 'read' ? x.completeTime : applied.get(x);
          const required = x.f === 'read' ? (x.output as string | null) : x.f === 'cas' ? (x.input as (string | null)[])[0]! : null;
          const only = required === null || by === undefined ? [] : writers(required);
          if (only.length === 1 && by! < applied.get(only[0]!)!) {
            applied.set(only[0]!, by!);
            changed = true;
          }
        }
      }
      const flags = (at: (w: Operation) => number, overwrite = mode === 'anchored'): number[] =>
        onR
          .filter((f) => f.f === 'read')
          .filter((f) =>
            onR.some((w) => {
              if (w.f === 'read' || at(w) >= bounds.get(f.process)! || puts(w) === f.output) return false;
              const ofValue = writers(f.output as string | null);
              // w came after every writer of the value; or, for the session rule, w is a cas that required it (its one writer).
              return ofValue.every((u) => at(u) < w.invokeTime) || (overwrite && w.f === 'cas' && f.output !== null && (w.input as string[])[0] === f.output && ofValue.length === 1);
            }),
          )
          .map((f) => f.id);
      const expected = flags((w) => applied.get(w) ?? Infinity);
      if (expected.length > flags((w) => (w.outcome === 'ok' ? w.completeTime : Infinity), false).length) seen.byProof++;
      const reads = new Set(onR.filter((op) => op.f === 'read').map((op) => op.id));
      const type = mode === 'final' ? 'lost' : 'stale-read-in-session';
      // The read an anomaly is about is its last one (a read that showed the missed write applied came
      // before it); an anomaly of the key's own rules names none.
      const flagged = verdict.anomalies.filter((a) => a.type === type).flatMap((a) => {
        const readIds = a.ops.filter((id) => reads.has(id));
        return readIds.length > 0 ? [Math.max(...readIds)] : [];
      });
      expect(flagged, JSON.stringify(ops)).toEqual(expected);
      if (expected.length > 0) seen.flagged++;
      else seen.clean++;
    }
    expect(seen.flagged).toBeGreaterThan(500);
    expect(seen.clean).toBeGreaterThan(500);
    // Reads flagged only because a read or a cas showed the missed write applied before its
    // acknowledgment, or because a cas overwrote the value read.
    if (mode === 'anchored') expect(seen.byProof, JSON.stringify(seen)).toBeGreaterThan(40);
  });
});
