import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { prepareRegister } from '../../harness/checker/register-history.ts';
import { searchRegister } from '../../harness/checker/register-search.ts';
import { verifyOrder, zxidWitness } from '../../harness/checker/register-witness.ts';
import type { Operation } from '../../harness/history/types.ts';

const stripZxids = (ops: readonly Operation[]): Operation[] => ops.map((op) => ({ ...op, zxid: undefined }));

/**
 * An independent oracle for register keys: the guarantee exactly as specified, by exhaustive search
 * over every order (Wing–Gong–Lowe without any of the checker's reductions, windows or memo-key
 * shortcuts). With `memo`, dead ends are remembered by (ops placed, register state), which is
 * sound and lets it judge histories of a few dozen operations; without, it is the plainest
 * reference, for tiny histories (and a check on the memo itself).
 */
function exhaustiveOracle(ops: readonly Operation[], { memo }: { memo: boolean }): 'valid' | 'invalid' | 'unknown' {
  // A failed cas took part only when its comparison failed (BAD_VERSION) and nothing else may write
  // the value it expected (ZooKeeper compares versions: a value written twice has two); otherwise it
  // says nothing.
  const writes = (value: string | null): number =>
    ops.filter((op) => op.outcome !== 'fail' && (op.f === 'write' ? op.input === value : op.f === 'cas' && (op.input as string[])[1] === value)).length;
  const compared = (op: Operation): boolean =>
    op.outcome !== 'fail' || ((op.error ?? '').includes('BAD_VERSION') && writes((op.input as [string | null, string])[0]) <= 1);
  const included = ops.filter(
    (op) => (op.f === 'read' && op.outcome === 'ok') || (op.f === 'write' && op.outcome !== 'fail') || (op.f === 'cas' && compared(op)),
  );
  const definite = (op: Operation): boolean => op.outcome === 'ok' || (op.f === 'cas' && op.outcome === 'fail');
  const total = included.filter(definite).length;
  if (total === 0) return 'unknown'; // nothing definite: nothing to check, never "valid"
  const n = included.length;
  // mustPrecede[x]: the definite ops that have to be placed before x may be. Session order binds
  // every op; real time binds write-kind ops and final reads (other reads may be stale).
  const mustPrecede = included.map((x) =>
    included.flatMap((y, j) => {
      if (y === x || !definite(y)) return [];
      const session = y.process === x.process && (y.invokeTime < x.invokeTime || (y.invokeTime === x.invokeTime && y.id < x.id));
      return session || ((x.f !== 'read' || x.final === true) && y.completeTime < x.invokeTime) ? [j] : [];
    }),
  );
  const placed = new Uint8Array(n);
  const dead = new Set<string>();
  const dfs = (state: string | null, placedDefinite: number): boolean => {
    if (placedDefinite === total) return true;
    const key = memo ? `${placed.join('')}|${state === null ? '' : `=${state}`}` : '';
    if (memo && dead.has(key)) return false;
    for (let i = 0; i < n; i++) {
      const x = included[i] as Operation;
      if (placed[i] === 1 || (mustPrecede[i] as number[]).some((j) => placed[j] === 0)) continue;
      let next = state;
      if (x.f === 'read') {
        if (x.output !== state) continue;
      } else if (x.f === 'write') {
        next = x.input as string;
      } else {
        const [expected, value] = x.input as [string | null, string];
        if (x.outcome === 'fail') {
          if (state === expected) continue;
        } else if (state !== expected) continue;
        else next = value;
      }
      placed[i] = 1;
      const found = dfs(next, placedDefinite + (definite(x) ? 1 : 0));
      placed[i] = 0;
      if (found) return true;
    }
    if (memo) dead.add(key);
    return false;
  };
  return dfs(null, 0) ? 'valid' : 'invalid';
}

const memoisedOracle = (ops: readonly Operation[]): 'valid' | 'invalid' | 'unknown' => exhaustiveOracle(ops, { memo: true });

