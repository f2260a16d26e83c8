/**
 * The zxid fast path for a register key. ZooKeeper reports, for an ok write/cas, the zxid of the
 * value it wrote (mzxid) and, for an ok read, the mzxid of the value it read. That suggests a
 * witness order: writes by zxid, each read right after the write it reports. The witness is only a
 * hint from the system under test: verifyOrder checks it against every constraint the search
 * enforces, in O(n log n). A verified witness proves the key valid; otherwise the caller searches.
 */

import type { Operation } from '../history/types.ts';
import { CAS, FCAS, ICAS, IWRITE, type Kind, NONE, READ, registerModel, WRITE } from './register-model.ts';
import type { RegisterHistory } from './register-history.ts';
import { countAtOrBelow, countBelow } from './sorted.ts';

/** Below every real zxid: the position of the write that created the znode. */
const CREATED_FIRST = BigInt(-1);

/** Builds the witness order (local indices), or undefined when zxids are missing or inconsistent. */
export function zxidWitness(h: RegisterHistory): number[] | undefined {
  const n = h.ops.length;
  const { kind, need, put, ops } = h;

  // A write may lack its zxid (ZooKeeper's create answers with no stat). Its value's mzxid, as a
  // read of that value reports it, is the write's zxid when the write is the value's only writer;
  // a write whose value nobody read and that created the znode (version 0) came before every
  // other write. Either is only a hint: verifyOrder checks the order it gives.
  const readZxidOf = new Map<number, bigint>();
  for (let i = 0; i < n; i++) {
    const z = (ops[i] as Operation).zxid;
    if (kind[i] === READ && need[i] !== 0 && z !== undefined) readZxidOf.set(need[i] as number, z);
  }
  const zxidOf = new Array<bigint | undefined>(n);
  const zxids: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (k !== WRITE && k !== CAS && !(k === READ && need[i] !== 0)) continue;
    const op = ops[i] as Operation;
    let z = op.zxid;
    if (z === undefined && k === WRITE) {
      const v = put[i] as number;
      if ((h.writersOf[v] ?? []).length === 1) z = readZxidOf.get(v) ?? (op.version === 0 ? CREATED_FIRST : undefined);
    }
    if (z === undefined) return undefined;
    zxidOf[i] = z;
    zxids.push(z);
  }
  zxids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rankOf = new Map<bigint, number>();
  for (const z of zxids) if (!rankOf.has(z)) rankOf.set(z, rankOf.size);
  const zrank = (i: number): number => rankOf.get(zxidOf[i] as bigint) as number;

  const writerAt = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (kind[i] !== WRITE && kind[i] !== CAS) continue;
    const z = zrank(i);
    if (writerAt.has(z)) return undefined;
    writerAt.set(z, i);
  }

  // Sort keys: (zxid rank, sub, local index); position -1 = before every write.
  const major = new Float64Array(n).fill(NaN);
  const minor = new Int8Array(n);
  const indeterminateWriterOf = (value: number): number | undefined => {
    for (const w of h.writersOf[value] ?? []) if (kind[w] === IWRITE || kind[w] === ICAS) return w;
    return undefined;
  };
  const placeIndeterminate = (u: number, z: number, sub: number): void => {
    const current = major[u] as number;
    if (Number.isNaN(current) || z < current || (z === current && sub < minor[u]!)) {
      major[u] = z;
      minor[u] = sub;
    }
  };

  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (k === WRITE || k === CAS) {
      major[i] = zrank(i);
      minor[i] = 0;
    } else if (k === READ) {
      if (need[i] === 0) {
        major[i] = -1;
        minor[i] = 1;
        continue;
      }
      const z = zrank(i);
      major[i] = z;
      minor[i] = 1;
      if (!writerAt.has(z)) {
        const u = indeterminateWriterOf(need[i] as number);
        if (u === undefined) return undefined;
        placeIndeterminate(u, z, 0);
      }
    }
  }
  // An indeterminate write consumed by a cas but never read: just before that cas.
  for (let i = 0; i < n; i++) {
    if (kind[i] !== CAS || need[i] === 0) continue;
    const v = need[i] as number;
    if ((h.writersOf[v] ?? []).some((w) => kind[w] === WRITE || kind[w] === CAS)) continue;
    const u = indeterminateWriterOf(v);
    if (u === undefined) return undefined;
    if (Number.isNaN(major[u] as number)) placeIndeterminate(u, zrank(i), -1);
  }

  const base: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(major[i] as number)) base.push(i);
  base.sort((a, b) => major[a]! - major[b]! || minor[a]! - minor[b]! || a - b);

  const failed: number[] = [];
  for (let i = 0; i < n; i++) if (kind[i] === FCAS) failed.push(i);
  if (failed.length === 0) return base;
  return insertFailedCas(h, base, failed);
}

