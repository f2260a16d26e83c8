import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { casComparisonFailed, type Operation } from '../../harness/history/types.ts';

/**
 * ZooKeeper's model of every operation the harness records (adds, set reads, writes, reads, cas,
 * final reads), written the plainest way as an independent reference for the checker. The members
 * commit one order of all updates, consistent with real time and with each session's order. Each
 * session sees a prefix of that order that never shrinks, and a read returns its key's state in its
 * session's prefix, seeing only updates invoked before it completed (one invoked at the instant the
 * read completed is taken as after it). A history is possible iff some order admits such prefixes:
 * every order is tried, and per order each read takes the smallest prefix that fits (a larger one
 * only narrows its session's later choices and the final reads' bounds).
 *
 * The updates, and what their place in the order says:
 * - an add or a write, acknowledged or indeterminate (an indeterminate one placed after every read
 *   that could see it is one that never took effect, so "maybe applied" is just "placed somewhere");
 * - a cas that succeeded: the register held its expected value just before it;
 * - an indeterminate cas: it took effect where it is placed if the register held its expected value;
 * - a cas refused with BAD_VERSION: an error transaction, placed like any other, and the register
 *   held something else there. ZooKeeper compares versions, not values, so the refusal says so only
 *   when the expected value is null (the znode absent) or written by at most one operation that did
 *   not fail; otherwise the value may have come back under another version, and the refusal says
 *   nothing of the value (it keeps its place in the order). See casComparisonFailed and the
 *   README's history format. A failed add or write, and a cas that failed any other way, never
 *   were transactions.
 *
 * The sessions:
 * - an acknowledged update, a version-refused cas among them, puts its session's prefix past it:
 *   ZooKeeper commits the refusal as an error transaction in order with the writes, and the member
 *   answers only once it has applied it;
 * - a session's update comes after everything its session had seen: its member forwards it after
 *   applying all it had shown, and the leader orders it after everything committed so far;
 * - a final read follows a marker write made once the faults healed, so its prefix holds every update
 *   acknowledged before it was invoked and every prefix a read that completed before it had shown.
 *
 * Random small histories are made by running such a model (members lag, so reads are stale; a cas
 * reads the register then compares, or compares a value drawn at random) and then, in some, letting
 * a read go back in time or return another value, moving completions earlier, flipping outcomes of
 * writes and cas, and changing a cas's expected value. Whatever the checker calls invalid, the
 * reference must find impossible.
 */

type Value = string | string[] | null;

/** Beyond this many updates, trying every order takes too long: such a history is skipped. */
const MAX_UPDATES = 9;

const byInvoke = (a: Operation, b: Operation): number => a.invokeTime - b.invokeTime || a.id - b.id;
const isRead = (o: Operation): boolean => (o.f === 'read' || o.f === 'read-set') && o.outcome === 'ok';
/** The value a write or cas puts in its register. */
const written = (o: Operation): string | undefined => (o.f === 'write' ? (o.input as string) : o.f === 'cas' ? (o.input as [string | null, string])[1] : undefined);
const same = (a: Value, b: Value): boolean => JSON.stringify(Array.isArray(a) ? [...a].sort() : a) === JSON.stringify(Array.isArray(b) ? [...b].sort() : b);

/** Whether a cas refused by its version says its register held something other than its expected value (see above). */
function refusalSaysValue(cas: Operation, ops: readonly Operation[]): boolean {
  const [expected] = cas.input as [string | null, string];
  return expected === null || ops.filter((w) => w.key === cas.key && w.outcome !== 'fail' && written(w) === expected).length <= 1;
}

/** Whether `o` has a place in the order of updates (see above). */
function isUpdate(o: Operation): boolean {
  if (o.f === 'add' || o.f === 'write') return o.outcome !== 'fail';
  if (o.f !== 'cas') return false;
  return o.outcome !== 'fail' || casComparisonFailed(o.error);
}

