import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import type { Operation } from '../../harness/history/types.ts';

/**
 * An independent reference for set keys: every rule of the README's "The verdict" written the
 * plainest way (quadratic, no indexes, no shortcuts), compared with the checker on thousands of
 * small random histories with repeated elements, failed and indeterminate adds, stale reads,
 * final marks (true, and false on every other read in a third of them), equal timestamps, and
 * writes of a register by the same sessions (a session's reads follow its own updates on any key,
 * and so every element known in the set when those were invoked).
 * (The reads' forks, each showing an element the other lacks, are in it too.)
 * Validity and the set of lost elements must agree.
 */
function reference(ops: readonly Operation[]): { validity: string; lost: string[] } {
  const adds = ops.filter((o) => o.f === 'add');
  const reads = ops.filter((o) => o.f === 'read-set' && o.outcome === 'ok');
  const elementsOf = (r: Operation): string[] => r.output as string[];
  const possibleAdders = (e: string): Operation[] => adds.filter((a) => a.input === e && a.outcome !== 'fail');
  let invalid = false;
  const lost = new Set<string>();

  for (const r of reads) {
    for (const e of elementsOf(r)) {
      const adders = adds.filter((a) => a.input === e);
      if (adders.length === 0) invalid = true; // unexpected-element
      else if (adders.every((a) => a.outcome === 'fail')) invalid = true; // failed-add-present
      else if (possibleAdders(e).every((a) => a.invokeTime > r.completeTime)) invalid = true; // future-read
    }
  }

  const okAdds = adds.filter((a) => a.outcome === 'ok');
  let finals: Operation[];
  if (ops.some((o) => o.f === 'read-set' && o.final === true)) {
    finals = reads.filter((r) => r.final === true);
  } else if (ops.some((o) => o.f === 'read-set' && o.final === false)) {
    finals = []; // the history marks its final reads and made none
  } else {
    const lastAdd = Math.max(-Infinity, ...adds.filter((a) => a.completeTime !== Infinity).map((a) => a.completeTime));
    const eligible = reads.filter((r) => r.invokeTime > lastAdd);
    const last = eligible.reduce<Operation | undefined>((best, r) => (!best || r.completeTime > best.completeTime || (r.completeTime === best.completeTime && r.id > best.id) ? r : best), undefined);
    finals = last ? [last] : [];
  }
  for (const f of finals) {
    const present = new Set(elementsOf(f));
    for (const a of okAdds) if (a.completeTime < f.invokeTime && !present.has(a.input as string)) lost.add(a.input as string);
    for (const r of reads) {
      if (r.completeTime >= f.invokeTime) continue;
      for (const e of elementsOf(r)) if (possibleAdders(e).length > 0 && !present.has(e)) lost.add(e);
    }
  }

  // Within a session: everything it read before, its own acknowledged adds, and every element known
  // in the set before one of its own acknowledged updates (an add, or a write of the register) was
  // invoked: its add was acknowledged, or a read (of any session) that showed it had completed.
  for (const r of reads) {
    const before = ops.filter((o) => o.process === r.process && o.outcome === 'ok' && (o.invokeTime < r.invokeTime || (o.invokeTime === r.invokeTime && o.id < r.id)));
    const required = new Set<string>();
    for (const o of before) {
      if (o.f === 'read-set') for (const e of elementsOf(o)) required.add(e);
      if (o.f === 'add') required.add(o.input as string);
      if (o.f === 'add' || o.f === 'write') {
        for (const a of okAdds) if (a.completeTime < o.invokeTime) required.add(a.input as string);
        for (const shown of reads) {
          if (shown.completeTime < o.invokeTime) for (const e of elementsOf(shown)) if (possibleAdders(e).length > 0) required.add(e);
        }
      }
    }
    const present = new Set(elementsOf(r));
    for (const e of required) if (!present.has(e)) invalid = true;
  }

  // Any session: a read showing e holds every add acknowledged before e's add was invoked, or made
  // earlier by that add's own session (when no other session's add of e began at that time).
  for (const r of reads) {
    const present = new Set(elementsOf(r));
    for (const e of present) {
      const adders = possibleAdders(e);
      if (adders.length === 0) continue;
      const earliest = Math.min(...adders.map((a) => a.invokeTime));
      // And, when every add of e invoked at that time is of one session, that session's earlier adds
      // (also one that completed at that very time).
      const atEarliest = adders.filter((a) => a.invokeTime === earliest);
      const session = atEarliest.every((a) => a.process === atEarliest[0]!.process) ? atEarliest[0]! : undefined;
      for (const a of okAdds) if ((a.completeTime < earliest || (a.process === session?.process && a.id < session.id)) && !present.has(a.input as string)) invalid = true;
    }
  }

  // Any two reads: the set only grows, so one holds every element (some add may have added) the
  // other shows; two that each show one the other lacks are a fork.
  const shows = (r: Operation): Set<string> => new Set(elementsOf(r).filter((e) => possibleAdders(e).length > 0));
  for (const r1 of reads) {
    for (const r2 of reads) {
      const [a, b] = [shows(r1), shows(r2)];
      if ([...a].some((e) => !b.has(e)) && [...b].some((e) => !a.has(e))) invalid = true;
    }
  }

  // The register: writes of distinct values only, valid once one is acknowledged, else undecided.
  const writes = ops.filter((o) => o.f === 'write');
  const registerUnknown = writes.length > 0 && !writes.some((w) => w.outcome === 'ok');
  const validity = invalid || lost.size > 0 ? 'invalid' : (finals.length === 0 && ops.some((o) => o.key === 's')) || registerUnknown ? 'unknown' : 'valid';
  return { validity, lost: [...lost].sort() };
}

