/**
 * Register keys (f write / read / cas). Checked, in order:
 * 1. cheap explanations: phantom-value, future-read, then a session going back in time, a cas
 *    from an overwritten value, final reads that disagree and a final read that misses an
 *    acknowledged write (each a sound necessary condition; if any, the key is invalid and no
 *    search runs);
 * 2. the zxid witness, when every ok write/cas and every non-null ok read carries a zxid
 *    (verified, never trusted);
 * 3. the search, within a budget of states (over budget: unknown, never a guess).
 */

import type { Operation } from '../history/types.ts';
import { ids, keyName, opName, q } from './describe.ts';
import { CAS, FCAS, ICAS, IWRITE, type Kind, NONE, NULL_VALUE, READ, WRITE } from './register-model.ts';
import { appliedBy, describeRegisterOp, prepareRegister, recordSeenWrites, type RegisterHistory } from './register-history.ts';
import { searchRegister, type DeadEnd } from './register-search.ts';
import { verifyOrder, zxidWitness } from './register-witness.ts';
import type { Anomaly } from './types.ts';
import type { SessionRecords } from './session-views.ts';
import { countAtOrBelow, countBelow } from './sorted.ts';

export interface RegisterKeyResult {
  anomalies: Anomaly[];
  /** Set when the key could not be decided. */
  unknown?: string;
  /** How the key was decided. */
  method: 'explanation' | 'witness' | 'search';
  /** Search states explored (0 unless searched). */
  states: number;
}

const MAX_LISTED = 8;

/**
 * Checks a register key. With `records`, also records for the session rule across keys (see
 * session-views.ts) the write each ok read saw (`seen`) and the write known applied earliest that
 * each read not found lacking cannot follow (`misses`, with `proofs`).
 */
export function checkRegisterKey(key: string, all: readonly Operation[], budget: number, records?: SessionRecords): RegisterKeyResult {
  const h = prepareRegister(key, all);
  if (records !== undefined) recordSeenWrites(h, records.seen);
  const cheap = explainCheaply(h, all);
  if (cheap.length > 0) return { anomalies: cheap, method: 'explanation', states: 0 };
  const ordered = [...sessionsGoingBack(h), ...staleCas(h), ...divergentFinals(h), ...lostWrites(h, records)];
  if (ordered.length > 0) return { anomalies: ordered, method: 'explanation', states: 0 };

  if (h.definiteCount === 0) {
    return {
      anomalies: [],
      method: 'explanation',
      states: 0,
      unknown: `no operation on key ${keyName(key)} completed definitely (${all.length} indeterminate, failed or uncompared), so nothing about it could be checked`,
    };
  }
  const witness = zxidWitness(h);
  if (witness && verifyOrder(h, witness) === undefined) return { anomalies: [], method: 'witness', states: 0 };

  const search = searchRegister(h, budget);
  if (search.outcome === 'valid') return { anomalies: [], method: 'search', states: search.states };
  if (search.outcome === 'unknown') {
    return {
      anomalies: [],
      method: 'search',
      states: search.states,
      unknown:
        `the search explored more than ${budget.toLocaleString('en-US')} state${budget === 1 ? '' : 's'} of key ${keyName(key)} ` +
        `(${h.ops.length} operations) without deciding; a larger budget may decide it (zk-chaos check --budget N)`,
    };
  }
  return { anomalies: [nonlinearizable(h, search.deepest)], method: 'search', states: search.states };
}

