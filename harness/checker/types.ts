/**
 * The checker's verdict. Pure data; render it however you like (see harness/report).
 */

/** invalid: at least one anomaly. unknown: no anomaly, but some key could not be decided. */
export type Validity = 'valid' | 'invalid' | 'unknown';

/**
 * - lost: an ok add that completed before a final read-set of its key was invoked is missing from
 *   that final read; or an element an ok read-set returned (so committed, whatever its add's
 *   outcome) before a final read-set was invoked is missing from it. Register keys: a final read
 *   returned a value (or absent) that an acknowledged write, itself acknowledged before the final
 *   read was invoked, had definitely replaced.
 * - skipped-write: a read-set shows an element but lacks one whose add was acknowledged before the
 *   shown element's add was invoked (any session); or two read-sets each show an element the other
 *   lacks (a fork: whichever add came first, one holds the later without it); or two sessions each
 *   read a state without the other's concurrent update on another key, after their own was
 *   acknowledged (see session-views.ts). No server state holds a later write without an earlier
 *   one.
 * - failed-add-present: an add that failed (definitely did not happen) appears in an ok read-set.
 * - unexpected-element: an ok read-set holds an element no add on that key ever tried to add.
 * - stale-read-in-session: a session went back in time. Set keys: a read-set lacks an element the
 *   session had already seen, had added itself, or that was added before the session's own latest
 *   acknowledged add of the key was invoked. Register keys: the session observed (read,
 *   cas-expected or wrote) b, then observed a, whose writer completed before b's writer was invoked
 *   (or absent after a value). Any key: a read misses a write acknowledged before the session's
 *   anchor on another key was invoked (its own acknowledged update, or a write an earlier read of
 *   it saw: see session-views.ts). ZooKeeper's per-session guarantees; real time across sessions
 *   is never required of reads.
 * - nonlinearizable: no total order of a register key's operations respects real time among writes
 *   and final reads, each session's order, and the register semantics. Either a cas succeeded
 *   from a value that real time says was already overwritten (named directly), or the search
 *   found no order (the explanation names its deepest point).
 * - phantom-value: a read (or a successful cas) observed a value no write or cas ever wrote.
 * - future-read: a read observed a value (or an element) whose writers were all invoked after the
 *   read completed.
 * - divergent: two final reads of a register (each after a marker write through its own session,
 *   so each member had caught up) disagree, the later one returning a value that no indeterminate
 *   write could have set in between: the members hold different data.
 */
export type AnomalyType =
  | 'lost'
  | 'failed-add-present'
  | 'unexpected-element'
  | 'stale-read-in-session'
  | 'nonlinearizable'
  | 'phantom-value'
  | 'future-read'
  | 'skipped-write'
  | 'divergent';

export interface Anomaly {
  type: AnomalyType;
  key: string;
  /** Plain English; names the elements/values and the operation ids involved. */
  explanation: string;
  /** Ids (invoke indices) of the operations that prove the anomaly. */
  ops: number[];
  /** The element (set keys) or value (register keys) at stake, when there is one. */
  element?: string;
}

export interface UnknownKey {
  /** The key; '' when the reason is about the whole history (e.g. it has no operations). */
  key: string;
  /** Why the key could not be decided (e.g. the search budget ran out). */
  reason: string;
}

export interface CheckOptions {
  /** Search states a register key may explore before it is declared unknown. Default 2,000,000. */
  budget?: number;
}

export interface CheckStats {
  operations: number;
  byOutcome: { ok: number; fail: number; info: number };
  /** Operations per function (add, read-set, write, read, cas). */
  byFunction: Record<string, number>;
  /** Distinct keys, and how many were checked as sets and as registers. */
  keys: number;
  setKeys: number;
  registerKeys: number;
  /** Register keys decided by a direct explanation (an anomaly named without search, or nothing to check). */
  explainedKeys: number;
  /** Register keys proven valid by the zxid witness (no search needed). */
  witnessKeys: number;
  /** Register keys that needed the search, and the states it explored over all of them. */
  searchedKeys: number;
  searchStates: number;
}

export interface Verdict {
  validity: Validity;
  anomalies: Anomaly[];
  unknownKeys: UnknownKey[];
  stats: CheckStats;
}

export const DEFAULT_BUDGET = 2_000_000;
