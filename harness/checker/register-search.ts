/**
 * Wing–Gong–Lowe / Porcupine-style search for one register key: depth-first over "which op goes
 * next", memoising (set of placed ops, register state). See register-history.ts for the order
 * constraints and register-model.ts for the semantics.
 *
 * Reductions (each keeps the search complete):
 * - Reads and failed cas do not change the state (a final read waits, like a write, for the ops
 *   real time puts before it). When one is placeable and its precondition holds
 *   now, it is placed at once without branching: moving such an op earlier never breaks an edge
 *   (its own predecessors are placed; its successors only gain) and changes no other op's state.
 * - Branching is only over state-changing ops (ok write/cas, indeterminate write/cas). An
 *   indeterminate op may also never be placed: success needs only every definite op placed.
 * - Values are unique per key (checked: with a repeated value this reduction is off for it), and
 *   null is never written back, so once the register leaves value v it never holds v again. Leaving
 *   v while a definite op that needs v is still unplaced is therefore a dead end.
 * - An indeterminate write/cas whose value nobody observes matters only to let a failed cas see a
 *   different value; it is tried only when a placeable failed cas expects the current value.
 *
 * Candidates are tried in invocation order (local index order), as Porcupine does, definite and
 * indeterminate together: on writes-only histories with few values and crashed operations this
 * meets a linearization after about 14x fewer states than completion order did.
 *
 * Memo key: the register state, the length of the longest completion-order prefix of definite ops
 * that is all placed, the definite ops placed beyond it (but reads of unique values, which the rest
 * determines), and the placed indeterminate ops.
 */

import { CAS, FCAS, ICAS, IWRITE, NONE, READ, WRITE } from './register-model.ts';
import type { RegisterHistory } from './register-history.ts';

export interface DeadEnd {
  /** Definite ops placed at the deepest dead end. */
  placed: number;
  /** Register state (value id) there. */
  state: number;
  /** Local indices of the definite ops that could go next by order but not by value, or that
   * needed the current value and were still waiting for their session. */
  stuck: number[];
  /** placedOps[i] === 1 when local op i was placed there. */
  placedOps: Uint8Array;
}

export interface SearchResult {
  outcome: 'valid' | 'invalid' | 'unknown';
  /** Search states explored (memoised nodes). */
  states: number;
  /** For invalid: the deepest dead end reached. */
  deepest?: DeadEnd;
}

interface Frame {
  candidates: number[];
  next: number;
  trailLength: number;
  state: number;
  donePrefix: number;
  wkLo: number;
  wkHi: number;
  infoHi: number;
  placedDefinite: number;
  beyondTrailLength: number;
}

export function searchRegister(h: RegisterHistory, budget: number): SearchResult {
  const first = searchOnce(h, budget, NONE);
  if (first.outcome !== 'invalid' || first.deepestPlaced < 0) return { outcome: first.outcome, states: first.states };
  // The explanation needs the deepest dead end's whole state. Copying it at every new depth costs
  // O(n) each time (quadratic on long histories), so the first pass notes only the depth, and a
  // second, identical pass (deterministic, memo and all) stops there and copies it once.
  const again = searchOnce(h, budget, first.deepestPlaced);
  return again.deepest ? { outcome: 'invalid', states: first.states, deepest: again.deepest } : { outcome: 'invalid', states: first.states };
}