/** phantom-value and future-read, grouped per value. */
function explainCheaply(h: RegisterHistory, all: readonly Operation[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const observers = new Map<number, number[]>();
  let failedByValue: Map<string, Operation[]> | undefined;
  for (let i = 0; i < h.ops.length; i++) {
    const k = h.kind[i];
    const v = h.need[i] as number;
    if ((k !== READ && k !== CAS) || v === 0) continue;
    const list = observers.get(v);
    if (list) list.push(i);
    else observers.set(v, [i]);
  }
  for (const [v, list] of observers) {
    const value = h.values[v] as string;
    const writers = h.writersOf[v] as number[];
    if (writers.length === 0) {
      const what = list.map((i) => describeRegisterOp(h, i));
      failedByValue ??= failedWritesByValue(all);
      const failedWrites = failedByValue.get(value) ?? [];
      const because =
        failedWrites.length > 0
          ? `; the only attempt to write it, ${failedWrites.map(opName).join(', ')}, failed (definitely did not happen)`
          : '';
      anomalies.push({
        type: 'phantom-value',
        key: h.key,
        element: value,
        ops: ids([...list.map((i) => (h.ops[i] as Operation).id), ...failedWrites.map((op) => op.id)]),
        explanation:
          `key ${keyName(h.key)}: ${listed(what)} observed ${q(value)}, which no write or cas on the key ever wrote${because}.`,
      });
      continue;
    }
    let firstInvoke = Infinity;
    for (const w of writers) firstInvoke = Math.min(firstInvoke, (h.ops[w] as Operation).invokeTime);
    const early = list.filter((i) => (h.ops[i] as Operation).completeTime < firstInvoke);
    if (early.length > 0) {
      anomalies.push({
        type: 'future-read',
        key: h.key,
        element: value,
        ops: ids([...early.map((i) => (h.ops[i] as Operation).id), ...writers.map((w) => (h.ops[w] as Operation).id)]),
        explanation:
          `key ${keyName(h.key)}: ${listed(early.map((i) => describeRegisterOp(h, i)))} observed ${q(value)} ` +
          `and completed before ${listed(writers.map((w) => describeRegisterOp(h, w)))}, the only writer of it, was even invoked.`,
      });
    }
  }
  return anomalies;
}

/** Failed writes by value (a phantom value's explanation names the failed attempts to write it). */
function failedWritesByValue(all: readonly Operation[]): Map<string, Operation[]> {
  const byValue = new Map<string, Operation[]>();
  for (const op of all) {
    if (op.outcome !== 'fail' || op.f !== 'write' || typeof op.input !== 'string') continue;
    const list = byValue.get(op.input);
    if (list) list.push(op);
    else byValue.set(op.input, [op]);
  }
  return byValue;
}

/** The unique writer of value v (local index), or undefined (null, none, or several). */
function uniqueWriter(h: RegisterHistory, v: number): number | undefined {
  const writers = h.writersOf[v] ?? [];
  return v !== 0 && writers.length === 1 ? writers[0] : undefined;
}

const isDefiniteWrite = (h: RegisterHistory, i: number): boolean => h.kind[i] === WRITE || h.kind[i] === CAS;

/**
 * A session observes a value when it reads it, when its ok cas expects it, and right after its own
 * ok write/cas writes it. If it observes u and later v (unique writers, u != v), then u's writer
 * precedes v's writer in any valid order; so v's writer must not be forced (by real time) before
 * u's writer, and null can never be observed after a value. O(n) per key. The first violation per
 * session is reported (what follows it is usually its echo).
 */
function sessionsGoingBack(h: RegisterHistory): Anomaly[] {
  const anomalies: Anomaly[] = [];
  interface Latest { observer: number; value: number; writer: number | undefined }
  const bySession = new Map<number, { latest?: Latest; latestNonNull?: Latest; reported: boolean }>();
  const observe = (i: number, value: number, writerIfKnown?: number): void => {
    const op = h.ops[i] as Operation;
    let s = bySession.get(op.process);
    if (!s) bySession.set(op.process, (s = { reported: false }));
    if (s.reported) return;
    const writer = writerIfKnown ?? uniqueWriter(h, value);
    const earlier = s.latest;
    if (value === 0 && s.latestNonNull) {
      const e = s.latestNonNull;
      s.reported = true;
      anomalies.push({
        type: 'stale-read-in-session',
        key: h.key,
        ops: ids([e.observer, i]).map((x) => (h.ops[x] as Operation).id),
        explanation:
          `key ${keyName(h.key)}: in one session, ${describeRegisterOp(h, e.observer)} came before ` +
          `${describeRegisterOp(h, i)}; nothing deletes the znode, so a session never goes back in time to absent.`,
      });
      return;
    }
    if (writer !== undefined && earlier && earlier.writer !== undefined && earlier.value !== value && isDefiniteWrite(h, writer)) {
      const w = h.ops[writer] as Operation;
      const we = h.ops[earlier.writer] as Operation;
      if (w.completeTime < we.invokeTime) {
        s.reported = true;
        anomalies.push({
          type: 'stale-read-in-session',
          key: h.key,
          element: h.values[value] ?? undefined,
          ops: ids([writer, earlier.writer, earlier.observer, i]).map((x) => (h.ops[x] as Operation).id),
          explanation:
            `key ${keyName(h.key)}: in one session, ${describeRegisterOp(h, earlier.observer)} came before ` +
            `${describeRegisterOp(h, i)}; but ${describeRegisterOp(h, writer)} completed before ` +
            `${describeRegisterOp(h, earlier.writer)} was invoked, so ${q(h.values[value] ?? null)} had been overwritten ` +
            `before the session saw ${q(h.values[earlier.value] ?? null)}: a session never goes back in time.`,
        });
        return;
      }
    }
    // Keep the observation whose writer was invoked last (the strongest constraint so far).
    if (writer === undefined) {
      if (value !== 0 && !earlier) s.latest = { observer: i, value, writer };
    } else if (!earlier || earlier.writer === undefined || (h.ops[writer] as Operation).invokeTime >= (h.ops[earlier.writer] as Operation).invokeTime) {
      s.latest = { observer: i, value, writer };
    }
    if (value !== 0) s.latestNonNull = { observer: i, value, writer };
  };
  for (let i = 0; i < h.ops.length; i++) {
    const k = h.kind[i];
    if (k === READ || k === CAS) observe(i, h.need[i] as number);
    if (k === WRITE || k === CAS) observe(i, h.put[i] as number, i);
  }
  return anomalies;
}

/**
 * An ok cas x that expects a, when some ok write/cas b was invoked after a's writer completed and
 * completed before x was invoked: real time orders a's writer < b < x, so a was gone (and never
 * comes back) when x ran. Likewise expecting null after any ok write completed. O(n log n).
 */
function staleCas(h: RegisterHistory): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const writes: number[] = [];
  for (let i = 0; i < h.ops.length; i++) if (isDefiniteWrite(h, i)) writes.push(i);
  const at = (i: number): Operation => h.ops[i] as Operation;
  writes.sort((a, b) => at(a).invokeTime - at(b).invokeTime);
  const invokes = writes.map((i) => at(i).invokeTime);
  // suffixBest[j]: the write among writes[j..] that completed first.
  const suffixBest = new Int32Array(writes.length + 1).fill(-1);
  for (let j = writes.length - 1; j >= 0; j--) {
    const next = suffixBest[j + 1] as number;
    const w = writes[j] as number;
    suffixBest[j] = next === -1 || at(w).completeTime < at(next).completeTime ? w : next;
  }
  for (let x = 0; x < h.ops.length; x++) {
    if (h.kind[x] !== CAS) continue;
    const a = h.need[x] as number;
    let from = 0;
    let writer: number | undefined;
    if (a !== 0) {
      writer = uniqueWriter(h, a);
      if (writer === undefined || !isDefiniteWrite(h, writer)) continue;
      from = countAtOrBelow(invokes, at(writer).completeTime);
    }
    const b = suffixBest[from] as number;
    if (b === -1 || at(b).completeTime >= at(x).invokeTime) continue;
    const prior = writer === undefined ? 'the znode was absent' : `${q(h.values[a] ?? null)} was written by ${describeRegisterOp(h, writer)}`;
    anomalies.push({
      type: 'nonlinearizable',
      key: h.key,
      ...(a !== 0 ? { element: h.values[a] as string } : {}),
      ops: ids([writer, b, x]).map((i) => at(i).id),
      explanation:
        `key ${keyName(h.key)}: ${describeRegisterOp(h, x)} succeeded, but ${prior}` +
        `${writer === undefined ? '' : ', which completed'} before ${describeRegisterOp(h, b)} ${writer === undefined ? 'completed' : 'was invoked, and that completed'} ` +
        `before the cas was invoked: writes are linearizable, so the cas expected a value already overwritten.`,
    });
  }
  return anomalies;
}

