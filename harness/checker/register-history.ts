/**
 * One register key's operations, prepared for the witness check and the search: only the ops that
 * take part (see register-model.ts), sorted by invoke time, with interned values and the derived
 * order constraints.
 *
 * The order constraints (edges "y before x") of the guarantee checked:
 * - real time for write-kind x (write, cas of any outcome): every definite y (ok, or failed cas)
 *   with y.completeTime < x.invokeTime. Reads are definite, so a read that completed before a write
 *   was invoked cannot see it.
 * - session order for reads: every earlier definite op of the read's own process. A read is NOT
 *   ordered after other sessions' writes that completed before it: ZooKeeper reads may be stale.
 * - real time for final reads (ok reads marked `"final": true`), as for write-kind ops: a final
 *   read follows a marker write through its own session, so its member has applied every write
 *   acknowledged before it was invoked; one that misses such a write shows it lost.
 *
 * A failed cas constrains the register (it held something other than the expected value) only when
 * its comparison failed and no other op writes the expected value: ZooKeeper compares versions, so
 * a value written twice may be held under a version the cas did not name.
 */

import { casComparisonFailed, type Operation } from '../history/types.ts';
import { byInvoke, q } from './describe.ts';
import { CAS, FCAS, ICAS, isDefinite, IWRITE, type Kind, NONE, NULL_VALUE, READ, WRITE } from './register-model.ts';
import type { SeenWrites } from './session-views.ts';
import { countBelow } from './sorted.ts';

export interface RegisterHistory {
  key: string;
  /** Local index → operation; sorted by invoke time (then id). */
  ops: Operation[];
  kind: Kind[];
  /** Value the op requires (READ: value read; CAS/ICAS/FCAS: expected), or NONE. */
  need: Int32Array;
  /** Value the op writes (WRITE/IWRITE: value; CAS/ICAS: new), or NONE. */
  put: Int32Array;
  /** Value id → value; id 0 is null. */
  values: (string | null)[];
  /** 1 for the ops real time orders after every definite op that completed before they were
   * invoked: write-kind ops and final reads (see above). */
  realTime: Uint8Array;
  /** Number of definite ops (READ, FCAS, WRITE, CAS). */
  definiteCount: number;
  /** Definite ops' local indices in completion order (ties by invoke order). */
  completionOrder: Int32Array;
  /** Rank in completionOrder, or NONE for an indeterminate op. */
  completionRank: Int32Array;
  /** Number of definite ops that completed strictly before this op was invoked. */
  predecessors: Int32Array;
  /** The previous definite op of the same process (session order), or NONE. */
  previousInSession: Int32Array;
  /** Local indices of the ops that may write each value (WRITE, CAS, IWRITE, ICAS). */
  writersOf: number[][];
}

/** Builds the register history of one key; malformed values (impossible after parsing) are skipped. */
export function prepareRegister(key: string, all: readonly Operation[]): RegisterHistory {
  const values: (string | null)[] = [null];
  const ids = new Map<string, number>();
  const intern = (v: string | null): number => {
    if (v === null) return NULL_VALUE;
    let id = ids.get(v);
    if (id === undefined) {
      id = values.length;
      values.push(v);
      ids.set(v, id);
    }
    return id;
  };

  // Filled side by side, one entry per op that takes part (no record per op: a key may have 100,000s).
  const ops: Operation[] = [];
  const kind: Kind[] = [];
  const needs: number[] = [];
  const puts: number[] = [];
  const choose = (op: Operation, k: Kind, need: number, put: number): void => {
    ops.push(op);
    kind.push(k);
    needs.push(need);
    puts.push(put);
  };
  // How many ops may write each value: a compared failed cas of a value written more than once says nothing.
  const writes = new Map<string, number>();
  const wrote = (v: unknown): void => {
    if (typeof v === 'string') writes.set(v, (writes.get(v) ?? 0) + 1);
  };
  for (const op of all) {
    if (op.outcome === 'fail') continue;
    if (op.f === 'write') wrote(op.input);
    else if (op.f === 'cas' && Array.isArray(op.input) && op.input.length === 2) wrote(op.input[1]);
  }
  for (const op of [...all].sort(byInvoke)) {
    if (op.f === 'read') {
      if (op.outcome !== 'ok') continue;
      if (typeof op.output !== 'string' && op.output !== null) continue;
      choose(op, READ, intern(op.output), NONE);
    } else if (op.f === 'write') {
      if (op.outcome === 'fail' || typeof op.input !== 'string') continue;
      choose(op, op.outcome === 'ok' ? WRITE : IWRITE, NONE, intern(op.input));
    } else if (op.f === 'cas') {
      const input = op.input;
      if (!Array.isArray(input) || input.length !== 2) continue;
      const [expected, next] = input as [string | null, string];
      // A cas that failed without being compared did nothing and observed nothing; one refused by
      // the version of a value written more than once observed nothing about the value.
      if (op.outcome === 'fail' && (!casComparisonFailed(op.error) || (expected !== null && (writes.get(expected) ?? 0) > 1))) continue;
      const k = op.outcome === 'ok' ? CAS : op.outcome === 'fail' ? FCAS : ICAS;
      choose(op, k, intern(expected), k === FCAS ? NONE : intern(next));
    }
  }

  const n = ops.length;
  const need = Int32Array.from(needs);
  const put = Int32Array.from(puts);
  const realTime = new Uint8Array(n);
  for (let i = 0; i < n; i++) realTime[i] = kind[i] !== READ || (ops[i] as Operation).final === true ? 1 : 0;

  const definite: number[] = [];
  for (let i = 0; i < n; i++) if (isDefinite(kind[i] as Kind)) definite.push(i);
  definite.sort((a, b) => (ops[a] as Operation).completeTime - (ops[b] as Operation).completeTime || a - b);
  const completionOrder = Int32Array.from(definite);
  const completionRank = new Int32Array(n).fill(NONE);
  definite.forEach((i, rank) => (completionRank[i] = rank));
  const completeTimes = definite.map((i) => (ops[i] as Operation).completeTime);

  const predecessors = new Int32Array(n);
  const previousInSession = new Int32Array(n).fill(NONE);
  const lastOfProcess = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const op = ops[i] as Operation;
    predecessors[i] = countBelow(completeTimes, op.invokeTime);
    const previous = lastOfProcess.get(op.process);
    if (previous !== undefined) previousInSession[i] = previous;
    if (isDefinite(kind[i] as Kind)) lastOfProcess.set(op.process, i);
  }

  const writersOf: number[][] = values.map(() => []);
  for (let i = 0; i < n; i++) {
    const p = put[i] as number;
    if (p !== NONE) (writersOf[p] as number[]).push(i);
  }

  return {
    key,
    ops,
    kind,
    need,
    put,
    values,
    realTime,
    definiteCount: definite.length,
    completionOrder,
    completionRank,
    predecessors,
    previousInSession,
    writersOf,
  };
}

