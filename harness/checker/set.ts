/**
 * Set keys (f add / read-set): elements are unique strings added to a set; read-set returns the
 * whole set. The rules here are direct (no search) and linear in the size of the history:
 * every read is looked at O(1) times per element it returns or is required to return.
 */

import type { Operation } from '../history/types.ts';
import { byInvoke, ids, keyName, opName, q } from './describe.ts';
import type { Anomaly } from './types.ts';
import type { SessionRecords } from './session-views.ts';
import { countBelow } from './sorted.ts';

/** Why a session's read must contain an element. */
interface Requirement {
  /** 'seen': an earlier read of the session returned it; 'own': the session added it; 'before-own':
   * an add of it was acknowledged before the session's own latest add of the key was invoked;
   * 'shown-before-own': a read (of any session) that showed it completed before then. */
  why: 'seen' | 'own' | 'before-own' | 'shown-before-own';
  /** The read that saw it / the add that added it / the read that showed it first. */
  source: Operation;
  /** For before-own and shown-before-own: the session's own latest add. */
  own?: Operation;
}

export interface SetKeyResult {
  anomalies: Anomaly[];
  /** Set when the key's durability could not be decided (no final read). */
  unknown?: string;
}

/**
 * Checks a set key. With `records`, also records for the session rule across keys (see
 * session-views.ts) what each ok read-set saw (`seen`: the add invoked last among its elements'
 * earliest possible adds) and the add known applied earliest each read not found lacking lacks
 * (`misses`, with `proofs`; see recordMisses).
 */
export function checkSetKey(key: string, ops: readonly Operation[], records?: SessionRecords): SetKeyResult {
  const anomalies: Anomaly[] = [];
  const adds = ops.filter((op) => op.f === 'add' && typeof op.input === 'string');
  const reads = ops
    .filter((op) => op.f === 'read-set' && op.outcome === 'ok' && Array.isArray(op.output))
    .sort((a, b) => a.completeTime - b.completeTime || a.id - b.id);

  const addsOf = new Map<string, Operation[]>();
  for (const add of adds) {
    const element = add.input as string;
    const list = addsOf.get(element);
    if (list) list.push(add);
    else addsOf.set(element, [add]);
  }

  // Elements in reads: unexpected, failed-add-present, future-read (each element reported once,
  // at the earliest-completing read that shows it). firstSeen: the earliest-completing ok read of
  // each element some add may have added; what a read returned was committed. Each judged element
  // gets a number; earliestAdd: by number, its earliest-invoked add that did not fail (null: none).
  // shown: each read's elements some add may have added, as numbers (read r's from shownFrom[r]).
  const firstSeen = new Map<string, Operation>();
  const numberOf = new Map<string, number>();
  const earliestAdd: (Operation | null)[] = [];
  // By number: when the first read that showed the element completed. Numbers go in that order
  // (reads go by completion), so these times ascend.
  const firstShownAt: number[] = [];
  let total = 0;
  for (const read of reads) total += elementsOf(read).length;
  const shown = new Int32Array(total);
  const shownFrom = new Int32Array(reads.length + 1);
  let at = 0;
  reads.forEach((read, r) => {
    shownFrom[r] = at;
    let saw: Operation | undefined;
    for (const element of elementsOf(read)) {
      let n = numberOf.get(element);
      if (n === undefined) {
        n = earliestAdd.length;
        numberOf.set(element, n);
        const earliest = judge(key, read, element, addsOf.get(element), anomalies);
        earliestAdd.push(earliest);
        firstShownAt.push(read.completeTime);
        if (earliest !== null) firstSeen.set(element, read);
      }
      const earliest = earliestAdd[n]!;
      if (earliest === null) continue;
      shown[at++] = n;
      // An add invoked only when the read completed cannot be what it saw.
      if (earliest.invokeTime < read.completeTime && (saw === undefined || earliest.invokeTime > saw.invokeTime)) saw = earliest;
    }
    if (saw !== undefined) records?.seen.set(read, saw);
  });
  shownFrom[reads.length] = at;

  const okAdds = adds.filter((a) => a.outcome === 'ok').sort((a, b) => a.completeTime - b.completeTime || a.id - b.id);
  const completeTimes = okAdds.map((a) => a.completeTime);
  const ranksOf = new Map<string, number[]>();
  okAdds.forEach((add, rank) => {
    const element = add.input as string;
    const list = ranksOf.get(element);
    if (list) list.push(rank);
    else ranksOf.set(element, [rank]);
  });
  const reported = new Set<string>();
  const finals = finalReads(ops, reads, adds);
  const lost = checkFinals(key, finals.reads, okAdds, firstSeen, reported);
  for (const anomaly of lost) anomalies.push(anomaly);
  // A fork with an element a final read lost is that loss seen again: the loss says it.
  const fork = forkedReads(reads, shown, shownFrom, earliestAdd.length);
  const nameOf = (n: number): string => (earliestAdd[n] as Operation).input as string;
  if (fork !== undefined && !reported.has(`lost:${nameOf(fork.onlyFirst)}`) && !reported.has(`lost:${nameOf(fork.onlySecond)}`)) {
    anomalies.push(forkAnomaly(key, fork, nameOf, addsOf));
  }
  // Both the session and the prefix rules ask it of nearly every read.
  const firstMissingOf = new Map<Operation, number>();
  const firstMissing = (read: Operation): number => {
    let first = firstMissingOf.get(read);
    if (first === undefined) firstMissingOf.set(read, (first = firstMissingRank(elementsOf(read), ranksOf)));
    return first;
  };
  const numbering: ShownElements = { reads, shown, shownFrom, numberOf, earliestAdd, firstSeen, firstShownAt };
  const index: AddIndex = { key, okAdds, completeTimes, ranksOf, reported, firstMissing, shown: numbering };
  const lacking = new Set<Operation>();
  for (const anomaly of checkSessions(index, ops, lacking)) anomalies.push(anomaly);
  if (records !== undefined) recordMisses(index, lacking, new Set(finals.reads), records);
  for (const anomaly of checkPrefixes(index, reads, addsOf)) anomalies.push(anomaly);
  return finals.reads.length > 0 ? { anomalies } : { anomalies, unknown: finals.missing };
}