/**
 * The state after update `u` placed where the state is `before`; undefined when `u` cannot be
 * placed there. `saysValue`: for a refused cas, whether its refusal says what the register held.
 */
function after(u: Operation, before: ReadonlyMap<string, Value>, saysValue: boolean): ReadonlyMap<string, Value> | undefined {
  const put = (v: Value): ReadonlyMap<string, Value> => new Map(before).set(u.key, v);
  if (u.f === 'add') {
    const elements = (before.get(u.key) ?? []) as string[];
    const element = u.input as string;
    return elements.includes(element) ? before : put([...elements, element].sort());
  }
  if (u.f === 'write') return put(u.input as string);
  const [expected, next] = u.input as [string | null, string];
  const held = (before.get(u.key) ?? null) === expected;
  if (u.outcome === 'ok') return held ? put(next) : undefined;
  if (u.outcome === 'info') return held ? put(next) : before;
  return held && saysValue ? undefined : before;
}

/** Whether some order of the updates admits every session's reads (see above); undefined beyond MAX_UPDATES updates. */
function possible(ops: readonly Operation[]): boolean | undefined {
  const updates = ops.filter(isUpdate);
  if (updates.length > MAX_UPDATES) return undefined;
  const saysValue = new Set(updates.filter((u) => u.f === 'cas' && u.outcome === 'fail' && refusalSaysValue(u, ops)));
  const isPlaced = new Set(updates);
  const reads = ops.filter(isRead);
  const sessions = new Map<number, Operation[]>();
  for (const o of [...ops].sort(byInvoke)) if (isPlaced.has(o) || isRead(o)) sessions.set(o.process, [...(sessions.get(o.process) ?? []), o]);

  const order: Operation[] = [];
  /** states[n]: each key's state after the first n updates of `order`. */
  const states: ReadonlyMap<string, Value>[] = [new Map()];
  const stateSeen = (read: Operation, length: number): Value => states[length]!.get(read.key) ?? (read.f === 'read-set' ? [] : null);

  /** Whether the sessions' smallest prefixes in the complete `order` fit every read and update. */
  const sessionsFit = (): boolean => {
    const position = new Map(order.map((u, i) => [u, i]));
    const limits = new Map(reads.map((r) => [r, order.findIndex((u) => u.invokeTime >= r.completeTime)]));
    const limitOf = (read: Operation): number => (limits.get(read)! < 0 ? order.length : limits.get(read)!);
    const prefix = new Map<Operation, number>();
    /** A final read's lowest prefix: past every update acknowledged, and every prefix shown, before it was invoked. */
    const finalBound = (read: Operation): number => {
      let bound = 0;
      for (const u of updates) if (u.completeTime < read.invokeTime) bound = Math.max(bound, position.get(u)! + 1);
      for (const [r, n] of prefix) if (r.completeTime < read.invokeTime) bound = Math.max(bound, n);
      return bound;
    };
    // A final read's bound rests on other sessions' prefixes: walk the sessions again until none grows.
    for (let grown = true; grown; ) {
      grown = false;
      for (const list of sessions.values()) {
        let view = 0;
        for (const o of list) {
          if (isPlaced.has(o)) {
            const at = position.get(o)!;
            if (at < view) return false;
            if (o.outcome !== 'info') view = at + 1;
            continue;
          }
          // What its session had seen is in view whatever the clock says (an own update invoked at
          // the very instant a read that takes no time completes is still before it in the session).
          const limit = Math.max(limitOf(o), view);
          let fit = o.final === true ? Math.max(view, finalBound(o)) : view;
          const output = (o.output ?? (o.f === 'read-set' ? [] : null)) as Value;
          while (fit <= limit && !same(stateSeen(o, fit), output)) fit++;
          if (fit > limit) return false;
          if ((prefix.get(o) ?? -1) < fit) {
            prefix.set(o, fit);
            grown = true;
          }
          view = fit;
        }
      }
    }
    return true;
  };

  const placed = new Set<Operation>();
  // Real time: every update that completed before u was invoked comes first; so does every earlier
  // update of u's session (a session's requests run in order, also at equal times).
  const mustPrecede = (w: Operation, u: Operation): boolean => w.completeTime < u.invokeTime || (w.process === u.process && byInvoke(w, u) < 0);
  const extend = (): boolean => {
    if (order.length === updates.length) return sessionsFit();
    for (const u of updates) {
      if (placed.has(u) || updates.some((w) => w !== u && !placed.has(w) && mustPrecede(w, u))) continue;
      const state = after(u, states[order.length]!, saysValue.has(u));
      if (state === undefined) continue;
      order.push(u);
      placed.add(u);
      states.push(state);
      if (extend()) return true;
      order.pop();
      placed.delete(u);
      states.pop();
    }
    return false;
  };
  return extend();
}

