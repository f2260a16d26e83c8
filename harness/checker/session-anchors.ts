/**
 * ZooKeeper's session guarantee across keys. Keys are checked one at a time, but a session's order
 * spans them: once a session's update (add, write or cas) on any key is acknowledged, the member
 * serving the session has applied it, and with it every write acknowledged before that update was
 * invoked (writes are linearizable). So each of the session's later reads, of any key, must
 * reflect every write acknowledged before that update was invoked.
 *
 * One pass over the whole history gives each read its anchor: the latest acknowledged update its
 * session invoked before it. The per-key rules then ask only for writes completed before the
 * anchor's invoke. Pure: no I/O.
 */

import type { Operation } from '../history/types.ts';
import { byInvoke } from './describe.ts';

/** Each read's anchor: its session's latest acknowledged update, on any key, before it. */
export interface SessionAnchors {
  /** The anchor of a read of this history, or undefined. */
  of(read: Operation): Operation | undefined;
  /** The anchor's invoke time (what the rules compare), without touching the anchor itself. */
  timeOf(read: Operation): number | undefined;
}

const isUpdate = (op: Operation): boolean => op.outcome === 'ok' && (op.f === 'add' || op.f === 'write' || op.f === 'cas');
const isRead = (op: Operation): boolean => op.f === 'read' || op.f === 'read-set';

/**
 * The anchors of a history's reads. Session order is invoke order within a process (ids break
 * ties). A history in id order, as parsed, is walked as it is and its anchors kept in a typed array
 * by id (a million operations: a map by operation cost as much as a tenth of the whole check); any
 * other is sorted first and kept in a map.
 */
export function sessionAnchors(ops: readonly Operation[]): SessionAnchors {
  let inIdOrder = ops.length === 0 || (Number.isSafeInteger(ops[0]!.id) && ops[0]!.id >= 0);
  for (let i = 1; i < ops.length && inIdOrder; i++) inIdOrder = ops[i - 1]!.id < ops[i]!.id && Number.isSafeInteger(ops[i]!.id);
  // Ids of parsed histories are event indices: at most two per operation.
  const lastId = ops.length === 0 ? -1 : ops[ops.length - 1]!.id;
  if (inIdOrder && lastId < 2 * ops.length + 1024) {
    const anchorAt = new Int32Array(lastId + 1).fill(-1);
    const anchorTime = new Float64Array(lastId + 1);
    const latestUpdate = new Map<number, number>();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (isRead(op)) {
        const anchor = latestUpdate.get(op.process);
        if (anchor === undefined) continue;
        anchorAt[op.id] = anchor;
        anchorTime[op.id] = ops[anchor]!.invokeTime;
      } else if (isUpdate(op)) {
        latestUpdate.set(op.process, i);
      }
    }
    const at = (read: Operation): number => (read.id >= 0 && read.id <= lastId ? anchorAt[read.id]! : -1);
    return {
      of: (read) => (at(read) >= 0 ? ops[at(read)] : undefined),
      timeOf: (read) => (at(read) >= 0 ? anchorTime[read.id] : undefined),
    };
  }
  const latestUpdate = new Map<number, Operation>();
  const anchorOf = new Map<Operation, Operation>();
  for (const op of [...ops].sort(byInvoke)) {
    if (isRead(op)) {
      const anchor = latestUpdate.get(op.process);
      if (anchor !== undefined) anchorOf.set(op, anchor);
    } else if (isUpdate(op)) {
      latestUpdate.set(op.process, op);
    }
  }
  return { of: (read) => anchorOf.get(read), timeOf: (read) => anchorOf.get(read)?.invokeTime };
}