/** checkSetKey's look at the reads: the elements they showed, numbered in the order first shown (see there). */
interface ShownElements {
  /** The ok read-sets, by completion. */
  reads: readonly Operation[];
  /** Read r's element numbers (of elements some add may have added): shown[shownFrom[r], shownFrom[r + 1]). */
  shown: Int32Array;
  shownFrom: Int32Array;
  numberOf: ReadonlyMap<string, number>;
  /** By number: the element's earliest-invoked add that did not fail; null: no add may have added it. */
  earliestAdd: readonly (Operation | null)[];
  /** Element → the first read that showed it. */
  firstSeen: ReadonlyMap<string, Operation>;
  /** By number: when the first read that showed it completed (ascending). */
  firstShownAt: readonly number[];
}

/**
 * For the session rule across keys: each read the rules here found lacking nothing → of the
 * elements it lacks, the one known added earliest (`misses`): by its earliest-acknowledged add,
 * or earlier (or at all, when no add of it was acknowledged) by the earliest-completing read that
 * showed it (`proofs`: the members apply only committed adds, and a read lacking an element lacks
 * every add of it). A final read's, only when that was known after it was invoked: an element
 * known added before is a loss, which checkFinals reports.
 *
 * Two candidates per read: the lacking element acknowledged first (firstMissing, which the rules
 * here ask anyway), and of the elements a read showed before any add of them was acknowledged,
 * the first lacking one, found through the reads' element numbers (no text looked up per element).
 */