/** How the histories are drawn (every history gets final reads on most keys, and half of them zxids). */
interface Shape {
  processes: [number, number];
  /** Operations per session before the final reads (a session ends at its first indeterminate one). */
  ops: [number, number];
  /** How many of the keys are used: a set s and the registers r and q, or the registers only. */
  keys: [number, number];
  registersOnly: boolean;
  /** Every session starts with an update, all of them overlapping (so views can order them in cycles). */
  crowded: boolean;
  /** Every value written once, as the harness does; otherwise a few values, repeated. */
  unique: boolean;
  /** Operations may take no time; final reads are made by live sessions too, or after a marker write. */
  exotic: boolean;
  /** The share of histories tampered with, in percent. */
  tamper: number;
}

const MIXED: Shape = { processes: [2, 4], ops: [2, 5], keys: [1, 3], registersOnly: false, crowded: false, unique: false, exotic: true, tamper: 50 };
const REGISTERS: Shape = { ...MIXED, keys: [1, 2], registersOnly: true };
const CROWDED: Shape = { processes: [3, 4], ops: [2, 4], keys: [2, 3], registersOnly: false, crowded: true, unique: false, exotic: false, tamper: 100 };
const UNIQUE: Shape = { processes: [3, 4], ops: [2, 5], keys: [1, 3], registersOnly: false, crowded: false, unique: true, exotic: true, tamper: 60 };

/** A history being drawn: its operations and, for those that took effect, when. */
interface Draft {
  ops: Operation[];
  keys: string[];
  /** When each update took effect (one that never did has none). */
  applyAt: Map<Operation, number>;
  /** The cas that compare the register's value at the time they take effect (read, then compare). */
  casOnCurrent: Set<Operation>;
  /** The zxid of each write or cas that took effect. */
  zxidOf: Map<Operation, bigint>;
  /** The write or cas whose value each read returned (for a tampered one, a write of the value it returned). */
  readFrom: Map<Operation, Operation | undefined>;
  /** When the last operation completed, or would have (an indeterminate one). */
  end: number;
}

type Int = (lo: number, hi: number) => number;

/** A small history made by running the model above, sometimes tampered with (see above). */
function randomHistory(rng: RandomGenerator, shape: Shape): Operation[] {
  const int: Int = (lo, hi) => unsafeUniformIntDistribution(lo, hi, rng);
  const pool = shape.registersOnly ? ['r', 'q'] : ['s', 'r', 'q'];
  const keys: string[] = [];
  for (let n = int(...shape.keys); n > 0; n--) keys.push(...pool.splice(int(0, pool.length - 1), 1));
  const draft: Draft = { ops: [], keys, applyAt: new Map(), casOnCurrent: new Set(), zxidOf: new Map(), readFrom: new Map(), end: 0 };
  const processes = int(...shape.processes);
  for (let p = 1; p <= processes; p++) drawSession(draft, p, shape, int);
  const effects = apply(draft);
  addFinalReads(draft, processes, shape, int);
  const tamper = int(0, 99) < shape.tamper;
  observe(draft, effects, shape, int, tamper);
  if (tamper) tamperWith(draft, shape, int);
  const ops = draft.ops;
  for (const op of ops) {
    if (op.f === 'read' || op.f === 'read-set') {
      if (op.final !== true) op.final = false;
      if (op.outcome !== 'ok') op.output = null;
    } else op.output = op.outcome === 'ok' ? op.input : null;
  }
  if (int(0, 1) === 0) addZxids(draft);
  // Renumbered in invoke order, as a parsed history is, half the time.
  if (int(0, 1) === 1) return ops;
  return [...ops].sort(byInvoke).map((o, i) => Object.assign(o, { id: i }));
}