const CAS_KIND = 3; // kinds above it are indeterminate (register-model.ts)

/** The guarantee for one total order, checked the plainest way (independent of verifyOrder). */
function independentOrderCheck(h: ReturnType<typeof prepareRegister>, order: readonly number[]): boolean {
  const n = h.ops.length;
  if (order.some((i) => i < 0 || i >= n) || new Set(order).size !== order.length) return false;
  for (let i = 0; i < n; i++) if (h.kind[i]! <= CAS_KIND && !order.includes(i)) return false;
  let state = 0;
  for (const i of order) {
    const k = h.kind[i]!;
    const need = h.need[i]!;
    const put = h.put[i]!;
    if ((k === 0 || k === 3 || k === 5) && state !== need) return false; // read, cas, indeterminate cas
    if (k === 1 && state === need) return false; // failed cas
    if (k >= 2 && k !== 1 && put !== -1) state = put;
  }
  for (let a = 0; a < order.length; a++) {
    for (let b = a + 1; b < order.length; b++) {
      const x = order[a]!; // placed before y
      const y = order[b]!;
      const ox = h.ops[x]!;
      const oy = h.ops[y]!;
      // y before x is forced by real time when x is write-kind or a final read and y definite and
      // completed first, and by session order always.
      if ((h.kind[x] !== 0 || ox.final === true) && h.kind[y]! <= CAS_KIND && oy.completeTime < ox.invokeTime) return false;
      if (ox.process === oy.process && h.kind[y]! <= CAS_KIND && (oy.invokeTime < ox.invokeTime || (oy.invokeTime === ox.invokeTime && oy.id < ox.id)) && h.previousInSession[x] !== -1) return false;
    }
  }
  return true;
}

/** Trial counts; mutation testing (vitest.mutation.config.ts) runs a quarter of them per mutant. */
const trials = (n: number): number => Math.ceil(n * Number(process.env.ZK_CHAOS_TRIALS_SCALE ?? 1));

/** The plainest reference, for tiny histories. */
const oracle = (ops: readonly Operation[]): 'valid' | 'invalid' | 'unknown' => exhaustiveOracle(ops, { memo: false });

/** Random tiny register histories: many invalid, some valid. */
function randomHistory(rng: RandomGenerator, processes: number, maxOpsPerProcess: number, duplicates = false): Operation[] {
  const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
  const values = ['v1', 'v2', 'v3', 'v4', null];
  let fresh = 0;
  const raw: Omit<Operation, 'id'>[] = [];
  for (let p = 1; p <= processes; p++) {
    let t = int(0, 20);
    const count = int(1, maxOpsPerProcess);
    for (let k = 0; k < count; k++) {
      const invokeTime = t;
      const duration = int(1, 30);
      const roll = int(0, 99);
      const outcome: Operation['outcome'] = roll < 70 ? 'ok' : roll < 85 ? 'fail' : 'info';
      const which = int(0, 2);
      let op: Omit<Operation, 'id'>;
      const base = { process: p, key: 'r', outcome, invokeTime, completeTime: outcome === 'info' ? Infinity : invokeTime + duration };
      if (which === 0) {
        const v = `w${++fresh}`;
        op = { ...base, f: 'write', input: v, output: v };
      } else if (which === 1) {
        // A fifth of the reads are final reads, which real time orders like writes.
        op = { ...base, f: 'read', input: null, output: values[int(0, values.length - 1)] ?? null, ...(int(0, 4) === 0 ? { final: true } : {}) };
      } else {
        const input: [string | null, string] = [values[int(0, values.length - 1)] ?? null, `c${++fresh}`];
        op = { ...base, f: 'cas', input: input as string[], output: input as string[] };
      }
      if (outcome === 'fail') op.error = which === 2 && int(0, 2) === 0 ? 'NOT_CONNECTED' : 'BAD_VERSION';
      raw.push(op);
      if (outcome === 'info') break;
      // 0: the next invoke at the very nanosecond of the previous completion (session order only).
      t = invokeTime + duration + int(0, 10);
    }
  }
  // Reads and cas name values v1..v4; let some writes write them so they exist.
  let named = 0;
  for (const op of raw) {
    if (op.f === 'write' && (duplicates || named < 4) && int(0, 1) === 0) {
      named++;
      op.input = duplicates ? `v${int(1, 3)}` : `v${named}`;
      op.output = op.input;
    }
  }
  raw.sort((a, b) => a.invokeTime - b.invokeTime);
  return raw.map((op, id) => ({ ...op, id }));
}