function recordMisses(index: AddIndex, lacking: ReadonlySet<Operation>, finals: ReadonlySet<Operation>, records: SessionRecords): void {
  const { okAdds, ranksOf, firstMissing } = index;
  const { reads, shown, shownFrom, numberOf, earliestAdd, firstSeen } = index.shown;
  // The elements known added before any acknowledgment, in the order known (then by the showing read's id).
  const early: { add: Operation; by: Operation; ackRank: number }[] = [];
  const earlyNumbers: number[] = [];
  for (const [element, read] of firstSeen) {
    const rank = ranksOf.get(element)?.[0];
    const acknowledged = rank === undefined ? undefined : okAdds[rank];
    if (acknowledged !== undefined && acknowledged.completeTime <= read.completeTime) continue;
    const n = numberOf.get(element)!;
    early.push({ add: acknowledged ?? earliestAdd[n]!, by: read, ackRank: rank ?? Infinity });
    earlyNumbers.push(n);
  }
  // Elements one read showed first are known at the same time: those acknowledged later by the
  // order of their acknowledgment, then those never acknowledged as first seen.
  const order = Array.from(early.keys()).sort((a, b) => {
    const [x, y] = [early[a]!, early[b]!];
    return x.by.completeTime - y.by.completeTime || x.by.id - y.by.id || (x.ackRank === y.ackRank ? a - b : x.ackRank < y.ackRank ? -1 : 1);
  });
  const earlyRank = new Int32Array(earliestAdd.length).fill(-1);
  order.forEach((e, rank) => (earlyRank[earlyNumbers[e]!] = rank));
  const earlyOf = (element: string): { add: Operation; by: Operation } | undefined => {
    const n = numberOf.get(element);
    const rank = n === undefined ? -1 : earlyRank[n]!;
    return rank === -1 ? undefined : early[order[rank]!];
  };
  for (let r = 0; r < reads.length; r++) {
    const read = reads[r]!;
    if (lacking.has(read)) continue;
    const acknowledgedFirst = okAdds[firstMissing(read)];
    let miss = acknowledgedFirst === undefined ? undefined : (earlyOf(acknowledgedFirst.input as string) ?? { add: acknowledgedFirst, by: acknowledgedFirst });
    const e = firstMissingEarly(shown, shownFrom[r]!, shownFrom[r + 1]!, earlyRank, order.length);
    const other = e < order.length ? early[order[e]!]! : undefined;
    if (other !== undefined && (miss === undefined || other.by.completeTime < miss.by.completeTime || (other.by.completeTime === miss.by.completeTime && other.by.id < miss.by.id))) miss = other;
    if (miss === undefined || (finals.has(read) && miss.by.completeTime < read.invokeTime)) continue;
    records.misses.set(read, miss.add);
    if (miss.by !== miss.add) records.proofs.set(miss.add, miss.by);
  }
}

/** The smallest rank (earlyRank by element number; -1: none) that the numbers shown[from, to) lack. */
function firstMissingEarly(shown: Int32Array, from: number, to: number, earlyRank: Int32Array, count: number): number {
  const mark = new Uint8Array(Math.min(to - from, count) + 1);
  for (let i = from; i < to; i++) {
    const rank = earlyRank[shown[i]!]!;
    if (rank !== -1 && rank < mark.length) mark[rank] = 1;
  }
  return firstUnmarked(mark);
}

/** The first index of `mark` not set to 1 (its length when all are). */
function firstUnmarked(mark: Uint8Array): number {
  let first = 0;
  while (first < mark.length && mark[first] === 1) first++;
  return first;
}

/** Two read-sets, each showing an element the other lacks (as numbers: see checkSetKey). */
interface Fork {
  first: Operation;
  second: Operation;
  onlyFirst: number;
  onlySecond: number;
}

/**
 * skipped-write, seen from the reads alone: the members apply adds in one order and nothing
 * removes an element, so every state of the set holds every earlier one, and so does every read:
 * the reads of a key, by size, each hold the one before. Two that do not are a fork, whichever add
 * came first: one of them holds the later add without the earlier one. The first fork found (the
 * anomaly names one; any other follows from the same split). O(elements shown) after sorting the
 * reads by size.
 */