/** Values already written in the draft (a unique history's cas expects one of them, or null). */
const registerValues = (d: Draft): string[] => d.ops.flatMap((o) => (o.f === 'write' || o.f === 'cas' ? [written(o) as string] : []));
const setElements = (d: Draft): string[] => d.ops.flatMap((o) => (o.f === 'add' ? [o.input as string] : []));
const pick = <T,>(int: Int, list: readonly T[]): T => list[int(0, list.length - 1)]!;
const expectedValue = (d: Draft, shape: Shape, int: Int): string | null => pick(int, [null, ...(shape.unique ? registerValues(d) : ['a', 'b', 'c'])]);

/** Session p's operations, with when their updates take effect. A cas that is compared is drawn ok; `apply` decides. */
function drawSession(d: Draft, p: number, shape: Shape, int: Int): void {
  let t = shape.crowded ? int(0, 2) : int(0, 10);
  const count = int(...shape.ops);
  for (let k = 0; k < count; k++) {
    const invokeTime = t;
    const first = shape.crowded && k === 0;
    const duration = first ? int(8, 12) : shape.crowded ? int(1, 3) : int(shape.exotic ? 0 : 1, 12);
    // Crowded: the sessions' first updates on different keys where they can (a cycle crosses keys).
    const key = first ? d.keys[(p - 1) % d.keys.length]! : pick(int, d.keys);
    let f: Operation['f'];
    if (key === 's') f = first || int(0, 1) === 0 ? 'add' : 'read-set';
    else {
      const x = first ? int(0, 59) : int(0, 99);
      f = x < 33 ? 'write' : x < 60 ? 'cas' : 'read';
    }
    const roll = int(0, 99);
    let outcome: Operation['outcome'];
    let error: string | undefined;
    if (f === 'cas') {
      // Compared (ok or refused), failed before it was compared, or cut off.
      outcome = roll < 72 ? 'ok' : roll < 85 ? 'fail' : 'info';
      if (outcome === 'fail') error = pick(int, ['CONNECTION_LOSS', 'NOT_CONNECTED', 'SESSION_EXPIRED']);
      if (outcome === 'info') error = 'CONNECTION_LOSS';
    } else if (f === 'read' || f === 'read-set') outcome = roll < 85 ? 'ok' : roll < 92 ? 'fail' : 'info';
    else outcome = roll < 78 ? 'ok' : roll < 88 ? 'fail' : 'info';
    const fresh = (prefix: string, values: string[]): string => (shape.unique ? `${prefix}${d.ops.length}` : pick(int, values));
    let input: Operation['input'] = null;
    if (f === 'add') input = fresh('x', ['x', 'y', 'z']);
    if (f === 'write') input = fresh('v', ['a', 'b', 'c']);
    if (f === 'cas') input = [expectedValue(d, shape, int), fresh('v', ['a', 'b', 'c'])] as string[];
    const completeTime = outcome === 'info' ? Infinity : invokeTime + duration;
    const op: Operation = { id: d.ops.length, process: p, key, f, input, output: null, outcome, invokeTime, completeTime };
    if (error !== undefined) op.error = error;
    d.ops.push(op);
    if (f === 'cas' && int(0, 99) < 55) d.casOnCurrent.add(op);
    const update = f === 'add' || f === 'write' || f === 'cas';
    // An indeterminate update took effect half the time; a failed one never did.
    if (update && (outcome === 'ok' || (outcome === 'info' && int(0, 1) === 0))) d.applyAt.set(op, invokeTime + int(0, duration));
    d.end = Math.max(d.end, invokeTime + duration);
    if (outcome === 'info') break;
    t = invokeTime + duration + int(0, 4);
  }
}