function searchOnce(h: RegisterHistory, budget: number, captureAt: number): SearchResult & { deepestPlaced: number } {
  const n = h.ops.length;
  const D = h.definiteCount;
  if (D === 0) return { outcome: 'valid', states: 0, deepestPlaced: NONE };
  const kind = Uint8Array.from(h.kind);
  const { need, put, realTime, completionOrder: order, completionRank: rank, predecessors: pred, previousInSession: prev } = h;
  const V = h.values.length;

  // The definite ops real time orders (failed cas, ok write, ok cas, final reads) and the
  // indeterminate ops, each sorted by how many definite ops must be placed before they may be. A
  // final read waits in this window, not in its value's read list: there it would be scanned at
  // every step until its time came (quadratic with many final reads of one value).
  const wk: number[] = [];
  const info: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (realTime[i] === 1 && (k as number) <= CAS) wk.push(i);
    else if (k === IWRITE || k === ICAS) info.push(i);
  }
  const byPred = (a: number, b: number): number => pred[a]! - pred[b]! || a - b;
  wk.sort(byPred);
  info.sort(byPred);

  // ready[v]: the ordinary reads of v whose session predecessor is placed (or that have none), in
  // the order they became ready: only these can be placed while the register holds v. A read joins
  // when its predecessor is placed and leaves when that is undone (last in, first out, like the
  // trail). Scanning every read of v instead, at every step, was quadratic in the reads of a value
  // written many times (80,000 operations: 11 s).
  const ready: number[][] = Array.from({ length: V }, () => []);
  // readsAfter[readsAfterStart[x] ..< readsAfterStart[x + 1]]: the ordinary reads whose session
  // predecessor is x.
  const readsAfterStart = new Int32Array(n + 1);
  const needers = new Int32Array(V);
  const placedNeeders = new Int32Array(V);
  const observed = new Uint8Array(V);
  // interest[v]: ops of any kind whose precondition mentions v (read, cas, failed cas, indeterminate
  // cas). When none is left unplaced, the current value is "dead": which dead value the register
  // holds cannot matter any more, so the memo key says just "dead" (merging e.g. the orders of
  // unobserved concurrent writes).
  const interest = new Int32Array(V);
  const placedInterest = new Int32Array(V);
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    const v = need[i] as number;
    if (k === READ && realTime[i] === 0) {
      if (prev[i] === NONE) (ready[v] as number[]).push(i);
      else readsAfterStart[(prev[i] as number) + 1]!++;
    }
    if (k === READ || k === CAS) needers[v] = needers[v]! + 1;
    if (k === READ || k === CAS || k === ICAS) observed[v] = 1;
    if (v !== NONE) interest[v] = interest[v]! + 1;
  }
  for (let x = 0; x < n; x++) readsAfterStart[x + 1] = readsAfterStart[x + 1]! + readsAfterStart[x]!;
  const readsAfter = new Int32Array(readsAfterStart[n]!);
  const filled = readsAfterStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    if (kind[i] === READ && realTime[i] === 0 && prev[i] !== NONE) readsAfter[filled[prev[i]!]!++] = i;
  }
  const unique = Uint8Array.from(h.writersOf, (writers, v) => (v === 0 || writers.length <= 1 ? 1 : 0));
  // Which placed ops the memo key must spell out. Not a read of a unique value: the search leaves
  // such a value only once every read of it is placed (the needers rule in candidates), so the
  // reads placed are those of values held before (all of them) and those of the current value
  // whose session predecessor is placed and, for a final read, whose real-time predecessors are
  // (all within donePrefix, which the key holds): the closure's fixpoint, a function of the rest
  // of the key.
  const keyed = new Uint8Array(n);
  for (let i = 0; i < n; i++) keyed[i] = kind[i] === READ && unique[need[i]!] === 1 ? 0 : 1;

  // Mutable search state.
  const placed = new Uint8Array(n);
  /** readyPtr[v]: ready[v] before it is all placed (reads are placed only by the closure, which
   * places every ready read of the value held, so the placed ones are a prefix). */
  const readyPtr = new Int32Array(V);
  /** Undo log: op index (placed), or -(v+1) preceded by the old readyPtr[v]. */
  const trail: number[] = [];
  let state = 0;
  let donePrefix = 0;
  let wkLo = 0;
  let wkHi = 0;
  let infoHi = 0;
  let placedDefinite = 0;
  // The keyed definite ops placed beyond the completion-order prefix (ranks > donePrefix), as an
  // unordered set with O(1) add and remove, undone in LIFO order through beyondTrail: add = op,
  // remove = the op's slot then -(op+1). The memo key lists just these, so its length follows the
  // search's frontier, not the history (a window bitset up to the highest placed rank grew with
  // the history when a late-completing read was placed early: quadratic on long histories).
  const beyond: number[] = [];
  const slotOf = new Int32Array(n).fill(NONE);
  const beyondTrail: number[] = [];
  const removeBeyond = (op: number): void => {
    const slot = slotOf[op] as number;
    const last = beyond.pop() as number;
    if (last !== op) {
      beyond[slot] = last;
      slotOf[last] = slot;
    }
    slotOf[op] = NONE;
    beyondTrail.push(slot, -op - 1);
  };
  const undoBeyondTo = (length: number): void => {
    while (beyondTrail.length > length) {
      const x = beyondTrail.pop() as number;
      if (x >= 0) {
        beyond.pop();
        slotOf[x] = NONE;
      } else {
        const op = -x - 1;
        const slot = beyondTrail.pop() as number;
        if (slot < beyond.length) {
          const moved = beyond[slot] as number;
          slotOf[moved] = beyond.length;
          beyond.push(moved);
          beyond[slot] = op;
        } else {
          beyond.push(op);
        }
        slotOf[op] = slot;
      }
    }
  };

  const memo = new Set<string>();
  let states = 0;
  let deepest: DeadEnd | undefined;
  let deepestPlaced = NONE;

  const advanceWindows = (): void => {
    while (wkHi < wk.length && (pred[wk[wkHi]!] as number) <= donePrefix) wkHi++;
    while (infoHi < info.length && (pred[info[infoHi]!] as number) <= donePrefix) infoHi++;
  };

  const place = (i: number): void => {
    placed[i] = 1;
    trail.push(i);
    const k = kind[i] as number;
    if (k <= CAS) {
      placedDefinite++;
      const r = rank[i] as number;
      if (r === donePrefix) {
        donePrefix++;
        while (donePrefix < D) {
          const next = order[donePrefix] as number;
          if (placed[next] !== 1) break;
          if (slotOf[next] !== NONE) removeBeyond(next);
          donePrefix++;
        }
        advanceWindows();
      } else if (keyed[i] === 1) {
        slotOf[i] = beyond.length;
        beyond.push(i);
        beyondTrail.push(i);
      }
      if (k === READ || k === CAS) {
        const v = need[i] as number;
        placedNeeders[v] = placedNeeders[v]! + 1;
      }
      if (realTime[i] === 1) while (wkLo < wk.length && placed[wk[wkLo]!] === 1) wkLo++;
    }
    const v = need[i] as number;
    if (v !== NONE) placedInterest[v] = placedInterest[v]! + 1;
    const p = put[i] as number;
    if (p !== NONE) state = p;
    for (let j = readsAfterStart[i]!; j < readsAfterStart[i + 1]!; j++) {
      const r = readsAfter[j] as number;
      (ready[need[r]!] as number[]).push(r);
    }
  };

  const undoTo = (length: number): void => {
    while (trail.length > length) {
      const x = trail.pop() as number;
      if (x >= 0) {
        placed[x] = 0;
        for (let j = readsAfterStart[x + 1]! - 1; j >= readsAfterStart[x]!; j--) (ready[need[readsAfter[j]!]!] as number[]).pop();
        const k = kind[x];
        const v = need[x] as number;
        if (k === READ || k === CAS) placedNeeders[v] = placedNeeders[v]! - 1;
        if (v !== NONE) placedInterest[v] = placedInterest[v]! - 1;
      } else {
        readyPtr[-x - 1] = trail.pop() as number;
      }
    }
  };

  /** Session order binds every kind of op, also when the previous op completed at the very
   * nanosecond this one was invoked (real time alone would leave them unordered). */
  const sessionReady = (x: number): boolean => {
    const before = prev[x] as number;
    return before === NONE || placed[before] === 1;
  };

  /** Places every placeable read / failed cas whose precondition holds, until none is left (a final
   * read, from the window, once every definite op that completed before it was invoked is placed). */
  const closure = (): void => {
    for (;;) {
      let progressed = false;
      const list = ready[state] as number[];
      const old = readyPtr[state] as number;
      let p = old;
      while (p < list.length && placed[list[p]!] === 1) p++;
      if (p !== old) {
        trail.push(old, -state - 1);
        readyPtr[state] = p;
      }
      // Placing a read may make its session's next read ready: the list grows under the loop.
      for (let j = p; j < list.length; j++) {
        const r = list[j] as number;
        if (placed[r] === 1) continue;
        place(r);
        progressed = true;
      }
      for (let j = wkLo; j < wkHi; j++) {
        const x = wk[j] as number;
        if (placed[x] === 1 || !sessionReady(x)) continue;
        if ((kind[x] === FCAS && need[x] !== state) || (kind[x] === READ && need[x] === state)) {
          place(x);
          progressed = true;
        }
      }
      if (!progressed) return;
    }
  };

  // Memo key, packed 16 bits per character: state, donePrefix, the number of keyed ops placed
  // beyond the prefix and their ranks in ascending order, then a bitset of the indeterminate ops in
  // [0, infoHi) (its length follows from donePrefix), so the packing is unambiguous.
  const codes: number[] = [];
  const ranks: number[] = [];
  const memoKey = (): string => {
    codes.length = 0;
    const shown = interest[state] === placedInterest[state] ? 0xffffffff : state;
    codes.push(shown & 0xffff, shown >>> 16, donePrefix & 0xffff, donePrefix >>> 16, beyond.length & 0xffff, beyond.length >>> 16);
    ranks.length = 0;
    for (const op of beyond) ranks.push(rank[op] as number);
    ranks.sort((a, b) => a - b);
    for (const r of ranks) codes.push(r & 0xffff, r >>> 16);
    pushPlacedBits(codes, placed, info, 0, infoHi);
    if (codes.length <= 4096) return String.fromCharCode.apply(null, codes);
    let key = '';
    for (let i = 0; i < codes.length; i += 4096) key += String.fromCharCode.apply(null, codes.slice(i, i + 4096));
    return key;
  };

  /** Unplaced definite needers of the current value (when unique), or 0. */
  const pendingNeeders = (): number =>
    unique[state] === 1 ? needers[state]! - placedNeeders[state]! : 0;

  const candidates = (): number[] => {
    const remaining = pendingNeeders();
    if (remaining >= 2) return [];
    const definite: number[] = [];
    let failedCasSeesState = false;
    for (let j = wkLo; j < wkHi; j++) {
      const x = wk[j] as number;
      if (placed[x] === 1 || !sessionReady(x)) continue;
      const k = kind[x];
      if (k === WRITE) {
        if (remaining === 0) definite.push(x);
      } else if (k === CAS) {
        if (need[x] === state) definite.push(x);
      } else if (k === FCAS && need[x] === state) {
        failedCasSeesState = true;
      }
    }
    if (remaining > 0) return definite.sort(byIndex);
    for (let j = 0; j < infoHi; j++) {
      const u = info[j] as number;
      if (placed[u] === 1 || !sessionReady(u)) continue;
      if (kind[u] === ICAS && need[u] !== state) continue;
      if (observed[put[u]!] === 0 && !failedCasSeesState) continue;
      definite.push(u);
    }
    return definite.sort(byIndex);
  };

  /** Notes the depth of a dead end; at depth captureAt (the second pass), copies it: true. */
  const noteDeadEnd = (): boolean => {
    if (placedDefinite > deepestPlaced) deepestPlaced = placedDefinite;
    if (placedDefinite !== captureAt || deepest) return false;
    const stuck = new Set<number>();
    for (let j = wkLo; j < wkHi; j++) {
      const x = wk[j] as number;
      if (placed[x] === 0) stuck.add(x);
    }
    const waiting = pendingNeeders() > 0;
    for (let i = 0; i < n; i++) {
      if (placed[i] === 1 || kind[i] !== READ) continue;
      const before = prev[i] as number;
      if (before === NONE || placed[before] === 1 || (waiting && need[i] === state)) stuck.add(i);
    }
    if (waiting) for (const x of wk) if (placed[x] === 0 && kind[x] === CAS && need[x] === state) stuck.add(x);
    deepest = { placed: placedDefinite, state, stuck: [...stuck].sort((a, b) => a - b), placedOps: placed.slice() };
    return true;
  };

  type Entered = number[] | 'success' | 'dead' | 'budget' | 'captured';
  const enter = (): Entered => {
    closure();
    if (placedDefinite === D) return 'success';
    const key = memoKey();
    if (memo.has(key)) return 'dead';
    memo.add(key);
    if (++states > budget) return 'budget';
    const c = candidates();
    if (c.length === 0) return noteDeadEnd() ? 'captured' : 'dead';
    return c;
  };

  const frame = (candidates: number[]): Frame => ({
    candidates,
    next: 0,
    trailLength: trail.length,
    state,
    donePrefix,
    wkLo,
    wkHi,
    infoHi,
    placedDefinite,
    beyondTrailLength: beyondTrail.length,
  });

  const result = (outcome: SearchResult['outcome']): SearchResult & { deepestPlaced: number } =>
    deepest ? { outcome, states, deepest, deepestPlaced } : { outcome, states, deepestPlaced };

  advanceWindows();
  const root = enter();
  if (root === 'success') return result('valid');
  if (root === 'budget') return result('unknown');
  if (root === 'dead' || root === 'captured') return result('invalid');
  const stack: Frame[] = [frame(root)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    undoTo(top.trailLength);
    undoBeyondTo(top.beyondTrailLength);
    state = top.state;
    donePrefix = top.donePrefix;
    wkLo = top.wkLo;
    wkHi = top.wkHi;
    infoHi = top.infoHi;
    placedDefinite = top.placedDefinite;
    if (top.next >= top.candidates.length) {
      stack.pop();
      continue;
    }
    place(top.candidates[top.next++] as number);
    const entered = enter();
    if (entered === 'success') return result('valid');
    if (entered === 'budget') return result('unknown');
    if (entered === 'captured') return result('invalid');
    if (entered !== 'dead') stack.push(frame(entered));
  }
  return result('invalid');
}

const byIndex = (a: number, b: number): number => a - b;

/** Appends, 16 per code, one bit per operation ids[from..to): whether it is placed. */
function pushPlacedBits(codes: number[], placed: Uint8Array, ids: ArrayLike<number>, from: number, to: number): void {
  let word = 0;
  let bit = 0;
  for (let i = from; i < to; i++) {
    if (placed[ids[i]!] === 1) word |= 1 << bit;
    if (++bit === 16) {
      codes.push(word);
      word = 0;
      bit = 0;
    }
  }
  if (bit > 0) codes.push(word);
}