function forkedReads(reads: readonly Operation[], shown: Int32Array, shownFrom: Int32Array, numbers: number): Fork | undefined {
  // A read's distinct elements (a read-set that repeats one is not larger for it).
  const mark = new Int32Array(numbers).fill(-1);
  const size = new Int32Array(reads.length);
  for (let r = 0; r < reads.length; r++) {
    for (let i = shownFrom[r]!; i < shownFrom[r + 1]!; i++) {
      if (mark[shown[i]!] === r) continue;
      mark[shown[i]!] = r;
      size[r]!++;
    }
  }
  const bySize = Array.from(reads.keys()).sort((a, b) => size[a]! - size[b]! || a - b);
  mark.fill(-1);
  // Of a read and the next larger one: an element of `small` that `big` lacks, marking big's first.
  const lacked = (small: number, big: number, stamp: number): number => {
    for (let i = shownFrom[big]!; i < shownFrom[big + 1]!; i++) mark[shown[i]!] = stamp;
    for (let i = shownFrom[small]!; i < shownFrom[small + 1]!; i++) if (mark[shown[i]!] !== stamp) return shown[i]!;
    return -1;
  };
  for (let k = 0; k + 1 < bySize.length; k++) {
    const small = bySize[k]!;
    const big = bySize[k + 1]!;
    const onlySmall = lacked(small, big, 2 * k);
    if (onlySmall === -1) continue;
    // big is no smaller and lacks one of small's: it shows one small lacks.
    const onlyBig = lacked(big, small, 2 * k + 1);
    return { first: reads[small]!, second: reads[big]!, onlyFirst: onlySmall, onlySecond: onlyBig };
  }
  return undefined;
}

function forkAnomaly(key: string, fork: Fork, name: (n: number) => string, addsOf: ReadonlyMap<string, Operation[]>): Anomaly {
  const a = name(fork.onlyFirst);
  const b = name(fork.onlySecond);
  const adders = [...(addsOf.get(a) ?? []), ...(addsOf.get(b) ?? [])].filter((add) => add.outcome !== 'fail');
  const read = (r: Operation): string => `read-set ${r.id} (process ${r.process})`;
  return {
    type: 'skipped-write',
    key,
    element: a,
    ops: ids([fork.first.id, fork.second.id, ...adders.map((add) => add.id)]),
    explanation:
      `on key ${keyName(key)}, ${read(fork.first)} shows ${q(a)} but lacks ${q(b)}, and ${read(fork.second)} shows ${q(b)} but lacks ${q(a)}: ` +
      `the members apply adds in one order and nothing removes an element, so whichever of the two came first, ` +
      `one of these reads holds the later add without the earlier one.`,
  };
}

/**
 * The first read (by completion) showing an element: unexpected-element, failed-add-present or
 * future-read into `anomalies`. Returns the element's earliest-invoked add that did not fail, or
 * null when there is none.
 */
function judge(key: string, read: Operation, element: string, adders: readonly Operation[] | undefined, anomalies: Anomaly[]): Operation | null {
  if (!adders) {
    anomalies.push({
      type: 'unexpected-element',
      key,
      element,
      ops: [read.id],
      explanation:
        `read-set ${read.id} (process ${read.process}) on key ${keyName(key)} returned ${q(element)}, ` +
        `which no add on that key ever tried to add.`,
    });
    return null;
  }
  const possible = adders.filter((a) => a.outcome !== 'fail');
  if (possible.length === 0) {
    anomalies.push({
      type: 'failed-add-present',
      key,
      element,
      ops: ids([...adders.map((a) => a.id), read.id]),
      explanation:
        `${adders.map(opName).join(', ')} of ${q(element)} on key ${keyName(key)} failed (definitely did not happen), ` +
        `yet read-set ${read.id} (process ${read.process}) returned it.`,
    });
    return null;
  }
  const earliest = possible.reduce((a, b) => (byInvoke(b, a) < 0 ? b : a));
  if (earliest.invokeTime > read.completeTime) {
    anomalies.push({
      type: 'future-read',
      key,
      element,
      ops: ids([...possible.map((a) => a.id), read.id]),
      explanation:
        `read-set ${read.id} (process ${read.process}) on key ${keyName(key)} returned ${q(element)} before ` +
        `${possible.map(opName).join(', ')} that adds it was even invoked.`,
    });
  }
  return earliest;
}

