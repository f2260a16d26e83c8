/**
 * The register model, Porcupine style: a state and a step function. A key's values are interned
 * to small integers (0 is null: the znode is absent, the initial state), so the state is one int.
 *
 * Operation kinds (only these take part in the check; a failed write, a failed or indeterminate
 * read, a cas that failed before its comparison did not happen or observed nothing):
 *   READ   ok read v            requires state == v
 *   FCAS   failed cas [e, n]    requires state != e (a constraint: it saw something else); only a
 *                               cas refused by its comparison (BAD_VERSION) is one, see casComparisonFailed
 *   WRITE  ok write v           state := v
 *   CAS    ok cas [e, n]        requires state == e; state := n
 *   IWRITE indeterminate write  state := v, if it happened at all
 *   ICAS   indeterminate cas    requires state == e; state := n, if it happened at all
 */

export const READ = 0;
export const FCAS = 1;
export const WRITE = 2;
export const CAS = 3;
export const IWRITE = 4;
export const ICAS = 5;
export type Kind = typeof READ | typeof FCAS | typeof WRITE | typeof CAS | typeof IWRITE | typeof ICAS;

export const NULL_VALUE = 0;
export const NONE = -1;

export interface RegisterModel {
  /** The initial state: null. */
  readonly init: number;
  /** The state after op, or NONE when op cannot happen in state. */
  step(state: number, kind: Kind, need: number, put: number): number;
}

export const registerModel: RegisterModel = {
  init: NULL_VALUE,
  step(state, kind, need, put) {
    switch (kind) {
      case READ:
        return state === need ? state : NONE;
      case FCAS:
        return state !== need ? state : NONE;
      case WRITE:
      case IWRITE:
        return put;
      case CAS:
      case ICAS:
        return state === need ? put : NONE;
    }
  },
};

/** Definite ops happened (ok) or definitely constrain (failed cas); they must all be ordered. */
export function isDefinite(kind: Kind): boolean {
  return kind <= CAS;
}

/** Ops ordered by real time against every earlier-completed definite op (all but reads). */
export function isWriteKind(kind: Kind): boolean {
  return kind !== READ;
}

export function changesState(kind: Kind): boolean {
  return kind >= WRITE;
}