function nonlinearizable(h: RegisterHistory, deepest: DeadEnd | undefined): Anomaly {
  const total = h.definiteCount;
  const head =
    `key ${keyName(h.key)}: no order of its ${total} definite operations respects real time among writes and final reads, ` +
    `each session's order and the register's semantics`;
  if (!deepest) {
    return { type: 'nonlinearizable', key: h.key, ops: [], explanation: `${head}.` };
  }
  const state = h.values[deepest.state] ?? null;
  const reasons = deepest.stuck.map((i) => `${describeRegisterOp(h, i)}${why(h, i, deepest)}`);
  const first = deepest.stuck.find((i) => h.kind[i] === READ || h.kind[i] === CAS) ?? deepest.stuck[0];
  const firstValue = first !== undefined && h.need[first] !== NONE ? (h.values[h.need[first]!] ?? null) : undefined;
  return {
    type: 'nonlinearizable',
    key: h.key,
    ...(firstValue !== undefined && firstValue !== null ? { element: firstValue } : {}),
    ops: deepest.stuck.slice(0, 50).map((i) => (h.ops[i] as Operation).id),
    explanation:
      `${head}. The deepest attempt ordered ${deepest.placed} of ${total}, leaving the register at ${q(state)}; ` +
      `then none of these could go next: ${listed(reasons)}.`,
  };
}