/**
 * Inserts each failed cas into a gap of the base order: after every definite op that completed
 * before it was invoked, before every write invoked after it completed and before the next op of
 * its session, at the first such gap where the register does not hold the expected value.
 */
function insertFailedCas(h: RegisterHistory, base: number[], failed: number[]): number[] | undefined {
  const { kind, need, put, ops } = h;
  const n = ops.length;
  const m = base.length;
  const pos = new Int32Array(n).fill(-1);
  base.forEach((i, p) => (pos[i] = p));

  // stateBefore[g]: register value in gap g (before base[g]); runEnd[g]: next gap with another value.
  const stateBefore = new Int32Array(m + 1);
  for (let g = 0; g < m; g++) {
    const p = put[base[g]!] as number;
    stateBefore[g + 1] = p !== NONE ? p : stateBefore[g]!;
  }
  const runEnd = new Int32Array(m + 1);
  runEnd[m] = m + 1;
  for (let g = m - 1; g >= 0; g--) runEnd[g] = stateBefore[g] !== stateBefore[g + 1] ? g + 1 : runEnd[g + 1]!;

  // Lower bound: definite ops in base by completion time, prefix max of position.
  const byCompletion = base.filter((i) => kind[i] === READ || kind[i] === WRITE || kind[i] === CAS);
  byCompletion.sort((a, b) => (ops[a] as Operation).completeTime - (ops[b] as Operation).completeTime);
  const completions = byCompletion.map((i) => (ops[i] as Operation).completeTime);
  const prefixMax = new Int32Array(byCompletion.length);
  let best = -1;
  byCompletion.forEach((i, j) => {
    best = Math.max(best, pos[i] as number);
    prefixMax[j] = best;
  });
  // Upper bound: write-kind ops and final reads in base by invoke time, suffix min of position.
  const writes = base.filter((i) => h.realTime[i] === 1);
  writes.sort((a, b) => (ops[a] as Operation).invokeTime - (ops[b] as Operation).invokeTime);
  const invokes = writes.map((i) => (ops[i] as Operation).invokeTime);
  const suffixMin = new Int32Array(writes.length + 1).fill(m);
  for (let j = writes.length - 1; j >= 0; j--) suffixMin[j] = Math.min(suffixMin[j + 1] as number, pos[writes[j]!] as number);
  // The next op of the same session that is in the base order: one backward pass over all ops,
  // keeping each session's latest (scanning forward from each failed cas is quadratic in a session
  // of many failed cas).
  const nextInBase = new Int32Array(n).fill(-1);
  const nextOfSession = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) {
    const process = (ops[i] as Operation).process;
    nextInBase[i] = nextOfSession.get(process) ?? -1;
    if (pos[i] !== -1) nextOfSession.set(process, i);
  }

  const lowerBound = (i: number): number => {
    const below = countBelow(completions, (ops[i] as Operation).invokeTime);
    return below > 0 ? prefixMax[below - 1]! + 1 : 0;
  };
  // Unobserved indeterminate ops (left out of the base order): they may be needed to explain a
  // failed cas that saw a value other than the one every observation implies.
  const spare: number[] = [];
  for (let i = 0; i < n; i++) if ((kind[i] === IWRITE || kind[i] === ICAS) && pos[i] === -1) spare.push(i);
  const helperAt = new Map<number, number>();

  // Failed cas ops that completed before f was invoked must sit in a gap <= f's: a prefix-max
  // Fenwick tree over their completion ranks (f are processed in invoke order).
  const failedByCompletion = [...failed].sort((a, b) => (ops[a] as Operation).completeTime - (ops[b] as Operation).completeTime);
  const failedCompletions = failedByCompletion.map((i) => (ops[i] as Operation).completeTime);
  const failedRank = new Int32Array(n);
  failedByCompletion.forEach((i, r) => (failedRank[i] = r));
  const tree = new Int32Array(failed.length + 1);
  const treeUpdate = (rank: number, gap: number): void => {
    for (let x = rank + 1; x <= failed.length; x += x & -x) tree[x] = Math.max(tree[x] as number, gap);
  };
  const treeQuery = (count: number): number => {
    let best = 0;
    for (let x = count; x > 0; x -= x & -x) best = Math.max(best, tree[x] as number);
    return best;
  };

  const gapOf = new Int32Array(n);
  for (const f of failed) {
    const op = ops[f] as Operation;
    let lower = Math.max(lowerBound(f), treeQuery(countBelow(failedCompletions, op.invokeTime)));
    // Session order, also when the previous op completed at the nanosecond f was invoked.
    const before = h.previousInSession[f] as number;
    if (before !== NONE) lower = Math.max(lower, pos[before] !== -1 ? pos[before]! + 1 : gapOf[before]!);
    let upper = suffixMin[countAtOrBelow(invokes, op.completeTime)] as number;
    const next = nextInBase[f] as number;
    if (next !== -1) upper = Math.min(upper, pos[next] as number);
    let g = lower;
    if (g <= m && stateBefore[g] === need[f]) {
      // Just before the next state change, an unobserved indeterminate op may have changed it.
      const beforeChange = runEnd[g]! - 1;
      const e = stateBefore[g] as number;
      const helped = helperAt.has(beforeChange);
      if (!helped && beforeChange <= upper) {
        const k = spare.findIndex((u) => (kind[u] === IWRITE || need[u] === e) && put[u] !== e && lowerBound(u) <= beforeChange);
        if (k !== -1) {
          helperAt.set(beforeChange, spare[k] as number);
          spare.splice(k, 1);
        }
      }
      g = helperAt.has(beforeChange) && beforeChange <= upper ? beforeChange : runEnd[g]!;
    }
    if (g > upper) return undefined;
    gapOf[f] = g;
    treeUpdate(failedRank[f]!, g);
  }
  failed.sort((a, b) => gapOf[a]! - gapOf[b]! || a - b);
  const order: number[] = [];
  let j = 0;
  for (let g = 0; g <= m; g++) {
    const helper = helperAt.get(g);
    if (helper !== undefined) order.push(helper);
    while (j < failed.length && gapOf[failed[j]!] === g) order.push(failed[j++] as number);
    if (g < m) order.push(base[g] as number);
  }
  return order;
}