/** Small random set histories: mostly plausible (reads see what was added), some tampered. */
function randomSetHistory(rng: RandomGenerator): Operation[] {
  const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
  const pool = ['a', 'b', 'c', 'd', 'e'];
  const raw: Omit<Operation, 'id'>[] = [];
  const processes = int(1, 4);
  // A third of the histories mark every read: those not final as "final": false.
  const marksAll = int(0, 2) === 0;
  for (let p = 1; p <= processes; p++) {
    let t = int(0, 15);
    const count = int(1, 4);
    for (let k = 0; k < count; k++) {
      const invokeTime = t;
      const duration = int(1, 20);
      const roll = int(0, 99);
      const outcome: Operation['outcome'] = roll < 75 ? 'ok' : roll < 88 ? 'fail' : 'info';
      const completeTime = outcome === 'info' ? Infinity : invokeTime + duration;
      const what = int(0, 5);
      if (what === 0) {
        raw.push({ process: p, key: 'r', f: 'write', input: `w${p}.${k}`, output: `w${p}.${k}`, outcome, invokeTime, completeTime });
      } else if (what <= 2) {
        const e = pool[int(0, pool.length - 1)] as string;
        raw.push({ process: p, key: 's', f: 'add', input: e, output: e, outcome, invokeTime, completeTime });
      } else {
        raw.push({ process: p, key: 's', f: 'read-set', input: null, output: null, outcome, invokeTime, completeTime, ...(int(0, 5) === 0 ? { final: true } : marksAll ? { final: false } : {}) });
      }
      if (outcome === 'info') break;
      t = invokeTime + duration + int(0, 6);
    }
  }
  // Reads return what a ZooKeeper-like set could hold at their completion (adds that may have
  // happened), sometimes with one element dropped or added.
  for (const r of raw) {
    if (r.f !== 'read-set' || r.outcome !== 'ok') continue;
    const held = raw.filter((a) => a.f === 'add' && a.outcome !== 'fail' && a.invokeTime <= r.completeTime && (a.outcome === 'ok' ? int(0, 3) > 0 || a.completeTime < r.invokeTime : int(0, 1) === 0));
    const elements = new Set(held.map((a) => a.input as string));
    if (int(0, 4) === 0 && elements.size > 0) elements.delete([...elements][int(0, elements.size - 1)] as string);
    if (int(0, 6) === 0) elements.add(pool[int(0, pool.length - 1)] as string);
    r.output = [...elements].sort();
  }
  raw.sort((a, b) => a.invokeTime - b.invokeTime);
  return raw.map((op, id) => ({ ...op, id }));
}

describe('set keys against an independent reference', () => {
  it('agree on validity and on the lost elements, on thousands of random histories', () => {
    const rng = xoroshiro128plus(2026);
    const seen = { valid: 0, invalid: 0, unknown: 0 };
    for (let trial = 0; trial < 6000; trial++) {
      const ops = randomSetHistory(rng);
      const expected = reference(ops);
      const verdict = check(ops);
      const lost = [...new Set(verdict.anomalies.filter((a) => a.type === 'lost').map((a) => a.element as string))].sort();
      if (verdict.validity !== expected.validity || JSON.stringify(lost) !== JSON.stringify(expected.lost)) {
        throw new Error(`trial ${trial}: checker ${verdict.validity} lost ${lost}, reference ${expected.validity} lost ${expected.lost}\n${JSON.stringify(ops, null, 1)}\n${JSON.stringify(verdict.anomalies, null, 1)}`);
      }
      seen[expected.validity as keyof typeof seen]++;
    }
    expect(seen.valid).toBeGreaterThan(500);
    expect(seen.invalid).toBeGreaterThan(1500);
    expect(seen.unknown).toBeGreaterThan(100);
  });
});