/** Why stuck op i could not go next at the dead end. */
function why(h: RegisterHistory, i: number, at: DeadEnd): string {
  const k = h.kind[i] as Kind;
  const state = at.state;
  const v = h.need[i] as number;
  const current = q(h.values[state] ?? null);
  if (k === WRITE || (k === CAS && v === state)) {
    const needers: number[] = [];
    for (let j = 0; j < h.ops.length; j++) {
      if (j !== i && at.placedOps[j] === 0 && h.need[j] === state && (h.kind[j] === READ || h.kind[j] === CAS)) needers.push(j);
    }
    if (needers.length > 0) return ` (it would overwrite ${current}, which ${opList(h, needers.slice(0, 3))} still needs)`;
    return '';
  }
  if (k === FCAS) return v === state ? ' (but the register held exactly that)' : '';
  if (v === state) {
    const before = h.previousInSession[i] as number;
    if (k === READ && h.realTime[i] === 1 && (before === NONE || at.placedOps[before] === 1)) {
      return ' (a final read: it must follow every operation that completed before it was invoked, and those could not all be ordered first)';
    }
    return before === NONE ? '' : ` (it must follow ${opList(h, [before])} of its session)`;
  }
  if (v === 0) return ' (but the register had already been written)';
  const writers = h.writersOf[v] ?? [];
  const done = writers.filter((w) => at.placedOps[w] === 1);
  if (done.length > 0) {
    return ` (but ${q(h.values[v] ?? null)}, written by ${opList(h, done)}, had already been overwritten)`;
  }
  const stuck = writers.some((w) => at.stuck.includes(w));
  return ` (but ${q(h.values[v] ?? null)} is written by ${opList(h, writers)}, which ${stuck ? 'cannot go next either' : 'real time orders later'})`;
}

function opList(h: RegisterHistory, locals: readonly number[]): string {
  return locals
    .map((w) => {
      const k = h.kind[w];
      const names = ['read', 'failed cas', 'write', 'cas', 'indeterminate write', 'indeterminate cas'];
      const name = names[k as number] ?? 'op';
      return `${name} ${(h.ops[w] as Operation).id}`;
    })
    .join(', ');
}

function listed(items: readonly string[]): string {
  if (items.length <= MAX_LISTED) return items.join('; ');
  return `${items.slice(0, MAX_LISTED).join('; ')}; and ${items.length - MAX_LISTED} more`;
}

/**
 * Final reads (marked final: made after a marker write through the same session, once the faults
 * healed and the workload stopped) each see every write committed before them. So a final read B
 * invoked after a final read A completed must return A's value, unless a write or cas of B's value
 * may have landed in between (not invoked after B completed, not completed before A was invoked).
 * Anything else means the members hold different data: the anomaly names both reads and their
 * servers. O(n log n): A by binary search over the final reads' completions, the writers in
 * between by binary search over each value's writers' invocations.
 */
function divergentFinals(h: RegisterHistory): Anomaly[] {
  const finals: number[] = [];
  for (let i = 0; i < h.ops.length; i++) if (h.kind[i] === READ && (h.ops[i] as Operation).final === true) finals.push(i);
  if (finals.length < 2) return [];
  const at = (i: number): Operation => h.ops[i] as Operation;
  finals.sort((a, b) => at(a).completeTime - at(b).completeTime);
  const completions = finals.map((i) => at(i).completeTime);
  const writers = writersByInvocation(h);
  const anomalies: Anomaly[] = [];
  const where = (i: number): string => (at(i).server === undefined ? describeRegisterOp(h, i) : `${describeRegisterOp(h, i)} through ${at(i).server}`);
  for (const b of finals) {
    const value = h.need[b] as number;
    // A: the latest final read that completed before b was invoked.
    const before = countBelow(completions, at(b).invokeTime);
    if (before === 0) continue;
    const a = finals[before - 1] as number;
    if (h.need[a] === value) continue;
    // Real time orders only what completed strictly before the other was invoked: a writer of b's
    // value invoked by b's completion that completed at A's invocation or later may lie between.
    const { invokes, latestCompletion } = writers(value);
    const invokedInTime = countAtOrBelow(invokes, at(b).completeTime);
    if (invokedInTime > 0 && latestCompletion[invokedInTime - 1]! >= at(a).invokeTime) continue;
    anomalies.push({
      type: 'divergent',
      key: h.key,
      ...(value !== 0 ? { element: h.values[value] as string } : {}),
      ops: ids([at(a).id, at(b).id]),
      explanation:
        `key ${keyName(h.key)}: the final ${where(a)}, then the final ${where(b)}: each was made after a marker write ` +
        `through its own session, so each member had every committed write, and no write of ` +
        `${q(h.values[value] ?? null)} could have landed in between: the members hold different data.`,
    });
  }
  return anomalies;
}

