/**
 * ZooKeeper's session guarantee across keys. Keys are checked one at a time, but a session's order
 * spans them: once a session's update (add, write or cas) on any key is acknowledged, the member
 * serving the session has applied it, and with it every write acknowledged before that update was
 * invoked (writes are linearizable). So each of the session's later reads, of any key, must
 * reflect every write acknowledged before that update was invoked.
 *
 * One pass over the whole history gives each read its anchor: the latest acknowledged update its
 * session invoked before it, when that update is on another key. The key's own updates are its
 * checks' business (set.ts takes the session's own latest add; the register search and the zxid
 * witness order a read after its session's own writes, and those after what completed before
 * them). The per-key rules then ask for the writes completed before the anchor's invoke. Pure: no
 * I/O.
 */

import type { Operation } from '../history/types.ts';
import { byInvoke } from './describe.ts';

/** Each read's anchor: its session's latest acknowledged update before it, if on another key. */
export interface SessionAnchors {
  /** The anchor of a read of this history, or undefined. */
  of(read: Operation): Operation | undefined;
  /** The anchor's invoke time (what the rules compare), without touching the anchor itself. */
  timeOf(read: Operation): number | undefined;
}

const isUpdate = (op: Operation): boolean => op.outcome === 'ok' && (op.f === 'add' || op.f === 'write' || op.f === 'cas');
const isRead = (op: Operation): boolean => op.f === 'read' || op.f === 'read-set';

/**
 * Walks the operations in session order; `anchor` gets each read whose session's latest update is on
 * another key, and that update. When the latest is on the read's own key, it is later than any
 * other and the key's own checks already hold the read to it: the read needs no anchor.
 */
function walk<T>(ordered: readonly Operation[], of: (op: Operation) => T, anchor: (read: Operation, found: T) => void): void {
  const latest = new Map<number, { key: string; update: T }>();
  for (const op of ordered) {
    if (isRead(op)) {
      const l = latest.get(op.process);
      if (l !== undefined && l.key !== op.key) anchor(op, l.update);
    } else if (isUpdate(op)) {
      // One record per session, updated in place: a history has few sessions and a million updates.
      const l = latest.get(op.process);
      if (l === undefined) latest.set(op.process, { key: op.key, update: of(op) });
      else {
        l.key = op.key;
        l.update = of(op);
      }
    }
  }
}

/**
 * The anchors of a history's reads. Session order is invoke order within a process (ids break
 * ties). A history in id order, as parsed, is walked as it is and each anchor's invoke time kept in
 * a typed array by id (a million operations: a map by operation cost as much as a tenth of the
 * whole check); the anchor itself, wanted only to explain an anomaly, is found then by walking back
 * from the read. Any other history is sorted first and its anchors kept in a map.
 */
export function sessionAnchors(ops: readonly Operation[]): SessionAnchors {
  let inIdOrder = ops.length === 0 || (Number.isSafeInteger(ops[0]!.id) && ops[0]!.id >= 0);
  for (let i = 1; i < ops.length && inIdOrder; i++) inIdOrder = ops[i - 1]!.id < ops[i]!.id && Number.isSafeInteger(ops[i]!.id);
  // Ids of parsed histories are event indices: at most two per operation.
  const lastId = ops.length === 0 ? -1 : ops[ops.length - 1]!.id;
  if (inIdOrder && lastId < 2 * ops.length + 1024) {
    // NaN: no anchor (an invoke time is an integer).
    const anchorTime = new Float64Array(lastId + 1).fill(NaN);
    walk(ops, (op) => op.invokeTime, (read, time) => (anchorTime[read.id] = time));
    const timeOf = (read: Operation): number | undefined => {
      const time = read.id >= 0 && read.id <= lastId ? anchorTime[read.id]! : NaN;
      return Number.isNaN(time) ? undefined : time;
    };
    const of = (read: Operation): Operation | undefined => {
      if (timeOf(read) === undefined) return undefined;
      for (let i = countBelowBy(ops, read.id) - 1; i >= 0; i--) {
        const op = ops[i]!;
        if (op.process === read.process && isUpdate(op)) return op;
      }
      return undefined;
    };
    return { of, timeOf };
  }
  const anchorOf = new Map<Operation, Operation>();
  walk([...ops].sort(byInvoke), (op) => op, (read, anchor) => anchorOf.set(read, anchor));
  return { of: (read) => anchorOf.get(read), timeOf: (read) => anchorOf.get(read)?.invokeTime };
}

/** How many of the operations (in id order) have an id below `id`: binary search. */
function countBelowBy(ops: readonly Operation[], id: number): number {
  let lo = 0;
  let hi = ops.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ops[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