/**
 * Plausible register histories: a ZooKeeper-like register (writes take effect at a point inside
 * their interval, reads see a possibly stale but per-session monotonic version), then, sometimes,
 * one observation tampered with. Mostly valid; the tampered ones are near misses.
 */
function plausibleHistory(rng: RandomGenerator, processes: number, maxOpsPerProcess: number, overlap = 1, repeats = false): Operation[] {
  const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
  interface Draft { op: Omit<Operation, 'id'>; effect: number; applies: boolean }
  const drafts: Draft[] = [];
  for (let p = 1; p <= processes; p++) {
    let t = int(0, 10);
    const count = int(1, maxOpsPerProcess);
    for (let k = 0; k < count; k++) {
      const invokeTime = t;
      // overlap > 1 stretches operations over their neighbours': many writes in flight at once.
      const duration = int(1, 25 * overlap);
      const info = int(0, 9) === 0;
      const which = int(0, 2);
      const f = which === 0 ? 'write' : which === 1 ? 'read' : 'cas';
      const op: Omit<Operation, 'id'> = {
        process: p, key: 'r', f, input: null, output: null, outcome: info ? 'info' : 'ok',
        invokeTime, completeTime: info ? Infinity : invokeTime + duration,
      };
      drafts.push({ op, effect: invokeTime + int(0, duration), applies: !info || int(0, 1) === 0 });
      if (info) break;
      t = invokeTime + duration + int(1, 8);
    }
  }
  drafts.sort((a, b) => a.effect - b.effect);
  const versions: (string | null)[] = [null];
  const sessionSeen = new Map<number, number>();
  let fresh = 0;
  for (const d of drafts) {
    const seen = sessionSeen.get(d.op.process) ?? 0;
    if (d.op.f === 'write') {
      // repeats: a quarter of the writes write a value written before (the unique-value reductions
      // switch off for it, and a value's writer is no longer known from the value).
      const v = repeats && fresh > 0 && int(0, 3) === 0 ? `w${int(1, fresh)}` : `w${++fresh}`;
      d.op.input = v;
      d.op.output = v;
      if (d.applies) {
        versions.push(v);
        sessionSeen.set(d.op.process, versions.length - 1);
        if (d.op.outcome === 'ok') d.op.zxid = BigInt(versions.length - 1);
      }
    } else if (d.op.f === 'read') {
      const at = int(seen, versions.length - 1);
      d.op.output = versions[at] ?? null;
      sessionSeen.set(d.op.process, at);
      if (at > 0) d.op.zxid = BigInt(at);
    } else {
      const expected = int(0, 2) === 0 ? (versions[int(0, versions.length - 1)] ?? null) : (versions[seen] ?? null);
      const next = `c${++fresh}`;
      d.op.input = [expected, next] as string[];
      d.op.output = d.op.input;
      const current = versions[versions.length - 1] ?? null;
      if (current === expected) {
        if (d.applies) {
          versions.push(next);
          sessionSeen.set(d.op.process, versions.length - 1);
          if (d.op.outcome === 'ok') d.op.zxid = BigInt(versions.length - 1);
        }
      } else if (d.op.outcome === 'ok') {
        d.op.outcome = 'fail';
        d.op.error = 'BAD_VERSION';
        // ZooKeeper's server answers the failure after applying what the leader had.
        sessionSeen.set(d.op.process, Math.max(seen, versions.length - 1));
      }
    }
  }
  const ops = drafts.map((d) => d.op).sort((a, b) => a.invokeTime - b.invokeTime);
  // Half the time, final reads once everything has taken effect (each after a marker write, so it
  // sees the latest version), one or two of them: real time orders them like writes.
  if (int(0, 1) === 0) {
    let end = 0;
    for (const d of drafts) end = Math.max(end, d.effect, Number.isFinite(d.op.completeTime) ? d.op.completeTime : 0);
    const last = versions.length - 1;
    for (let k = int(1, 2); k > 0; k--) {
      const invokeTime = end + int(1, 5);
      ops.push({ process: 100 + k, key: 'r', f: 'read', input: null, output: versions[last] ?? null, outcome: 'ok', invokeTime, completeTime: invokeTime + int(1, 5), final: true, ...(last > 0 ? { zxid: BigInt(last) } : {}) });
    }
  }
  if (int(0, 2) === 0 && ops.length > 0) {
    const victim = ops[int(0, ops.length - 1)] as Omit<Operation, 'id'>;
    if (victim.f === 'read') victim.output = versions[int(0, versions.length - 1)] ?? null;
    else if (victim.f === 'cas' && victim.outcome !== 'info') {
      victim.outcome = victim.outcome === 'ok' ? 'fail' : 'ok';
      victim.error = victim.outcome === 'fail' ? 'BAD_VERSION' : undefined;
    }
    else if (victim.f === 'write') victim.outcome = 'fail';
  }
  return ops.map((op, id) => ({ ...op, id }));
}