/** Per value (built when first asked): its writers' invocation times, ascending, and the latest
 * completion among the writers up to each. */
function writersByInvocation(h: RegisterHistory): (value: number) => { invokes: number[]; latestCompletion: number[] } {
  const built = new Map<number, { invokes: number[]; latestCompletion: number[] }>();
  return (value) => {
    let entry = built.get(value);
    if (entry === undefined) {
      const writers = [...(h.writersOf[value] ?? [])].map((w) => h.ops[w] as Operation).sort((x, y) => x.invokeTime - y.invokeTime);
      let latest = -Infinity;
      entry = { invokes: writers.map((w) => w.invokeTime), latestCompletion: writers.map((w) => (latest = Math.max(latest, w.completeTime))) };
      built.set(value, entry);
    }
    return entry;
  };
}

/**
 * A final read sees every write acknowledged before it was invoked (see divergentFinals). So it
 * cannot return a value whose every writer completed before some acknowledged write of another
 * value was invoked, that write itself acknowledged before the final read was invoked (nor absent,
 * once any write was acknowledged before it): that write is lost from the member's data. A sound
 * necessary condition (the search, which orders final reads by real time too, finds more). Of the
 * writes acknowledged before the bound, only the one invoked last needs asking: any other was
 * invoked no later, and if the last one wrote the value read, it completed after every other one's
 * invoke. O(n log n).
 *
 * The test is monotone in the bound (once the write invoked last is invoked after every writer of
 * the value completed, so is every one invoked later), so a binary search finds it. With
 * `records`, the same test by the time each write is known applied tells every other read's miss
 * (recordReadMisses).
 */
function lostWrites(h: RegisterHistory, records: SessionRecords | undefined): Anomaly[] {
  const at = (i: number): Operation => h.ops[i] as Operation;
  const reads: number[] = [];
  for (let i = 0; i < h.ops.length; i++) if (h.kind[i] === READ && h.realTime[i] === 1) reads.push(i);
  // The final reads found lacking a write: their loss is the anomaly, not a fall back of their session.
  const lost = new Set<number>();
  const anomalies: Anomaly[] = [];
  if (reads.length > 0) {
    // The definite writes in completion order (taken from all definite ops', already sorted);
    // latest.ops[j]: of the first j + 1 of them, the one invoked last (latest.invokeTimes[j]: its invoke).
    const writes = h.completionOrder.filter((i) => isDefiniteWrite(h, i));
    const completions = new Float64Array(writes.length);
    const latest = latestInvokedPrefix(h, writes);
    for (let j = 0; j < writes.length; j++) completions[j] = at(writes[j]!).completeTime;
    const lastWriterCompletion = new Float64Array(h.values.length).fill(-Infinity);
    h.writersOf.forEach((writers, v) => {
      for (const u of writers) lastWriterCompletion[v] = Math.max(lastWriterCompletion[v]!, at(u).completeTime);
    });
    for (const r of reads) {
      const value = h.need[r] as number;
      // A read of the value cannot follow the first k writes to complete once k passes this count
      // (the one invoked last among them was invoked after every writer of the value completed; it
      // is no writer of the value itself, which would have completed after that invoke).
      const follows = countAtOrBelow(latest.invokeTimes, lastWriterCompletion[value]!);
      // Nothing lost when the write it cannot follow completed after the final read was invoked:
      // the read then orders the two as an ordinary one does (a fork across keys: session-views.ts).
      const prefix = countBelow(completions, at(r).invokeTime);
      if (follows === writes.length || prefix <= follows) continue;
      lost.add(r);
      const missed = latest.ops[prefix - 1] as number;
      const writers = h.writersOf[value] ?? [];
      const shown = writers.slice(0, MAX_LISTED).map((u) => describeRegisterOp(h, u));
      const more = writers.length > shown.length ? `; and ${writers.length - shown.length} more` : '';
      const after = value === 0 ? '' : `, invoked after ${shown.join('; ')}${more} had completed`;
      const server = at(r).server === undefined ? '' : ` through ${at(r).server}`;
      anomalies.push({
        type: 'lost',
        key: h.key,
        element: h.values[h.put[missed] as number] as string,
        ops: ids([at(missed).id, ...writers.map((u) => at(u).id), at(r).id]),
        explanation:
          `key ${keyName(h.key)}: the final ${describeRegisterOp(h, r)}${server} misses ${describeRegisterOp(h, missed)}${after}, ` +
          `which was acknowledged before the final read was invoked: a final read follows a marker write through its own ` +
          `session, so its member had every acknowledged write, and this one is lost.`,
      });
    }
  }
  if (records !== undefined) recordReadMisses(h, records, lost);
  return anomalies;
}

