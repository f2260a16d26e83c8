import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import type { Operation } from '../../harness/history/types.ts';

/**
 * ZooKeeper's model written the plainest way, as an independent reference for the checker's
 * soundness across keys: the members apply one order of all updates (adds, writes), consistent
 * with real time; each session sees a prefix of that order that never shrinks, holds its own
 * acknowledged updates, and holds only updates invoked before the operation completed; a read
 * returns its key's state in its session's prefix. A history is possible iff some order admits
 * such prefixes (found by trying every order; per order the smallest prefix that fits each read is
 * the best choice, as a larger one only narrows the session's later choices). A session's updates
 * are ordered as it made them.
 *
 * Random small histories over a set and two registers, with repeated values, failed and
 * indeterminate updates and equal timestamps, are made by running such a model (members lag, so
 * reads are stale) and then, in some, letting a session's read go back in time or return another
 * value. Whatever the checker calls invalid, the reference must find impossible.
 */

type Value = string | string[] | null;

/** Whether some order of the updates admits every session's reads (see above). */
function possible(ops: readonly Operation[]): boolean {
  const updates = ops.filter((o) => (o.f === 'add' || o.f === 'write') && o.outcome !== 'fail');
  const sessions = new Map<number, Operation[]>();
  for (const o of [...ops].sort((a, b) => a.invokeTime - b.invokeTime || a.id - b.id)) {
    if (o.outcome === 'fail') continue;
    sessions.set(o.process, [...(sessions.get(o.process) ?? []), o]);
  }
  const order: Operation[] = [];
  const placed = new Set<Operation>();
  const stateAt = (read: Operation, length: number): Value => {
    let register: string | null = null;
    const set = new Set<string>();
    for (const u of order.slice(0, length)) {
      if (u.key !== read.key) continue;
      if (u.f === 'add') set.add(u.input as string);
      else register = u.input as string;
    }
    return read.f === 'read-set' ? [...set] : register;
  };
  const same = (a: Value, b: Value): boolean => JSON.stringify(Array.isArray(a) ? [...a].sort() : a) === JSON.stringify(Array.isArray(b) ? [...b].sort() : b);
  const sessionsFit = (): boolean => {
    for (const list of sessions.values()) {
      let view = 0;
      for (const o of list) {
        if (o.f === 'add' || o.f === 'write') {
          if (o.outcome === 'ok') view = Math.max(view, order.indexOf(o) + 1);
          continue;
        }
        if (o.outcome !== 'ok') continue;
        // The longest prefix of updates all invoked before the read completed.
        let limit = 0;
        while (limit < order.length && order[limit]!.invokeTime < o.completeTime) limit++;
        let fit = view;
        const empty = o.f === 'read-set' ? [] : null;
        while (fit <= limit && !same(stateAt(o, fit), (o.output ?? empty) as Value)) fit++;
        if (fit > limit) return false;
        view = fit;
      }
    }
    return true;
  };
  const extend = (): boolean => {
    if (order.length === updates.length) return sessionsFit();
    for (const u of updates) {
      if (placed.has(u)) continue;
      // Real time: every update that completed before u was invoked comes first; so does every
      // earlier update of u's session (a session's requests run in order, also at equal times).
      const first = (w: Operation): boolean => w.completeTime < u.invokeTime || (w.process === u.process && (w.invokeTime < u.invokeTime || (w.invokeTime === u.invokeTime && w.id < u.id)));
      if (updates.some((w) => !placed.has(w) && w !== u && first(w))) continue;
      order.push(u);
      placed.add(u);
      if (extend()) return true;
      order.pop();
      placed.delete(u);
    }
    return false;
  };
  return extend();
}

/**
 * How the histories are drawn: the default mixes everything; `crowded` gives every session an
 * update first, all of them overlapping (so views can order them in cycles), and always tampers.
 */
interface Shape {
  processes: [number, number];
  crowded: boolean;
}

const MIXED: Shape = { processes: [2, 3], crowded: false };
const CROWDED: Shape = { processes: [3, 4], crowded: true };

