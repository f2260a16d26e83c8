/**
 * Links from some operations of one history to others of it (a read to the write it saw), looked
 * up by operation. A history in id order with ids that are event indices (as parsed: at most two
 * per operation) keeps its links in typed arrays by id: a million operations in a map by operation
 * cost as much as a tenth of the whole check, and an array of objects that large is a dictionary
 * in V8. Any other history (hand-made, reordered) keeps them in a map.
 */

import type { Operation } from '../history/types.ts';

export class OperationLinks {
  private readonly ops: readonly Operation[];
  /** By id: the operation's position in ops (dense form), and its link's position (-1: none). */
  private readonly positionOf: Int32Array | undefined;
  private readonly linkOf: Int32Array | undefined;
  private readonly byOp: Map<Operation, Operation> | undefined;

  /** Links over `ops`; `sibling` shares the index of another table over the same operations. */
  constructor(ops: readonly Operation[], sibling?: OperationLinks) {
    this.ops = ops;
    this.positionOf = sibling !== undefined ? sibling.positionOf : denseIndex(ops);
    if (this.positionOf !== undefined) this.linkOf = new Int32Array(this.positionOf.length).fill(-1);
    else this.byOp = new Map();
  }

  /** The operation `op` (of this history) links to, if any. */
  get(op: Operation): Operation | undefined {
    if (this.linkOf === undefined) return this.byOp!.get(op);
    const at = op.id >= 0 && op.id < this.linkOf.length ? this.linkOf[op.id]! : -1;
    return at === -1 ? undefined : this.ops[at];
  }

  /** Links `op` to `target`, both operations of this history. */
  set(op: Operation, target: Operation): void {
    if (this.linkOf === undefined) this.byOp!.set(op, target);
    else this.linkOf[op.id] = this.positionOf![target.id]!;
  }
}

/** Each id's position, when the ids are increasing event indices; else undefined. */
function denseIndex(ops: readonly Operation[]): Int32Array | undefined {
  const lastId = ops.length === 0 ? -1 : ops[ops.length - 1]!.id;
  if (!Number.isSafeInteger(lastId) || lastId < ops.length - 1 || lastId >= 2 * ops.length + 1024) return undefined;
  const positionOf = new Int32Array(lastId + 1).fill(-1);
  let previous = -1;
  for (let i = 0; i < ops.length; i++) {
    const id = ops[i]!.id;
    if (!Number.isSafeInteger(id) || id <= previous) return undefined;
    positionOf[id] = i;
    previous = id;
  }
  return positionOf;
}