/** An effect on a key, in the order the members apply them. */
interface Effect {
  at: number;
  op: Operation;
  key: string;
  value: string;
}

/** Applies the updates in apply-time order: a cas compares its register then, and is refused when it differs. */
function apply(d: Draft): Effect[] {
  const registers = new Map<string, string>();
  const effects: Effect[] = [];
  let zxid = 0n;
  for (const [u, at] of [...d.applyAt].sort((a, b) => a[1] - b[1])) {
    zxid++;
    if (u.f === 'add') {
      effects.push({ at, op: u, key: u.key, value: u.input as string });
      continue;
    }
    const current = registers.get(u.key) ?? null;
    if (u.f === 'cas') {
      const input = u.input as [string | null, string];
      if (d.casOnCurrent.has(u)) input[0] = current;
      if (input[0] !== current) {
        // Refused (an indeterminate one just did nothing): still a transaction, as ZooKeeper's error txn.
        if (u.outcome === 'ok') Object.assign(u, { outcome: 'fail', error: 'BAD_VERSION' });
        continue;
      }
    }
    const value = written(u) as string;
    registers.set(u.key, value);
    effects.push({ at, op: u, key: u.key, value });
    d.zxidOf.set(u, zxid);
  }
  return effects;
}

/**
 * Final reads on most keys, once every operation completed: by new sessions, or (exotic) by live
 * sessions or new ones that first write a marker, as the harness does before its final reads.
 */
function addFinalReads(d: Draft, processes: number, shape: Shape, int: Int): void {
  const live = [...new Set(d.ops.map((o) => o.process))].filter((q) => !d.ops.some((o) => o.process === q && o.outcome === 'info'));
  const busyUntil = new Map<number, number>();
  let next = processes;
  for (const key of d.keys) {
    if (int(0, 99) >= 75) continue;
    let t = d.end + int(0, 3);
    for (let n = int(0, 99) < 30 ? 2 : 1; n > 0; n--) {
      const duration = int(1, 5);
      let process: number;
      if (shape.exotic && live.length > 0 && int(0, 99) < 30) process = pick(int, live);
      else {
        process = ++next;
        if (shape.exotic && int(0, 99) < 30) {
          const took = int(1, 3);
          const marker: Operation = { id: d.ops.length, process, key: 'm', f: 'write', input: `m${d.ops.length}`, output: null, outcome: 'ok', invokeTime: t, completeTime: t + took };
          d.ops.push(marker);
          d.applyAt.set(marker, t + int(0, took));
          t += took + int(0, 1);
        }
      }
      t = Math.max(t, busyUntil.get(process) ?? 0);
      const f = key === 's' ? 'read-set' : 'read';
      d.ops.push({ id: d.ops.length, process, key, f, input: null, output: null, outcome: 'ok', invokeTime: t, completeTime: t + duration, final: true });
      busyUntil.set(process, t + duration);
      // The next final read on the key overlaps this one half the time.
      t += int(0, 1) === 0 ? int(0, 3) : duration + int(0, 2);
    }
  }
}

/**
 * The reads' outputs: each session has seen the members' state up to a time that never goes back,
 * a final read at least up to its invoke; a read sees up to a time before it completed. Tampered:
 * a read goes back in time, or returns another value.
 */