/**
 * Checks a total order (local indices) against the guarantee: every definite op exactly once, each
 * op legal in the model state at its position, real time for write-kind ops and final reads (no
 * definite op placed after x completed before x was invoked), and session order. Returns
 * undefined when it holds, else the first violation found.
 */
export function verifyOrder(h: RegisterHistory, order: readonly number[]): string | undefined {
  const { kind, need, put, ops } = h;
  const n = ops.length;
  const pos = new Int32Array(n).fill(-1);
  for (let p = 0; p < order.length; p++) {
    const i = order[p] as number;
    if (i < 0 || i >= n || pos[i] !== -1) return `op index ${i} is missing or repeated`;
    pos[i] = p;
  }
  for (let i = 0; i < n; i++) {
    if (kind[i]! <= CAS && pos[i] === -1) return `definite op ${(ops[i] as Operation).id} is not ordered`;
  }
  let state = registerModel.init;
  for (const i of order) {
    const next = registerModel.step(state, kind[i] as Kind, need[i] as number, put[i] as number);
    if (next === NONE) return `op ${(ops[i] as Operation).id} is illegal in state ${h.values[state]}`;
    state = next;
  }
  const suffixMin = new Float64Array(order.length + 1).fill(Infinity);
  for (let p = order.length - 1; p >= 0; p--) {
    const i = order[p] as number;
    const t = kind[i]! <= CAS ? (ops[i] as Operation).completeTime : Infinity;
    suffixMin[p] = Math.min(suffixMin[p + 1] as number, t);
  }
  for (let p = 0; p < order.length; p++) {
    const i = order[p] as number;
    if (h.realTime[i] === 0) continue;
    if (suffixMin[p + 1]! < (ops[i] as Operation).invokeTime) {
      return `an op completed before op ${(ops[i] as Operation).id} was invoked but is ordered after it`;
    }
  }
  for (let i = 0; i < n; i++) {
    const before = h.previousInSession[i] as number;
    if (pos[i] === -1 || before === NONE) continue;
    if (pos[before]! > pos[i]!) return `op ${(ops[i] as Operation).id} is ordered before an earlier op of its session`;
  }
  return undefined;
}