/**
 * The checker agrees with the oracle on 4,000 random neighbours of a hand-made history (one to
 * three changes each: a value, a write made a cas, a session, a time): the shapes around a trap that
 * random histories rarely reach. Both verdicts have to come up often enough to mean something.
 */
function agreesOnNeighbours(base: readonly Operation[], seed: number): void {
  const rng = xoroshiro128plus(seed);
  const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
  const times = [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 30, 31];
  const values = [...new Set(base.flatMap((op) => (op.f === 'write' ? [op.input as string] : op.f === 'cas' ? (op.input as string[]) : [])))];
  const seen = { valid: 0, invalid: 0, unknown: 0 };
  for (let trial = 0; trial < trials(4000); trial++) {
    const ops = base.map((op) => ({ ...op }));
    for (let k = int(1, 3); k > 0; k--) {
      const op = ops[int(0, ops.length - 1)] as Operation;
      const change = int(0, 3);
      if (change === 0) {
        const value = int(0, values.length) === values.length ? null : (values[int(0, values.length - 1)] as string);
        if (op.f === 'read') op.output = value;
        else if (op.f === 'cas' && value !== null) op.input = op.output = [value, (op.input as [string, string])[1]];
      } else if (change === 1 && op.f === 'write') {
        const cas = [values[int(0, values.length - 1)] as string, `n${trial}`];
        Object.assign(op, { f: 'cas', input: cas, output: cas });
      } else if (change === 2) {
        op.process = int(1, 7);
      } else if (op.outcome !== 'info') {
        op.invokeTime = times[int(0, times.length - 1)] as number;
        op.completeTime = op.invokeTime + int(1, 10);
      }
    }
    // Sessions stay sequential: an op that would overlap its session's previous one gets its own.
    ops.sort((p, q) => p.invokeTime - q.invokeTime);
    const busyUntil = new Map<number, number>();
    ops.forEach((op, i) => {
      if ((busyUntil.get(op.process) ?? -1) > op.invokeTime) op.process = 100 + i;
      busyUntil.set(op.process, op.completeTime);
      op.id = i;
    });
    const expected = oracle(ops);
    expect(check(ops).validity, JSON.stringify(ops)).toBe(expected);
    seen[expected]++;
  }
  expect(seen.valid).toBeGreaterThan(trials(400));
  expect(seen.invalid).toBeGreaterThan(trials(400));
}