const elementsOf = (r: Operation): string[] => r.output as string[];

/** The ok adds of a key in completion order, indexed, and what was reported already (shared by the rules). */
interface AddIndex {
  key: string;
  okAdds: readonly Operation[];
  /** okAdds' completion times (ascending). */
  completeTimes: readonly number[];
  /** Element → its ranks in okAdds. */
  ranksOf: ReadonlyMap<string, number[]>;
  /** "lost:e", "skip:e" and "<read id>:e" for what an anomaly already explains. */
  reported: Set<string>;
  /** The smallest completion rank whose element a read lacks (see firstMissingRank), once per read. */
  firstMissing: (read: Operation) => number;
  /** The elements the reads showed, numbered in the order they were first shown. */
  shown: ShownElements;
}

/**
 * The final reads of a key, chosen by meaning, not by completion time. Those marked `"final": true`
 * when the key has any; otherwise the last-completing ok read-set among those invoked
 * after every add of the key completed (a read invoked earlier, however late it completed, may
 * rightly miss an add still in flight). Without one, durability cannot be judged: `missing` says why.
 *
 * Read-sets marked `"final": false` and none true: the history says it made no final read of the
 * key (a run cut short before them), and none is inferred. An inferred one would be an ordinary read, which
 * ZooKeeper may serve from a follower that has not yet applied an add acknowledged elsewhere: a
 * missing element there is no loss.
 */
function finalReads(ops: readonly Operation[], reads: readonly Operation[], adds: readonly Operation[]): { reads: Operation[]; missing: string } {
  const marked: Operation[] = [];
  let notFinal = 0;
  for (const op of ops) {
    if (op.f !== 'read-set') continue;
    if (op.final === true) marked.push(op);
    else if (op.final === false) notFinal++;
  }
  if (marked.length === 0 && notFinal > 0) {
    return {
      reads: [],
      missing: `its ${notFinal} read-set${notFinal === 1 ? ' is' : 's are'} marked not final ("final": false) and none final: the history made no final read (a run that ended before them), so no acknowledged add could be checked for loss`,
    };
  }
  if (marked.length > 0) {
    const ok = reads.filter((r) => r.final === true);
    return {
      reads: ok,
      missing: `none of its ${marked.length} final read-set${marked.length === 1 ? '' : 's'} succeeded (${outcomes(marked)}), so no acknowledged add could be checked for loss`,
    };
  }
  let lastAdd = -Infinity;
  for (const add of adds) if (add.completeTime !== Infinity) lastAdd = Math.max(lastAdd, add.completeTime);
  // Of those eligible, the one that completed last (reads are sorted by completion): any other
  // session's eligible read may be a lagging follower's, which ZooKeeper allows.
  let last: Operation | undefined;
  for (const r of reads) if (r.invokeTime > lastAdd) last = r;
  return {
    reads: last ? [last] : [],
    missing:
      reads.length === 0
        ? 'no read-set of it succeeded, so no acknowledged add could be checked for loss'
        : 'no read-set of it succeeded after every add on it completed (none is marked final), so no acknowledged add could be checked for loss',
  };
}