/** "read 41 (process 3) returning 'v7'" etc. */
export function describeRegisterOp(h: RegisterHistory, i: number): string {
  const op = h.ops[i] as Operation;
  const k = h.kind[i];
  const v = (id: number): string => q(h.values[id] ?? null);
  switch (k) {
    case READ:
      return `read ${op.id} (process ${op.process}) returning ${v(h.need[i] as number)}`;
    case FCAS:
      return `failed cas ${op.id} (process ${op.process}) expecting ${v(h.need[i] as number)}`;
    case CAS:
      return `cas ${op.id} (process ${op.process}) from ${v(h.need[i] as number)} to ${v(h.put[i] as number)}`;
    case ICAS:
      return `indeterminate cas ${op.id} (process ${op.process}) from ${v(h.need[i] as number)} to ${v(h.put[i] as number)}`;
    case WRITE:
      return `write ${op.id} (process ${op.process}) of ${v(h.put[i] as number)}`;
    case IWRITE:
      return `indeterminate write ${op.id} (process ${op.process}) of ${v(h.put[i] as number)}`;
    default:
      return `op ${op.id}`;
  }
}

/**
 * By when each write-kind op (local index) is known to have been applied, and the op whose
 * completion shows it (`proof`; the op itself when that is its own acknowledgment): its
 * completion if ok (Infinity if not); earlier, or at all, when an ok read returned its value by
 * then (the members apply only committed writes), or when an ok cas, or a cas known applied,
 * required its value (the leader prepares a cas after the write whose version it names, and
 * commits in order). Only a value's one writer is known so: of several, a read shows only that one
 * of them was applied. Known times flow from cas to the write it required, lowest first, so each
 * op's time is settled once. O(n log n).
 */
export function appliedBy(h: RegisterHistory): { time: Float64Array; proof: Int32Array } {
  const n = h.ops.length;
  const time = new Float64Array(n).fill(Infinity);
  const proof = new Int32Array(n).fill(NONE);
  const onlyWriter = (value: number): number => (value > NULL_VALUE && h.writersOf[value]?.length === 1 ? h.writersOf[value]![0]! : NONE);
  const lower = (i: number, t: number, by: number): void => {
    if (t < time[i]!) {
      time[i] = t;
      proof[i] = by;
    }
  };
  for (let i = 0; i < n; i++) if (h.kind[i] === WRITE || h.kind[i] === CAS) lower(i, (h.ops[i] as Operation).completeTime, i);
  for (let i = 0; i < n; i++) {
    if (h.kind[i] !== READ) continue;
    const writer = onlyWriter(h.need[i]!);
    if (writer !== NONE) lower(writer, (h.ops[i] as Operation).completeTime, i);
  }
  const known: number[] = [];
  for (let i = 0; i < n; i++) if (time[i]! < Infinity) known.push(i);
  known.sort((x, y) => time[x]! - time[y]!);
  for (const start of known) {
    // Down the chain of cas ops each requiring the previous one's write, while that lowers it.
    for (let i = start; h.kind[i] === CAS || h.kind[i] === ICAS; ) {
      const writer = onlyWriter(h.need[i]!);
      if (writer === NONE || time[writer]! <= time[i]!) break;
      lower(writer, time[i]!, proof[i]!);
      i = writer;
    }
  }
  return { time, proof };
}

/**
 * Records in `seen` the write each ok read of the key proves its member had applied (see
 * session-views.ts): the earliest-invoked writer of the value read, if invoked before the read
 * completed (writersOf lists them in invoke order). A read of absent proves nothing. Likewise an
 * ok cas and the value it expected: the leader compared it with the register, and the session's
 * member answered once it had applied the cas, so every write before it, that one included.
 */
export function recordSeenWrites(h: RegisterHistory, seen: SeenWrites): void {
  for (let i = 0; i < h.ops.length; i++) {
    const value = h.need[i] as number;
    if ((h.kind[i] !== READ && h.kind[i] !== CAS) || value === NULL_VALUE) continue;
    const first = h.writersOf[value]![0];
    if (first === undefined) continue;
    const read = h.ops[i] as Operation;
    const writer = h.ops[first] as Operation;
    if (writer.invokeTime < read.completeTime) seen.set(read, writer);
  }
}