function observe(d: Draft, effects: readonly Effect[], shape: Shape, int: Int, tamper: boolean): void {
  const stateAt = (key: string, time: number): { value: Value; writer?: Operation } => {
    let writer: Operation | undefined;
    const elements = new Set<string>();
    for (const e of effects) {
      if (e.at > time || e.key !== key) continue;
      elements.add(e.value);
      writer = e.op;
    }
    return key === 's' ? { value: [...elements].sort() } : { value: writer === undefined ? null : (written(writer) as string), writer };
  };
  const views = new Map<number, number>();
  for (const op of [...d.ops].sort(byInvoke)) {
    const view = views.get(op.process) ?? -1;
    if (op.f === 'add' || op.f === 'write' || op.f === 'cas') {
      // Acknowledged, or refused by its version: the session has seen the state up to it.
      if (op.outcome === 'ok' || casComparisonFailed(op.error)) views.set(op.process, Math.max(view, d.applyAt.get(op)!));
      continue;
    }
    if (op.outcome !== 'ok') continue;
    const lowest = Math.max(view, op.final === true ? op.invokeTime : -1);
    let time = int(lowest, Math.max(lowest, op.completeTime - 1));
    if (tamper && int(0, 3) === 0) time = int(-1, op.completeTime - 1);
    views.set(op.process, Math.max(view, time));
    const { value, writer } = stateAt(op.key, time);
    op.output = value;
    d.readFrom.set(op, writer);
    if (tamper && int(0, 9) === 0) {
      if (op.key === 's') op.output = [pick(int, shape.unique ? ['x0', ...setElements(d)] : ['x', 'y', 'z'])];
      else {
        const output = shape.unique ? pick(int, [null, ...registerValues(d)]) : pick(int, ['a', 'b', 'c', null]);
        op.output = output;
        d.readFrom.set(op, d.ops.find((w) => w.key === op.key && d.zxidOf.has(w) && written(w) === output));
      }
    }
  }
}

/** Tampering beyond the reads: completions moved earlier, outcomes of writes and cas flipped, a cas's expected value changed. */
function tamperWith(d: Draft, shape: Shape, int: Int): void {
  for (const op of d.ops) {
    if (int(0, 11) !== 0) continue;
    const x = int(0, 2);
    if (x === 0 && Number.isFinite(op.completeTime) && op.completeTime > op.invokeTime) op.completeTime = int(op.invokeTime, op.completeTime - 1);
    else if (x === 1 && (op.f === 'add' || op.f === 'write') && op.outcome === 'ok') op.outcome = 'fail';
    else if (x === 2 && (op.f === 'add' || op.f === 'write') && op.outcome === 'fail') op.outcome = 'ok';
  }
  for (const op of d.ops) {
    if (op.f !== 'cas' || int(0, 7) !== 0) continue;
    const x = int(0, 2);
    if (x === 0 && op.outcome === 'ok') Object.assign(op, { outcome: 'fail', error: 'BAD_VERSION' });
    else if (x === 1 && op.outcome === 'fail' && casComparisonFailed(op.error)) {
      op.outcome = 'ok';
      delete op.error;
    } else if (x === 2) (op.input as [string | null, string])[0] = expectedValue(d, shape, int);
  }
}

/** The zxids the harness records: an acknowledged write's or cas's own, and for a read the zxid of the value it returned. */
function addZxids(d: Draft): void {
  for (const op of d.ops) {
    if (op.outcome !== 'ok') continue;
    const source = op.f === 'write' || op.f === 'cas' ? op : op.f === 'read' && op.output !== null ? d.readFrom.get(op) : undefined;
    const zxid = source === undefined ? undefined : d.zxidOf.get(source);
    if (zxid !== undefined) op.zxid = zxid;
  }
}

/** A history as JSON for a failure message (zxids in hex, indeterminate completions as Infinity). */
const show = (ops: readonly Operation[]): string => JSON.stringify(ops, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v === Infinity ? 'Infinity' : v));