function outcomes(ops: readonly Operation[]): string {
  const n = { ok: 0, fail: 0, info: 0 };
  for (const op of ops) n[op.outcome]++;
  return Object.entries(n).filter(([, c]) => c > 0).map(([o, c]) => `${c} ${o === 'info' ? 'indeterminate' : o === 'fail' ? 'failed' : 'ok'}`).join(', ');
}

/**
 * lost: a final read must hold every ok add that completed before it was invoked, and every element
 * an ok read returned before it was invoked (what a read saw was committed, even when its add's
 * outcome is unknown). Each element is reported once, at the first final read lacking it.
 */
function checkFinals(
  key: string,
  finals: readonly Operation[],
  okAdds: readonly Operation[],
  firstSeen: ReadonlyMap<string, Operation>,
  reported: Set<string>,
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const seen = [...firstSeen].sort((a, b) => a[1].completeTime - b[1].completeTime);
  for (const final of [...finals].sort((a, b) => a.invokeTime - b.invokeTime || a.id - b.id)) {
    const present = new Set(elementsOf(final));
    // `why` is a function: most elements are present, and their explanation is never needed.
    const lost = (element: string, ops: number[], why: () => string): void => {
      if (present.has(element) || reported.has(`lost:${element}`)) return;
      reported.add(`lost:${element}`);
      reported.add(`${final.id}:${element}`);
      anomalies.push({
        type: 'lost',
        key,
        element,
        ops: ids([...ops, final.id]),
        explanation: `${why()}, which completed before the final read-set ${final.id} (process ${final.process}${final.server === undefined ? '' : `, through ${final.server}`}) was invoked, but that final read does not contain it.`,
      });
    };
    for (const add of okAdds) {
      if (add.completeTime >= final.invokeTime) break;
      lost(add.input as string, [add.id], () => `${q(add.input as string)} was acknowledged by ${opName(add)} on key ${keyName(key)}`);
    }
    for (const [element, read] of seen) {
      if (read.completeTime >= final.invokeTime) break;
      lost(element, [read.id], () => `${q(element)} was returned by read-set ${read.id} (process ${read.process}) on key ${keyName(key)} (so its add had been committed)`);
    }
  }
  return anomalies;
}

/**
 * skipped-write: every server applies writes in one order, so a read that shows an element holds
 * every element whose add was acknowledged before that element's add was invoked. Any session.
 * O(|R| + missing) per read, with the completion ranks of the ok adds.
 */
function checkPrefixes(index: AddIndex, reads: readonly Operation[], addsOf: ReadonlyMap<string, Operation[]>): Anomaly[] {
  const { key, okAdds, completeTimes, reported, firstMissing } = index;
  const anomalies: Anomaly[] = [];
  for (const read of reads) {
    const elements = elementsOf(read);
    // The latest "earliest possible invoke" of an element the read shows, and that add; and for a
    // tie judged by session order (below), the elements' earliest adds invoked at that time whose
    // element no other session's add was invoked at that time too (one that was is concurrent
    // with what completed then, and may be the add the read saw).
    let latest: Operation | undefined;
    let latestInvoke = -Infinity;
    let oneSession: Operation[] = [];
    for (const element of elements) {
      let earliest: Operation | undefined;
      let alone = true;
      for (const add of addsOf.get(element) ?? []) {
        if (add.outcome === 'fail') continue;
        if (!earliest || add.invokeTime < earliest.invokeTime) {
          earliest = add;
          alone = true;
        } else if (add.invokeTime === earliest.invokeTime && add.process !== earliest.process) alone = false;
      }
      if (!earliest) continue;
      if (earliest.invokeTime > latestInvoke) {
        latestInvoke = earliest.invokeTime;
        latest = earliest;
        oneSession = alone ? [earliest] : [];
      } else if (earliest.invokeTime === latestInvoke && alone && !oneSession.includes(earliest)) oneSession.push(earliest);
    }
    if (!latest) continue;
    const prefix = countBelow(completeTimes, latestInvoke);
    const first = firstMissing(read);
    // Session order at a tie: an add of a latest add's own session that completed at the very time
    // that add was invoked came before it too (a session's next invoke follows its previous completion).
    let tied = prefix;
    while (tied < okAdds.length && completeTimes[tied] === latestInvoke) tied++;
    if (first >= tied) continue;
    const present = new Set(elements);
    for (let rank = first; rank < tied; rank++) {
      const add = okAdds[rank] as Operation;
      const element = add.input as string;
      const later = rank < prefix ? latest : oneSession.find((l) => l.process === add.process && add.id < l.id);
      if (later === undefined) continue;
      if (present.has(element) || reported.has(`${read.id}:${element}`) || reported.has(`skip:${element}`)) continue;
      reported.add(`skip:${element}`);
      anomalies.push({
        type: 'skipped-write',
        key,
        element,
        ops: ids([add.id, later.id, read.id]),
        explanation:
          `read-set ${read.id} (process ${read.process}) on key ${keyName(key)} returned ${q(later.input as string)}, ` +
          `added by ${opName(later)}, but lacks ${q(element)}, whose ${opName(add)} completed ` +
          `${rank < prefix ? 'before that add was invoked' : 'before its own session invoked that add (at the same time)'}: ` +
          `every server applies writes in one order, so a state that holds the later add holds the earlier one.`,
      });
    }
  }
  return anomalies;
}

