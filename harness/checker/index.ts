/**
 * The checker: decides whether a recorded history is consistent with ZooKeeper's guarantees.
 * Pure functions, no I/O. Each key is checked alone (per-key decomposition):
 * - set keys (add / read-set): direct rules, see set.ts;
 * - register keys (write / read / cas): zxid witness or search, see register.ts;
 * then one rule across keys (session-views.ts): a session never sees an older view than its own
 * acknowledged updates and earlier reads on other keys showed it.
 *
 * validity: invalid if any anomaly; else unknown if any key could not be decided (or the history is
 * empty: an unknownKeys entry with key '' names a reason about the whole history); else valid.
 */

import type { Operation } from '../history/types.ts';
import { keyName } from './describe.ts';
import { checkRegisterKey } from './register.ts';
import { sessionRecords, sessionsAcrossKeys } from './session-views.ts';
import { checkSetKey } from './set.ts';
import { type Anomaly, type CheckOptions, type CheckStats, DEFAULT_BUDGET, type UnknownKey, type Verdict } from './types.ts';

export type { Anomaly, AnomalyType, CheckOptions, CheckStats, UnknownKey, Validity, Verdict } from './types.ts';
export { DEFAULT_BUDGET } from './types.ts';

const SET_FUNCTIONS = new Set(['add', 'read-set']);

/** One key's operations, and how many of them are set operations (the others are register operations). */
interface KeyOperations {
  ops: Operation[];
  setOps: number;
}

/** One pass over a history: each key's operations and kind, and the counts the stats report. */
interface Survey {
  byKey: Map<string, KeyOperations>;
  byOutcome: CheckStats['byOutcome'];
  byFunction: Map<string, number>;
}

/**
 * The operations of each key, in history order, and each key's kind, counted in the same pass as
 * the stats' counts (a pass over a million operations spread over the heap costs 60-100 ms).
 * Counted first and then placed in lists of their final size: a history has a million operations
 * over thousands of keys, and growing a list per key by pushes cost twice as much as this.
 */
function survey(ops: readonly Operation[]): Survey {
  const indexOf = new Map<string, number>();
  const sizes: number[] = [];
  const setOps: number[] = [];
  const groupOf = new Int32Array(ops.length);
  // Counters and a map, not properties named by strings read from the file, which took 1.5-3x as long.
  let ok = 0;
  let fail = 0;
  let info = 0;
  const byFunction = new Map<string, number>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    let index = indexOf.get(op.key);
    if (index === undefined) {
      index = sizes.length;
      indexOf.set(op.key, index);
      sizes.push(0);
      setOps.push(0);
    }
    groupOf[i] = index;
    sizes[index]!++;
    if (SET_FUNCTIONS.has(op.f)) setOps[index]!++;
    if (op.outcome === 'ok') ok++;
    else if (op.outcome === 'fail') fail++;
    else info++; // the one other outcome: indeterminate
    byFunction.set(op.f, (byFunction.get(op.f) ?? 0) + 1);
  }
  const lists = sizes.map((size) => new Array<Operation>(size));
  const placed = new Int32Array(sizes.length);
  for (let i = 0; i < ops.length; i++) {
    const index = groupOf[i]!;
    lists[index]![placed[index]!++] = ops[i]!;
  }
  const byKey = new Map<string, KeyOperations>();
  for (const [key, index] of indexOf) byKey.set(key, { ops: lists[index]!, setOps: setOps[index]! });
  return { byKey, byOutcome: { ok, fail, info }, byFunction };
}

export function check(ops: readonly Operation[], options: CheckOptions = {}): Verdict {
  const budget = options.budget ?? DEFAULT_BUDGET;
  const { byKey, byOutcome, byFunction } = survey(ops);
  // Filled by each key's check, for the rule across keys (with one key, there is none to cross).
  const records = byKey.size > 1 ? sessionRecords(ops) : undefined;
  const stats: CheckStats = {
    operations: ops.length,
    byOutcome,
    byFunction: {},
    keys: byKey.size,
    setKeys: 0,
    registerKeys: 0,
    explainedKeys: 0,
    witnessKeys: 0,
    searchedKeys: 0,
    searchStates: 0,
  };
  for (const [f, count] of byFunction) stats.byFunction[f] = count;

  const anomalies: Anomaly[] = [];
  const unknownKeys: UnknownKey[] = [];
  for (const [key, { ops: list, setOps }] of byKey) {
    if (setOps === list.length) {
      stats.setKeys++;
      const result = checkSetKey(key, list, records);
      for (const anomaly of result.anomalies) anomalies.push(anomaly);
      if (result.unknown !== undefined) unknownKeys.push({ key, reason: result.unknown });
    } else if (setOps === 0) {
      stats.registerKeys++;
      const result = checkRegisterKey(key, list, budget, records);
      for (const anomaly of result.anomalies) anomalies.push(anomaly);
      if (result.method === 'explanation') stats.explainedKeys++;
      if (result.method === 'witness') stats.witnessKeys++;
      if (result.method === 'search') {
        stats.searchedKeys++;
        stats.searchStates += result.states;
      }
      if (result.unknown !== undefined) unknownKeys.push({ key, reason: result.unknown });
    } else {
      const functions = [...new Set(list.map((op) => op.f))].sort().join(', ');
      unknownKeys.push({ key, reason: `key ${keyName(key)} mixes set and register operations (${functions}); it was not checked` });
    }
  }
  if (records !== undefined) for (const anomaly of sessionsAcrossKeys(ops, records)) anomalies.push(anomaly);
  // A history that checks nothing is never valid.
  if (ops.length === 0) unknownKeys.push({ key: '', reason: 'the history has no operations: nothing was checked' });
  const validity = anomalies.length > 0 ? 'invalid' : unknownKeys.length > 0 ? 'unknown' : 'valid';
  return { validity, anomalies, unknownKeys, stats };
}