describe('register search', () => {
  it('agrees with a brute-force oracle on thousands of random tiny histories', () => {
    const rng = xoroshiro128plus(42);
    const seen = { valid: 0, invalid: 0, unknown: 0 };
    for (let trial = 0; trial < trials(4000); trial++) {
      const ops = randomHistory(rng, trial % 2 === 0 ? 3 : 4, 3);
      const expected = oracle(ops);
      const verdict = check(ops);
      if (verdict.validity !== expected) {
        throw new Error(`trial ${trial}: checker says ${verdict.validity}, oracle ${expected}\n${JSON.stringify(ops, null, 1)}`);
      }
      seen[expected]++;
    }
    expect(seen.valid).toBeGreaterThan(trials(300));
    expect(seen.invalid).toBeGreaterThan(trials(2000));
  });

  it('agrees with the oracle on plausible histories and their near misses, with and without zxids', () => {
    const rng = xoroshiro128plus(1234);
    const seen = { valid: 0, invalid: 0, unknown: 0, witnessed: 0 };
    for (let trial = 0; trial < trials(3000); trial++) {
      const ops = plausibleHistory(rng, trial % 3 === 0 ? 4 : 3, 3);
      const expected = oracle(ops);
      const verdict = check(ops); // zxids present: the witness may decide (it must be right)
      const searched = check(stripZxids(ops));
      if (verdict.validity !== expected || searched.validity !== expected) {
        const show = JSON.stringify(ops, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v), 1);
        throw new Error(`trial ${trial}: checker says ${verdict.validity} / ${searched.validity} (no zxids), oracle ${expected}\n${show}`);
      }
      seen[expected]++;
      seen.witnessed += verdict.stats.witnessKeys;
    }
    expect(seen.valid).toBeGreaterThan(trials(1500));
    expect(seen.invalid).toBeGreaterThan(trials(300));
    // The witness should prove most valid histories (the rest fall back to the search).
    expect(seen.witnessed).toBeGreaterThan(seen.valid * 0.9);
  });

  it('agrees with the oracle when values repeat (the unique-value reductions switch off)', () => {
    const rng = xoroshiro128plus(99);
    const seen = { valid: 0, invalid: 0, unknown: 0 };
    for (let trial = 0; trial < trials(3000); trial++) {
      const ops = randomHistory(rng, 3, 3, true);
      const expected = oracle(ops);
      const verdict = check(ops);
      if (verdict.validity !== expected) {
        throw new Error(`trial ${trial}: checker says ${verdict.validity}, oracle ${expected}\n${JSON.stringify(ops, null, 1)}`);
      }
      seen[expected]++;
    }
    expect(seen.valid).toBeGreaterThan(trials(200));
    expect(seen.invalid).toBeGreaterThan(trials(1000));
  });

  it('agrees with a memoised exhaustive oracle on medium histories (5-7 sessions, up to 10 operations each)', () => {
    // Long enough for what tiny histories never reach: the completion-order prefix moving on, the
    // windows over write-kind and indeterminate ops, and the memo merging orders.
    const rng = xoroshiro128plus(2026);
    const seen = { valid: 0, invalid: 0, unknown: 0, searched: 0 };
    for (let trial = 0; trial < trials(20_000); trial++) {
      const mode = trial % 5;
      const sessions = 5 + (trial % 3);
      const ops =
        mode === 0 ? plausibleHistory(rng, sessions, 10)
        : mode === 1 ? stripZxids(plausibleHistory(rng, sessions, 10))
        : mode === 2 ? stripZxids(plausibleHistory(rng, sessions, 6, 5)) // crowded: the search has to backtrack
        : mode === 3 ? plausibleHistory(rng, sessions, 8, 2, true) // values written twice
        : randomHistory(rng, sessions, 5, trial % 10 === 4);
      const expected = memoisedOracle(ops);
      const verdict = check(ops);
      if (verdict.validity !== expected) {
        const show = JSON.stringify(ops, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v), 1);
        throw new Error(`trial ${trial}: checker says ${verdict.validity}, oracle ${expected}\n${show}`);
      }
      seen[expected]++;
      seen.searched += verdict.stats.searchedKeys;
    }
    expect(seen.valid).toBeGreaterThan(trials(8000));
    expect(seen.invalid).toBeGreaterThan(trials(4000));
    expect(seen.searched).toBeGreaterThan(trials(5000));
  }, 120_000);

  it('keeps the memo key right when an op that completed early is placed after later ones', () => {
    // The key lists the ops placed beyond the completion-order prefix. Placing A (completed first)
    // after B and X moves the prefix past B while X stays beyond: the set must then hold X, not B.
    // Were it to keep B, the dead end B, X, A would share a key with B, Y, A (prefix 2, {B}), the
    // only way to a linearization (B, Y, A, R, X, F), and a valid history would be called invalid.
    const w = (id: number, process: number, value: string, invokeTime: number, completeTime: number): Operation =>
      ({ id, process, key: 'r', f: 'write', input: value, output: value, outcome: 'ok', invokeTime, completeTime });
    const sixOps: Operation[] = [
      w(0, 1, 'a', 0, 10), // A
      w(1, 2, 'b', 1, 10), // B
      w(2, 4, 'x', 3, 14), // X
      { id: 3, process: 1, key: 'r', f: 'cas', input: ['a', 'z'], output: ['a', 'z'], outcome: 'fail', error: 'BAD_VERSION', invokeTime: 10, completeTime: 11 }, // F
      w(4, 2, 'y', 10, 13), // Y
      { id: 5, process: 2, key: 'r', f: 'read', input: null, output: 'a', outcome: 'ok', invokeTime: 20, completeTime: 21 }, // R
    ];
    // The same trap without timestamp ties; a failed cas expecting b stands in for B.
    const sevenOps: Operation[] = [
      w(0, 1, 'a', 0, 10),
      { id: 1, process: 2, key: 'r', f: 'cas', input: ['b', 'z0'], output: ['b', 'z0'], outcome: 'fail', error: 'BAD_VERSION', invokeTime: 1, completeTime: 11 },
      { id: 2, process: 3, key: 'r', f: 'cas', input: ['a', 'c'], output: ['a', 'c'], outcome: 'ok', invokeTime: 2, completeTime: 12 },
      w(3, 4, 'x', 3, 13),
      w(4, 5, 'y', 4, 14),
      { id: 5, process: 5, key: 'r', f: 'read', input: null, output: 'a', outcome: 'ok', invokeTime: 20, completeTime: 21 },
      { id: 6, process: 6, key: 'r', f: 'cas', input: ['c', 'z3'], output: ['c', 'z3'], outcome: 'fail', error: 'BAD_VERSION', invokeTime: 30, completeTime: 31 },
    ];
    for (const ops of [sixOps, sevenOps]) {
      expect(oracle(ops)).toBe('valid');
      expect(check(ops).validity).toBe('valid');
    }
    // Random neighbours of the seven: the shapes around the trap, which random histories reach
    // about once in a million.
    agreesOnNeighbours(sevenOps, 11);
  });

  it('shows a value as dead only while no unplaced op mentions it, also after backtracking', () => {
    // Write a and the maybe-applied cas a -> c are tried first and undone (the read of c waits for
    // write b, earlier in its session); the undo must give back the cas's interest in a. Were a
    // then taken as dead with both cas on it unplaced, "b then a" would share a key with the dead
    // end "a then b" (b is mentioned by no one) and the only linearization (b, a, cas, read c,
    // failed cas on a) would be cut off.
    const ops: Operation[] = [
      { id: 0, process: 1, key: 'r', f: 'write', input: 'a', output: 'a', outcome: 'ok', invokeTime: 0, completeTime: 10 },
      { id: 1, process: 2, key: 'r', f: 'write', input: 'b', output: 'b', outcome: 'ok', invokeTime: 1, completeTime: 11 },
      { id: 2, process: 3, key: 'r', f: 'cas', input: ['a', 'c'], output: ['a', 'c'], outcome: 'info', invokeTime: 2, completeTime: Infinity },
      { id: 3, process: 2, key: 'r', f: 'read', input: null, output: 'c', outcome: 'ok', invokeTime: 11, completeTime: 14 },
      { id: 4, process: 1, key: 'r', f: 'cas', input: ['a', 'd'], output: ['a', 'd'], outcome: 'fail', error: 'BAD_VERSION', invokeTime: 20, completeTime: 23 },
    ];
    expect(oracle(ops)).toBe('valid');
    expect(check(ops).validity).toBe('valid');
    agreesOnNeighbours(ops, 12);
  });

  it('refuses a zxid witness that puts a cas after an op invoked once the cas had completed', () => {
    // ZooKeeper's zxids say write a, write c, cas c -> b; real time says the cas completed before
    // write c was invoked, so it cannot have seen c: no linearization exists. The zxid order is
    // legal step by step, so only the real-time check on the cas refuses it.
    const ops: Operation[] = [
      { id: 0, process: 1, key: 'r', f: 'write', input: 'a', output: 'a', outcome: 'ok', invokeTime: 0, completeTime: 1, zxid: 1n },
      { id: 1, process: 2, key: 'r', f: 'cas', input: ['c', 'b'], output: ['c', 'b'], outcome: 'ok', invokeTime: 2, completeTime: 3, zxid: 3n },
      { id: 2, process: 3, key: 'r', f: 'write', input: 'c', output: 'c', outcome: 'ok', invokeTime: 5, completeTime: 6, zxid: 2n },
      { id: 3, process: 4, key: 'r', f: 'read', input: null, output: 'b', outcome: 'ok', invokeTime: 10, completeTime: 11, zxid: 3n },
    ];
    const h = prepareRegister('r', ops);
    const witness = zxidWitness(h);
    expect(witness).toBeDefined();
    expect(verifyOrder(h, witness!)).toMatch(/completed before op 2 was invoked but is ordered after it/);
    expect(oracle(ops)).toBe('invalid');
    expect(check(ops).validity).toBe('invalid');
  });

  it('accepts only witnesses that the oracle accepts', () => {
    const rng = xoroshiro128plus(7);
    let verified = 0;
    for (let trial = 0; trial < trials(2000); trial++) {
      const ops = randomHistory(rng, 3, 3);
      // Invent zxids: writers in invoke order, reads pointing at a writer of what they read.
      let z = 0;
      const zxidOf = new Map<string, bigint>();
      for (const op of ops) {
        if (op.outcome !== 'ok') continue;
        if (op.f === 'write') zxidOf.set(op.input as string, BigInt(++z));
        if (op.f === 'cas') zxidOf.set((op.input as string[])[1] as string, BigInt(++z));
      }
      const withZxids = ops.map((op): Operation => {
        if (op.outcome !== 'ok') return op;
        const value = op.f === 'read' ? (op.output as string | null) : op.f === 'write' ? (op.input as string) : ((op.input as string[])[1] as string);
        const zxid = value === null ? undefined : zxidOf.get(value);
        return zxid === undefined ? op : { ...op, zxid };
      });
      const h = prepareRegister('r', withZxids);
      const witness = zxidWitness(h);
      if (witness && verifyOrder(h, witness) === undefined) {
        verified++;
        expect(oracle(ops)).not.toBe('invalid'); // unknown: nothing definite to order
      }
    }
    expect(verified).toBeGreaterThan(trials(50));
  });

  it('verifyOrder, the witness\'s safety net, accepts exactly the orders an independent check accepts', () => {
    // Adversarial orders, not the witness's own: a verifier that let one bad order through would
    // turn an invalid history valid whenever a witness proposed that order.
    const rng = xoroshiro128plus(11);
    const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
    const seen = { accepted: 0, rejected: 0 };
    for (let trial = 0; trial < trials(3000); trial++) {
      const h = prepareRegister('r', randomHistory(rng, 3, 3));
      const n = h.ops.length;
      // A random order: some ops dropped (sometimes a definite one), shuffled, sometimes a repeat
      // or an index out of range.
      const order = [...Array(n).keys()].filter((i) => h.kind[i]! > CAS_KIND ? int(0, 1) === 0 : int(0, 19) > 0);
      for (let i = order.length - 1; i > 0; i--) {
        if (int(0, 2) === 0) continue; // keep runs in order: some orders should pass
        const j = int(0, i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      if (int(0, 29) === 0 && order.length > 0) order.push(order[0]!);
      if (int(0, 29) === 0) order.push(int(0, 1) === 0 ? -1 : n);
      const expected = independentOrderCheck(h, order);
      expect(verifyOrder(h, order) === undefined, JSON.stringify({ order, kinds: h.kind })).toBe(expected);
      seen[expected ? 'accepted' : 'rejected']++;
    }
    expect(seen.accepted).toBeGreaterThan(trials(100));
    expect(seen.rejected).toBeGreaterThan(trials(1000));
  });

  it('tries an indeterminate write whose value only an indeterminate cas expects', () => {
    // x (maybe written), then a cas x -> y (maybe applied), and y read: valid only through both.
    const base = { key: 'r', outcome: 'info' as const, completeTime: Infinity };
    const ops: Operation[] = [
      { ...base, id: 0, process: 1, f: 'write', input: 'x', output: 'x', invokeTime: 0 },
      { ...base, id: 1, process: 2, f: 'cas', input: ['x', 'y'], output: ['x', 'y'], invokeTime: 5 },
      { id: 2, process: 3, key: 'r', f: 'read', input: null, output: 'y', outcome: 'ok', invokeTime: 10, completeTime: 20 },
    ];
    expect(memoisedOracle(ops)).toBe('valid');
    expect(check(ops).validity).toBe('valid');
  });

  it('uses exactly the budget it is given: enough states decide, one fewer is unknown', () => {
    const rng = xoroshiro128plus(5);
    let tried = 0;
    for (let trial = 0; trial < 200 && tried < 20; trial++) {
      const h = prepareRegister('r', stripZxids(plausibleHistory(rng, 6, 6, 5)));
      const full = searchRegister(h, 1_000_000);
      if (full.states < 5) continue;
      tried++;
      expect(searchRegister(h, full.states).outcome).toBe(full.outcome);
      expect(searchRegister(h, full.states - 1).outcome).toBe('unknown');
    }
    expect(tried).toBe(20);
  });

  it('decides a long sequential history quickly', () => {
    const ops: Operation[] = [];
    let t = 0;
    let previous: string | null = null;
    for (let i = 0; i < 20_000; i++) {
      const p = i % 7;
      const kind = i % 3;
      const base = { id: i, process: p, key: 'r', outcome: 'ok' as const, invokeTime: t, completeTime: t + 5 };
      if (kind === 0) {
        const v = `x${i}`;
        ops.push({ ...base, f: 'write', input: v, output: v });
        previous = v;
      } else if (kind === 1) {
        ops.push({ ...base, f: 'read', input: null, output: previous });
      } else {
        const v = `c${i}`;
        ops.push({ ...base, f: 'cas', input: [previous, v] as string[], output: [previous, v] as string[] });
        previous = v;
      }
      t += 10;
    }
    const result = searchRegister(prepareRegister('r', ops), 1_000_000);
    expect(result.outcome).toBe('valid');
    expect(result.states).toBeLessThan(20_000);
  });
});