/**
 * stale-read-in-session. Per process, in program order, each ok read-set R must contain:
 * (a) every element the process saw in its earlier ok read-sets of the key;
 * (b) every element of its own ok adds (all completed before R was invoked);
 * (c) every element of any ok add that completed before the invoke of the process's own latest ok
 *     add of the key (an anchor on another key is the rule across keys: see session-views.ts);
 * (d) likewise every element a read (of any session) showed that completed before then: what a read
 *     saw was committed, and the session's add was ordered after it (an add that was never
 *     acknowledged is applied all the same).
 * Cost: O(|R| + |previous R| + missing) per read, using the rank of each ok add in completion order
 * (requirement (c) is a prefix of that order; the first rank R lacks is found from R alone), and
 * likewise the elements' numbers for (d).
 * `lacking` gets the reads that lack something here.
 */
function checkSessions(index: AddIndex, ops: readonly Operation[], lacking: Set<Operation>): Anomaly[] {
  const { key, okAdds, completeTimes, reported, firstMissing, shown } = index;
  const anomalies: Anomaly[] = [];

  const byProcess = new Map<number, Operation[]>();
  for (const op of ops) {
    const relevant =
      op.outcome === 'ok' &&
      ((op.f === 'add' && typeof op.input === 'string') || (op.f === 'read-set' && Array.isArray(op.output)));
    if (!relevant) continue;
    const list = byProcess.get(op.process);
    if (list) list.push(op);
    else byProcess.set(op.process, [op]);
  }

  for (const [process, list] of byProcess) {
    list.sort(byInvoke);
    let seen = new Map<string, Requirement>();
    let ownSinceLastRead: Operation[] = [];
    let lastOwnAdd: Operation | undefined;
    const reportedHere = new Set<string>();

    for (const op of list) {
      if (op.f === 'add') {
        ownSinceLastRead.push(op);
        lastOwnAdd = op;
        continue;
      }
      const read = op;
      const elements = read.output as string[];
      const present = new Set(elements);
      const missing = new Map<string, Requirement>();
      const require = (element: string, why: Requirement): void => {
        if (present.has(element) || missing.has(element)) return;
        missing.set(element, why);
      };
      for (const [element, why] of seen) require(element, why);
      for (const add of ownSinceLastRead) require(add.input as string, { why: 'own', source: add });
      const prefix = lastOwnAdd === undefined ? 0 : countBelow(completeTimes, lastOwnAdd.invokeTime);
      for (let rank = prefix > 0 ? firstMissing(read) : 0; rank < prefix; rank++) {
        const add = okAdds[rank] as Operation;
        require(add.input as string, { why: 'before-own', source: add, own: lastOwnAdd });
      }
      const shownPrefix = lastOwnAdd === undefined ? 0 : countBelow(shown.firstShownAt, lastOwnAdd.invokeTime);
      for (let n = shownPrefix > 0 ? firstUnshown(elements, shown.numberOf) : 0; n < shownPrefix; n++) {
        const earliest = shown.earliestAdd[n];
        // An element no add may have added is reported where it shows (unexpected, failed add).
        if (earliest === null || earliest === undefined) continue;
        const element = earliest.input as string;
        require(element, { why: 'shown-before-own', source: shown.firstSeen.get(element) as Operation, own: lastOwnAdd });
      }
      if (missing.size > 0) lacking.add(read);

      for (const [element, why] of missing) {
        // This read's lack of the element is explained (here, by an earlier read of the session,
        // or as lost): no other rule reports it again.
        const explained = reported.has(`${read.id}:${element}`);
        reported.add(`${read.id}:${element}`);
        if (reportedHere.has(element) || explained) continue;
        reportedHere.add(element);
        anomalies.push(staleAnomaly(key, process, read, element, why));
      }

      // Carry forward: what this read returned, plus whatever it should have returned.
      const next = new Map<string, Requirement>();
      const seenHere: Requirement = { why: 'seen', source: read };
      for (const element of elements) next.set(element, seenHere);
      for (const [element, why] of missing) next.set(element, why);
      seen = next;
      ownSinceLastRead = [];
    }
  }
  return anomalies;
}