interface Counts {
  /** Histories with more than MAX_UPDATES updates, left out. */
  skipped: number;
  impossible: number;
  invalid: number;
  /** Histories in which the reference places a cas refused by its version (the rule this file adds). */
  refusedCas: number;
  /** Impossible histories the checker called valid (reported, not asserted: see the test). */
  missed: number;
}

/** Counts over `trials` histories drawn with `seed`; fails at the first one flagged that the reference admits. */
function tally(seed: number, shape: Shape, trials: number): Counts {
  const rng = xoroshiro128plus(seed);
  const counts: Counts = { skipped: 0, impossible: 0, invalid: 0, refusedCas: 0, missed: 0 };
  for (let trial = 0; trial < trials; trial++) {
    const ops = randomHistory(rng, shape);
    const reference = possible(ops);
    if (reference === undefined) {
      counts.skipped++;
      continue;
    }
    if (ops.some((o) => o.f === 'cas' && o.outcome === 'fail' && isUpdate(o))) counts.refusedCas++;
    const verdict = check(ops);
    if (!reference) counts.impossible++;
    if (!reference && verdict.validity === 'valid') counts.missed++;
    if (verdict.validity !== 'invalid') continue;
    counts.invalid++;
    expect(reference, `seed ${seed}, trial ${trial}: ${verdict.anomalies.map((a) => a.explanation).join(' | ')}\n${show(ops)}`).toBe(false);
  }
  return counts;
}

/** Histories drawn per shape: the file takes 20 to 40 s on two busy cores. */
const TRIALS = 20_000;

// Besides never flagging a possible history, each shape must make enough impossible histories, invalid
// verdicts and refused cas the reference places, and few histories too large to try (the floors sit
// about 20 % below what these seeds give, in `measured`). The checker misses a few impossible
// histories (with these seeds: 16, 22, 26 and 16): most hinge on equal timestamps (a write invoked
// at the nanosecond a read completed, taken as possibly concurrent), some on an order between two
// views that only a write other than a read's anchor shows. They are not asserted: the checker may
// grow to catch them.
const CASES = [
  {
    what: 'a set and registers, with final reads by live sessions or after a marker, and operations that take no time',
    seed: 20261211,
    shape: MIXED,
    measured: '631 skipped, 4,939 impossible, 4,915 flagged, 5,811 with a refused cas',
    floors: { impossible: 4000, invalid: 3900, refusedCas: 4200 },
  },
  {
    what: 'registers alone, where cas of every kind are frequent',
    seed: 20261212,
    shape: REGISTERS,
    measured: '718 skipped, 4,399 impossible, 4,377 flagged, 8,314 with a refused cas',
    floors: { impossible: 3500, invalid: 3500, refusedCas: 5800 },
  },
  {
    what: 'three or four sessions that open with overlapping updates, cas among them',
    seed: 20261213,
    shape: CROWDED,
    measured: '546 skipped, 10,354 impossible, 10,324 flagged, 7,863 with a refused cas',
    floors: { impossible: 8300, invalid: 8300, refusedCas: 6000 },
  },
  {
    what: 'values each written once, as the harness writes them',
    seed: 20261214,
    shape: UNIQUE,
    measured: '968 skipped, 6,915 impossible, 6,894 flagged, 5,898 with a refused cas',
    floors: { impossible: 5500, invalid: 5500, refusedCas: 4700 },
  },
];

describe('the whole model, cas and final reads included, against an independent reference', () => {
  for (const { what, seed, shape, measured, floors } of CASES) {
    it(`flags only impossible histories: ${what} (seed ${seed}: ${measured})`, () => {
      const { skipped, impossible, invalid, refusedCas } = tally(seed, shape, TRIALS);
      expect(skipped).toBeLessThan(TRIALS / 15);
      expect(impossible).toBeGreaterThan(floors.impossible);
      expect(invalid).toBeGreaterThan(floors.invalid);
      expect(refusedCas).toBeGreaterThan(floors.refusedCas);
    }, 120_000);
  }
});