/** A small history made by running the model above, sometimes tampered with (see above). */
function randomHistory(rng: RandomGenerator, shape: Shape = MIXED): Operation[] {
  const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
  const pick = <T,>(list: readonly T[]): T => list[int(0, list.length - 1)]!;
  const ops: Operation[] = [];
  const applyAt = new Map<Operation, number>();
  const processes = int(...shape.processes);
  for (let p = 1; p <= processes; p++) {
    let t = shape.crowded ? int(0, 2) : int(0, 10);
    const count = int(2, 4);
    for (let k = 0; k < count; k++) {
      const invokeTime = t;
      const duration = shape.crowded && k === 0 ? int(8, 12) : shape.crowded ? int(1, 3) : int(1, 12);
      const roll = int(0, 99);
      const outcome: Operation['outcome'] = roll < 78 ? 'ok' : roll < 88 ? 'fail' : 'info';
      const completeTime = outcome === 'info' ? Infinity : invokeTime + duration;
      // Crowded: the sessions' first updates on different keys where they can (a cycle crosses keys).
      const key = shape.crowded && k === 0 ? (['s', 'r', 'q'] as const)[(p - 1) % 3]! : pick(['s', 'r', 'q']);
      const update = shape.crowded ? k === 0 : int(0, 1) === 0;
      const f = key === 's' ? (update ? 'add' : 'read-set') : update ? 'write' : 'read';
      const value = update ? pick(key === 's' ? ['x', 'y', 'z'] : ['a', 'b', 'c']) : null;
      const op: Operation = { id: ops.length, process: p, key, f, input: value, output: value, outcome, invokeTime, completeTime };
      ops.push(op);
      if (update && outcome !== 'fail' && (outcome === 'ok' || int(0, 1) === 0)) applyAt.set(op, invokeTime + int(0, duration));
      if (outcome === 'info') break;
      t = invokeTime + duration + int(0, 4);
    }
  }
  // The members' order: by apply time. Each session's view is a time it has seen up to.
  const applied = [...applyAt].sort((a, b) => a[1] - b[1]);
  const stateAt = (key: string, time: number): Value => {
    let register: string | null = null;
    const set = new Set<string>();
    for (const [u, at] of applied) {
      if (at > time || u.key !== key) continue;
      if (u.f === 'add') set.add(u.input as string);
      else register = u.input as string;
    }
    return key === 's' ? [...set].sort() : register;
  };
  const tamper = shape.crowded || int(0, 2) === 0;
  const views = new Map<number, number>();
  for (const op of [...ops].sort((a, b) => a.invokeTime - b.invokeTime || a.id - b.id)) {
    const view = views.get(op.process) ?? -1;
    if (op.f === 'add' || op.f === 'write') {
      if (op.outcome === 'ok') views.set(op.process, Math.max(view, applyAt.get(op)!));
      continue;
    }
    if (op.outcome === 'fail') op.output = null;
    if (op.outcome !== 'ok') continue;
    let time = int(view, op.completeTime - 1);
    if (tamper && int(0, 3) === 0) time = int(-1, op.completeTime - 1);
    views.set(op.process, Math.max(view, time));
    op.output = stateAt(op.key, time);
    if (tamper && int(0, 9) === 0) op.output = op.key === 's' ? [pick(['x', 'y', 'z'])] : pick(['a', 'b', 'c', null]);
  }
  for (const op of ops) {
    // Marked not final: the reference knows nothing of the harness's final reads.
    if (op.f === 'read' || op.f === 'read-set') {
      op.input = null;
      op.final = false;
    }
    if (op.outcome !== 'ok' && (op.f === 'add' || op.f === 'write')) op.output = null;
  }
  return ops;
}

/** Counts over `trials` histories drawn with `seed`; fails at the first one flagged that the reference admits. */
function tally(seed: number, shape: Shape, trials = 20000): { impossible: number; invalid: number; acrossKeys: number; cycles: number } {
  const rng = xoroshiro128plus(seed);
  const counts = { impossible: 0, invalid: 0, acrossKeys: 0, cycles: 0 };
  for (let trial = 0; trial < trials; trial++) {
    const ops = randomHistory(rng, shape);
    const verdict = check(ops);
    const reference = possible(ops);
    if (!reference) counts.impossible++;
    if (verdict.validity !== 'invalid') continue;
    counts.invalid++;
    if (verdict.anomalies.some((a) => a.type === 'stale-read-in-session' && a.explanation.includes('a session never sees an older view'))) counts.acrossKeys++;
    if (verdict.anomalies.some((a) => a.explanation.includes('in a cycle'))) counts.cycles++;
    expect(reference, `seed ${seed}, trial ${trial}: ${verdict.anomalies.map((a) => a.explanation).join(' | ')}\n${JSON.stringify(ops)}`).toBe(false);
  }
  return counts;
}

describe('sessions across keys against an independent reference', () => {
  it('flags only histories no order of the updates admits, and flags sessions gone back across keys', () => {
    const { impossible, invalid, acrossKeys } = tally(20261203, MIXED);
    // The generator must make both kinds, and the rule across keys must have fired (with this
    // seed: 1,349 impossible, 1,341 flagged, 42 of them by the stale-read rule across keys).
    expect(impossible).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(1000);
    expect(acrossKeys).toBeGreaterThan(30);
  }, 120_000);

  it('flags only impossible histories when the views of three or four sessions order their overlapping updates', () => {
    const { impossible, invalid, cycles } = tally(20261205, CROWDED);
    // With this seed: 6,856 impossible, 6,820 flagged, 13 of them (also) as a cycle of three or more
    // views. Of the 36 impossible ones not flagged, all but one hinge on equal timestamps, as in the
    // test above; that one needs an order whose first write is in the view but is not the read's
    // anchor (an older write its session had seen).
    expect(impossible).toBeGreaterThan(5000);
    expect(invalid).toBeGreaterThan(5000);
    expect(cycles).toBeGreaterThan(3);
  }, 120_000);
});