function staleAnomaly(key: string, process: number, read: Operation, element: string, req: Requirement): Anomaly {
  const head = `read-set ${read.id} (process ${process}) on key ${keyName(key)} lacks ${q(element)}`;
  switch (req.why) {
    case 'seen':
      return {
        type: 'stale-read-in-session',
        key,
        element,
        ops: ids([req.source.id, read.id]),
        explanation: `${head}, which the same session already saw in read-set ${req.source.id}: a session's reads never go back in time.`,
      };
    case 'own':
      return {
        type: 'stale-read-in-session',
        key,
        element,
        ops: ids([req.source.id, read.id]),
        explanation: `${head}, which the same session added itself in ${opName(req.source)} before this read: a session reads its own writes.`,
      };
    case 'before-own':
    case 'shown-before-own': {
      const own = req.own as Operation;
      const known =
        req.why === 'before-own'
          ? `added by ${opName(req.source)}, which completed before this session's own ${own.f} ${own.id} was invoked; `
          : `which ${opName(req.source)} showed, completing before this session's own ${own.f} ${own.id} (of ${q(own.input as string)}) was invoked; what a read saw was committed and `;
      return {
        type: 'stale-read-in-session',
        key,
        element,
        ops: ids([req.source.id, own.id, read.id]),
        explanation: `${head}, ${known}ZooKeeper orders writes linearizably, so a session's read sees every write ordered before its own last write.`,
      };
    }
  }
}


/** The smallest element number (see checkSetKey) the read lacks: O(|elements|). */
function firstUnshown(elements: readonly string[], numberOf: ReadonlyMap<string, number>): number {
  const mark = new Uint8Array(elements.length + 1);
  for (const element of elements) {
    const n = numberOf.get(element);
    if (n !== undefined && n < mark.length) mark[n] = 1;
  }
  return firstUnmarked(mark);
}

/** The smallest completion rank (among ok adds) whose element the read lacks: O(|elements|). */
function firstMissingRank(elements: readonly string[], ranksOf: ReadonlyMap<string, number[]>): number {
  const ranks: number[] = [];
  for (const element of elements) {
    const r = ranksOf.get(element);
    if (r) for (const rank of r) ranks.push(rank);
  }
  const mark = new Uint8Array(ranks.length + 1);
  for (const rank of ranks) if (rank < mark.length) mark[rank] = 1;
  return firstUnmarked(mark);
}