/** Of writes[0..j] (local indices), the one invoked last and its invoke time, for each j. */
function latestInvokedPrefix(h: RegisterHistory, writes: ArrayLike<number>): { ops: Int32Array; invokeTimes: Float64Array } {
  const ops = new Int32Array(writes.length);
  const invokeTimes = new Float64Array(writes.length);
  for (let j = 0; j < writes.length; j++) {
    const w = writes[j]!;
    const invoked = (h.ops[w] as Operation).invokeTime;
    const keep = j > 0 && invokeTimes[j - 1]! >= invoked;
    ops[j] = keep ? ops[j - 1]! : w;
    invokeTimes[j] = keep ? invokeTimes[j - 1]! : invoked;
  }
  return { ops, invokeTimes };
}

/**
 * For the session rule across keys (session-views.ts): each read (but a final one found lacking a
 * write, a loss reported above) → the write it cannot follow that is known to have been applied
 * first (`misses`), and what shows that write applied before its acknowledgment, or at all when
 * it had none (`proofs`; see appliedBy in register-history.ts). A read of a value cannot follow a
 * write invoked once every writer of the value had been applied; of those writes, the one applied
 * earliest is the first, in order of application, to be invoked after that bound. Nor can it
 * follow a cas that required the value (of its one writer) and wrote another. O(n log n).
 */
function recordReadMisses(h: RegisterHistory, records: SessionRecords, lost: ReadonlySet<number>): void {
  const applied = appliedBy(h);
  const at = (i: number): Operation => h.ops[i] as Operation;
  const writes: number[] = [];
  for (let i = 0; i < h.ops.length; i++) if (applied.time[i]! < Infinity && (h.kind[i] === WRITE || h.kind[i] === CAS || h.kind[i] === IWRITE || h.kind[i] === ICAS)) writes.push(i);
  writes.sort((x, y) => applied.time[x]! - applied.time[y]! || x - y);
  const latest = latestInvokedPrefix(h, writes);
  // When every writer of each value had surely been applied (Infinity: one may never have been).
  const lastWriterApplied = new Float64Array(h.values.length).fill(-Infinity);
  h.writersOf.forEach((writers, v) => {
    for (const u of writers) lastWriterApplied[v] = Math.max(lastWriterApplied[v]!, applied.time[u]!);
  });
  // Of the cas ops known applied that required each value (its one writer's) and wrote another,
  // the one applied first: a read of the value cannot follow it, whenever it was invoked.
  const overwrite = new Int32Array(h.values.length).fill(NONE);
  for (let i = 0; i < h.ops.length; i++) {
    const v = h.need[i]!;
    if ((h.kind[i] !== CAS && h.kind[i] !== ICAS) || v === NULL_VALUE || h.put[i] === v || h.writersOf[v]?.length !== 1) continue;
    if (applied.time[i]! < (overwrite[v] === NONE ? Infinity : applied.time[overwrite[v]!]!)) overwrite[v] = i;
  }
  for (let r = 0; r < h.ops.length; r++) {
    if (h.kind[r] !== READ || lost.has(r)) continue;
    const value = h.need[r] as number;
    const follows = countAtOrBelow(latest.invokeTimes, lastWriterApplied[value]!);
    // The write applied next is the one invoked last among the first follows + 1; or the cas that
    // overwrote the value, when applied earlier.
    let missed = follows === writes.length ? NONE : (writes[follows] as number);
    const over = value === NULL_VALUE ? NONE : overwrite[value]!;
    if (over !== NONE && (missed === NONE || applied.time[over]! < applied.time[missed]!)) missed = over;
    if (missed === NONE) continue;
    records.misses.set(at(r), at(missed));
    const proof = applied.proof[missed]!;
    if (proof !== missed) records.proofs.set(at(missed), at(proof));
  }
}
