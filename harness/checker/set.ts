/**
 * Set keys (f add / read-set): elements are unique strings added to a set; read-set returns the
 * whole set. The rules here are direct (no search) and linear in the size of the history:
 * every read is looked at O(1) times per element it returns or is required to return.
 */

import type { Operation } from '../history/types.ts';
import { byInvoke, ids, keyName, opName, q } from './describe.ts';
import type { Anomaly } from './types.ts';
import { countBelow } from './sorted.ts';

/** Why a session's read must contain an element. */
interface Requirement {
  /** 'seen': an earlier read of the session returned it; 'own': the session added it; 'before-own':
   * it was added before the session's own latest add was invoked. */
  why: 'seen' | 'own' | 'before-own';
  /** The read that saw it / the add that added it. */
  source: Operation;
  /** For before-own: the session's own add. */
  own?: Operation;
}

export function checkSetKey(key: string, ops: readonly Operation[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const adds = ops.filter((op) => op.f === 'add' && typeof op.input === 'string');
  const reads = ops
    .filter((op) => op.f === 'read-set' && op.outcome === 'ok' && Array.isArray(op.output))
    .sort((a, b) => a.completeTime - b.completeTime || a.id - b.id);
  const elementsOf = (r: Operation): string[] => r.output as string[];

  const addsOf = new Map<string, Operation[]>();
  for (const add of adds) {
    const element = add.input as string;
    const list = addsOf.get(element);
    if (list) list.push(add);
    else addsOf.set(element, [add]);
  }

  // Elements in reads: unexpected, failed-add-present, future-read (each element reported once,
  // at the earliest-completing read that shows it).
  const judged = new Set<string>();
  for (const read of reads) {
    for (const element of elementsOf(read)) {
      if (judged.has(element)) continue;
      judged.add(element);
      const adders = addsOf.get(element);
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
        continue;
      }
      if (adders.every((a) => a.outcome === 'fail')) {
        anomalies.push({
          type: 'failed-add-present',
          key,
          element,
          ops: ids(...adders.map((a) => a.id), read.id),
          explanation:
            `${adders.map(opName).join(', ')} of ${q(element)} on key ${keyName(key)} failed (definitely did not happen), ` +
            `yet read-set ${read.id} (process ${read.process}) returned it.`,
        });
        continue;
      }
      const possible = adders.filter((a) => a.outcome !== 'fail');
      if (possible.every((a) => a.invokeTime > read.completeTime)) {
        anomalies.push({
          type: 'future-read',
          key,
          element,
          ops: ids(...possible.map((a) => a.id), read.id),
          explanation:
            `read-set ${read.id} (process ${read.process}) on key ${keyName(key)} returned ${q(element)} before ` +
            `${possible.map(opName).join(', ')} that adds it was even invoked.`,
        });
      }
    }
  }

  // lost: the final read must hold every ok add that completed before it was invoked.
  const okAdds = adds.filter((a) => a.outcome === 'ok').sort((a, b) => a.completeTime - b.completeTime || a.id - b.id);
  const lostInFinal = new Set<string>();
  const final = reads.at(-1);
  if (final) {
    const present = new Set(elementsOf(final));
    for (const add of okAdds) {
      if (add.completeTime >= final.invokeTime) break;
      const element = add.input as string;
      if (present.has(element)) continue;
      lostInFinal.add(element);
      anomalies.push({
        type: 'lost',
        key,
        element,
        ops: [add.id, final.id],
        explanation:
          `${q(element)} was acknowledged by ${opName(add)} on key ${keyName(key)}, which completed before the final ` +
          `read-set ${final.id} (process ${final.process}) was invoked, but that final read does not contain it.`,
      });
    }
  }

  anomalies.push(...checkSessions(key, ops, okAdds, final, lostInFinal));
  return anomalies;
}

/**
 * stale-read-in-session. Per process, in program order, each ok read-set R must contain:
 * (a) every element the process saw in its earlier ok read-sets of the key;
 * (b) every element of its own ok adds (all completed before R was invoked);
 * (c) every element of any ok add that completed before the invoke of the process's latest ok add.
 * Cost: O(|R| + |previous R| + missing) per read, using the rank of each ok add in completion order
 * (requirement (c) is a prefix of that order; the first rank R lacks is found from R alone).
 */
function checkSessions(
  key: string,
  ops: readonly Operation[],
  okAdds: readonly Operation[],
  final: Operation | undefined,
  lostInFinal: ReadonlySet<string>,
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const ranksOf = new Map<string, number[]>();
  okAdds.forEach((add, rank) => {
    const element = add.input as string;
    const list = ranksOf.get(element);
    if (list) list.push(rank);
    else ranksOf.set(element, [rank]);
  });
  const completeTimes = okAdds.map((a) => a.completeTime);

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
    const reported = new Set<string>();

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
      if (lastOwnAdd) {
        const prefix = countBelow(completeTimes, lastOwnAdd.invokeTime);
        const first = firstMissingRank(elements, ranksOf);
        for (let rank = first; rank < prefix; rank++) {
          const add = okAdds[rank] as Operation;
          require(add.input as string, { why: 'before-own', source: add, own: lastOwnAdd });
        }
      }

      for (const [element, why] of missing) {
        if (reported.has(element)) continue;
        if (read === final && lostInFinal.has(element)) continue; // already reported as lost
        reported.add(element);
        anomalies.push(staleAnomaly(key, process, read, element, why));
      }

      // Carry forward: what this read returned, plus whatever it should have returned.
      const next = new Map<string, Requirement>();
      for (const element of elements) next.set(element, { why: 'seen', source: read });
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
        ops: ids(req.source.id, read.id),
        explanation: `${head}, which the same session already saw in read-set ${req.source.id}: a session's reads never go back in time.`,
      };
    case 'own':
      return {
        type: 'stale-read-in-session',
        key,
        element,
        ops: ids(req.source.id, read.id),
        explanation: `${head}, which the same session added itself in ${opName(req.source)} before this read: a session reads its own writes.`,
      };
    case 'before-own': {
      const own = req.own as Operation;
      return {
        type: 'stale-read-in-session',
        key,
        element,
        ops: ids(req.source.id, own.id, read.id),
        explanation:
          `${head}, added by ${opName(req.source)}, which completed before this session's own add ${own.id} was invoked; ` +
          `ZooKeeper orders writes linearizably, so a session's read sees every write ordered before its own last write.`,
      };
    }
  }
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
  let first = 0;
  while (first < mark.length && mark[first] === 1) first++;
  return first;
}
