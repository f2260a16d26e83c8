/**
 * The checker: decides whether a recorded history is consistent with ZooKeeper's guarantees.
 * Pure functions, no I/O. Each key is checked alone (per-key decomposition):
 * - set keys (add / read-set): direct rules, see set.ts;
 * - register keys (write / read / cas): zxid witness or search, see register.ts.
 *
 * validity: invalid if any anomaly; else unknown if any key could not be decided (or the history is
 * empty: an unknownKeys entry with key '' names a reason about the whole history); else valid.
 */

import type { Operation } from '../history/types.ts';
import { keyName } from './describe.ts';
import { checkRegisterKey } from './register.ts';
import { checkSetKey } from './set.ts';
import { type Anomaly, type CheckOptions, type CheckStats, DEFAULT_BUDGET, type UnknownKey, type Verdict } from './types.ts';

export type { Anomaly, AnomalyType, CheckOptions, CheckStats, UnknownKey, Validity, Verdict } from './types.ts';
export { DEFAULT_BUDGET } from './types.ts';

const SET_FUNCTIONS = new Set(['add', 'read-set']);
const REGISTER_FUNCTIONS = new Set(['write', 'read', 'cas']);

export function check(ops: readonly Operation[], options: CheckOptions = {}): Verdict {
  const budget = options.budget ?? DEFAULT_BUDGET;
  const stats: CheckStats = {
    operations: ops.length,
    byOutcome: { ok: 0, fail: 0, info: 0 },
    byFunction: {},
    keys: 0,
    setKeys: 0,
    registerKeys: 0,
    explainedKeys: 0,
    witnessKeys: 0,
    searchedKeys: 0,
    searchStates: 0,
  };
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    stats.byOutcome[op.outcome]++;
    stats.byFunction[op.f] = (stats.byFunction[op.f] ?? 0) + 1;
    const list = byKey.get(op.key);
    if (list) list.push(op);
    else byKey.set(op.key, [op]);
  }
  stats.keys = byKey.size;

  const anomalies: Anomaly[] = [];
  const unknownKeys: UnknownKey[] = [];
  for (const [key, list] of byKey) {
    if (list.every((op) => SET_FUNCTIONS.has(op.f))) {
      stats.setKeys++;
      const result = checkSetKey(key, list);
      for (const anomaly of result.anomalies) anomalies.push(anomaly);
      if (result.unknown !== undefined) unknownKeys.push({ key, reason: result.unknown });
    } else if (list.every((op) => REGISTER_FUNCTIONS.has(op.f))) {
      stats.registerKeys++;
      const result = checkRegisterKey(key, list, budget);
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
  // A history that checks nothing is never valid.
  if (ops.length === 0) unknownKeys.push({ key: '', reason: 'the history has no operations: nothing was checked' });
  const validity = anomalies.length > 0 ? 'invalid' : unknownKeys.length > 0 ? 'unknown' : 'valid';
  return { validity, anomalies, unknownKeys, stats };
}
