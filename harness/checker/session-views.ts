/**
 * ZooKeeper's session guarantee across keys. Keys are checked one at a time, but a session's view
 * spans them: the members apply one sequence of writes, and a session never sees an older view
 * than it saw before (a client that moves to another member takes its last zxid along, and a member
 * behind it refuses the session). So each of a session's reads, of any key, must reflect every
 * write acknowledged before the invoke of
 * - any update (add, write or cas) the session made and saw acknowledged before it: its member had
 *   applied that update, and writes are linearizable; likewise a cas of the session that its
 *   version refused (an error transaction, committed in order with the writes);
 * - any write an earlier read of the session saw: its member had applied that write; likewise the
 *   write of the value an acknowledged cas of the session expected (its member had applied the
 *   cas, and so every write before it).
 *
 * What a read saw (`SeenWrites`, recorded by each key's check: set.ts, register-history.ts): of
 * the writes of the value it returned (or an ok cas expected), the earliest-invoked one that did
 * not fail and was invoked before the read completed (any of them may be the one it saw); of a
 * read-set's elements, the one whose such add was invoked last (it asks the most).
 *
 * One pass over the whole history in session order gives each read its anchor: of those updates
 * and seen writes, the one invoked last, when the session's operation that brings it is on another
 * key. When that operation is on the read's own key, the key's own checks already hold the read to
 * it (set.ts takes the session's own adds and earlier read-sets; the register search and the zxid
 * witness order a read after its session's own writes and earlier reads), and to anything invoked
 * earlier: the read needs no anchor.
 *
 * Each key's check also records, for each read its own rules find nothing wrong with (a final one:
 * when it lost nothing), of the writes the read cannot follow, the one known applied earliest
 * (`ReadMisses`: set.ts, register.ts): by its acknowledgment, or earlier (or at all, when it had
 * none) by an ok read that returned what it wrote, or by a cas that required it (`AppliedProofs`).
 * The read went back in time if its anchor was invoked after that write was applied. When the two were
 * concurrent, the read orders them: its anchor in its view, the missed write not. Orders that
 * close a cycle (two sessions ordering two writes both ways, or three or more in a ring) are a
 * fork: the members apply writes in one order. A seen write stands for whichever writer of its
 * value the view holds (the earliest-invoked one need not be it when the value was written twice),
 * and a cycle through it stays a cycle through that writer: the orders out of it come from views
 * holding that writer, and a read that cannot follow a write cannot follow any write of the same
 * value invoked later (a read lacking an element lacks every add of it), which the view's writer
 * is. Pure: no I/O.
 */

import { isRefusedCas, type Operation } from '../history/types.ts';
import { byInvoke, ids, keyName, opName, q } from './describe.ts';
import { OperationLinks } from './operation-links.ts';
import { componentCycles } from './order-cycles.ts';
import type { Anomaly } from './types.ts';

/** Each ok read (and ok cas) → the write it proves its member had applied (see above); none for absent. */
export type SeenWrites = OperationLinks;

/** Each read its key's rules passed (a final one: when it lost nothing) → of the writes it cannot follow, the one known applied earliest. */
export type ReadMisses = OperationLinks;

/**
 * A write a read misses → the operation whose completion shows the write applied before its own
 * acknowledgment, or at all when it had none: a read that returned its value, or what a cas that
 * required it showed (register-history.ts appliedBy, set.ts).
 */
export type AppliedProofs = OperationLinks;

/** What each key's check records for the rule across keys. */
export interface SessionRecords {
  seen: SeenWrites;
  misses: ReadMisses;
  proofs: AppliedProofs;
}

/** Empty records for the operations of a history. */
export function sessionRecords(ops: readonly Operation[]): SessionRecords {
  const seen = new OperationLinks(ops);
  return { seen, misses: new OperationLinks(ops, seen), proofs: new OperationLinks(ops, seen) };
}

/** Why a read must reflect the writes acknowledged before `write` was invoked. */
interface SessionAnchor {
  /** The session's own operation that brings the bound: an acknowledged update, or an ok read. */
  via: Operation;
  /** The write whose invoke is the bound: `via` itself, or the write the read `via` saw. */
  write: Operation;
}

const isUpdate = (op: Operation): boolean => op.outcome === 'ok' && (op.f === 'add' || op.f === 'write' || op.f === 'cas');
const isRead = (op: Operation): boolean => op.f === 'read' || op.f === 'read-set';

/**
 * The rules across keys: stale-read-in-session (see above), one per session and key, at its first
 * stale read (its later reads repeat the same fall back); and skipped-write for two sessions whose
 * views cross (see forks). Session order is invoke order within a process (ids break ties): the
 * history is walked as given (a parsed one is in that order) and sorted only when a session turns
 * out out of order.
 */
export function sessionsAcrossKeys(ops: readonly Operation[], records: SessionRecords): Anomaly[] {
  const found = walk(ops, records) ?? walk([...ops].sort(byInvoke), records)!;
  const stale = found.stale.sort((a, b) => a.read.id - b.read.id).map(({ read, missed, proof, anchor }) => staleAnomaly(read, missed, proof, anchor));
  return [...stale, ...forks(found.before)];
}

/** A read gone back in time: the write it misses, what showed it applied (if not its acknowledgment), and the anchor invoked after. */
interface StaleRead {
  read: Operation;
  missed: Operation;
  proof: Operation | undefined;
  anchor: SessionAnchor;
}

/**
 * The orders reads' views prove between two writes, as flat quadruples (read, first, then, via):
 * `first`, the read's anchor on another key (in the view), comes before `then`, a write the read
 * cannot follow (not in the view); `via` is the session's operation that brought the anchor (the
 * update itself, or a read that saw it). Flat, not an object per order: most ordinary reads of a
 * busy history miss some concurrent write.
 */
type ViewOrders = Operation[];

/** The stale reads and the view orders, walking `ops` as session order; undefined if it is not. */
function walk(ops: readonly Operation[], { seen, misses, proofs }: SessionRecords): { stale: StaleRead[]; before: ViewOrders } | undefined {
  const found: StaleRead[] = [];
  const before: ViewOrders = [];
  const reported = new Set<string>();
  // One record per session, updated in place: a history has few sessions and a million operations.
  const sessions = new Map<number, { last: Operation; key: string; anchor: SessionAnchor | undefined }>();
  for (const op of ops) {
    let s = sessions.get(op.process);
    if (s === undefined) sessions.set(op.process, (s = { last: op, key: op.key, anchor: undefined }));
    else if (byInvoke(s.last, op) > 0) return undefined;
    s.last = op;
    if (!isRead(op)) {
      // A refused cas is answered once the session's member has applied the refusal (an error
      // transaction): it binds later reads as an acknowledged update does. One that failed before
      // it was compared was never a transaction.
      if (isUpdate(op) || isRefusedCas(op)) raise(s, op, op);
      // An ok cas also saw the write of the value it expected (register-history.ts).
      const saw = seen.get(op);
      if (saw !== undefined) raise(s, op, saw);
      continue;
    }
    const anchor = s.anchor;
    // A refused cas holds a read of its own key only in some cases (register-history.ts leaves out
    // one whose expected value was written more than once): its bound is checked here on every key.
    if (anchor !== undefined && (s.key !== op.key || isRefusedCas(anchor.via))) {
      const missed = misses.get(op);
      const proof = missed === undefined ? undefined : proofs.get(missed);
      // Applied by then: acknowledged, or shown applied earlier (proof).
      // (Only an ok completion is an acknowledgment: an indeterminate op's time says nothing.)
      const applied = missed === undefined ? Infinity : Math.min(missed.outcome === 'ok' ? missed.completeTime : Infinity, proof?.completeTime ?? Infinity);
      if (missed !== undefined && applied < anchor.write.invokeTime) {
        const session = `${op.process} ${op.key}`;
        if (!reported.has(session)) {
          reported.add(session);
          found.push({ read: op, missed, proof: proof !== undefined && proof.completeTime < missed.completeTime ? proof : undefined, anchor });
        }
      } else if (missed !== undefined && missed.invokeTime <= anchor.write.completeTime && !isRefusedCas(anchor.write)) {
        // Only concurrent writes can be ordered both ways: had the anchor completed before the
        // missed write was invoked, a view the other way round is a stale read (above). A refused
        // cas wrote nothing, so no read misses it and no order leads back to it: it closes no cycle.
        before.push(op, anchor.write, missed, anchor.via);
      }
    }
    const saw = seen.get(op);
    if (saw !== undefined) raise(s, op, saw);
  }
  return { stale: found, before };
}

/**
 * skipped-write across keys: one session's read puts its anchor a before a write b it cannot
 * follow, another's puts b (its anchor) before a. Each view holds one of the two writes without
 * the other, and whichever the members applied first, one view holds the later without the
 * earlier. One anomaly per pair. Longer cycles of such orders (a before b, b before c, c before a,
 * each from another session's view) are as impossible: one anomaly per cycle over writes no pair
 * already names (order-cycles.ts).
 */
function forks(before: Readonly<ViewOrders>): Anomaly[] {
  // Ids are below 2^26 in any history that fits in memory: one number keys a pair.
  const pair = (a: Operation, b: Operation): number => a.id * 2 ** 26 + b.id;
  // Each pair's first order: where its quadruple starts in `before`.
  const byPair = new Map<number, number>();
  for (let at = 0; at < before.length; at += ORDER) {
    const key = pair(before[at + 1]!, before[at + 2]!);
    if (!byPair.has(key)) byPair.set(key, at);
  }
  const anomalies: Anomaly[] = [];
  const paired = new Set<Operation>();
  for (const [key, one] of byPair) {
    const [read, first, then] = [before[one]!, before[one + 1]!, before[one + 2]!];
    const other = byPair.get(pair(then, first));
    if (other === undefined || key > pair(then, first)) continue;
    paired.add(first).add(then);
    anomalies.push({
      type: 'skipped-write',
      key: read.key,
      element: valuePut(then),
      ops: ids([read.id, first.id, then.id, before[other]!.id]),
      explanation:
        `${view(before, one)}; and ${view(before, other)}: each view holds one of the two writes without the other, but the members ` +
        `apply writes in one order, so whichever came first, one view holds the later without the earlier.`,
    });
  }
  const orders = [...byPair.values()].sort((a, b) => before[a + 1]!.id - before[b + 1]!.id || before[a + 2]!.id - before[b + 2]!.id);
  for (const cycle of longerCycles(before, orders)) {
    if (cycle.some((at) => paired.has(before[at + 1]!))) continue;
    const writes = cycle.map((at) => before[at + 1]!);
    const read = before[cycle[0]!]!;
    anomalies.push({
      type: 'skipped-write',
      key: read.key,
      element: valuePut(before[cycle[0]! + 2]!),
      ops: ids(cycle.flatMap((at) => [before[at]!.id, before[at + 1]!.id])),
      explanation:
        `${cycle.map((at) => view(before, at)).join('; ')}: these views order the writes in a cycle (${[...writes, writes[0]!].map(opName).join(' before ')}), ` +
        `but the members apply writes in one order, and every view is a prefix of it.`,
    });
  }
  return anomalies;
}

/** The operations of one order in ViewOrders. */
const ORDER = 4;

/** What the order starting at `at` says, for an explanation. */
function view(before: Readonly<ViewOrders>, at: number): string {
  const [read, first, then, via] = [before[at]!, before[at + 1]!, before[at + 2]!, before[at + 3]!];
  const own = first.process === read.process && isUpdate(first);
  const inView = own
    ? `its session's own ${opName(first)} on key ${keyName(first.key)} was acknowledged before it`
    : `its session's ${opName(via)} had seen ${q(valuePut(first))} on key ${keyName(first.key)}, which ${opName(first)} wrote`;
  return `${opName(read)} on key ${keyName(read.key)} shows a state from before ${opName(then)}, though ${inView}`;
}

/** The cycles of three or more orders among `orders` (order starts in `before`), each as its orders' starts. */
function longerCycles(before: Readonly<ViewOrders>, orders: readonly number[]): number[][] {
  // Writes numbered by id, so that the cycles found do not depend on the order of the history.
  const writes = [...new Set(orders.flatMap((at) => [before[at + 1]!, before[at + 2]!]))].sort((a, b) => a.id - b.id);
  const node = new Map(writes.map((w, i) => [w, i]));
  const from = orders.map((at) => node.get(before[at + 1]!)!);
  const to = orders.map((at) => node.get(before[at + 2]!)!);
  return componentCycles(writes.length, from, to)
    .filter((edges) => edges.length > 2)
    .map((edges) => edges.map((e) => orders[e]!));
}

/** Makes `via` the session's anchor if its bound is no earlier (ties go to the later operation: its key's checks hold the read to the bound as well). */
function raise(s: { key: string; anchor: SessionAnchor | undefined }, via: Operation, write: Operation): void {
  if (s.anchor !== undefined && write.invokeTime < s.anchor.write.invokeTime) return;
  s.key = via.key;
  s.anchor = { via, write };
}

/** "the same session's own write 5 (process 2, ok) on key "r" was invoked", or the seen write's. */
function anchorInvoked(anchor: SessionAnchor): string {
  const { via, write } = anchor;
  if (via === write) {
    const refused = isRefusedCas(via)
      ? ' (refused by its version: ZooKeeper commits the refusal in order with the writes, and answers once the session\'s member has applied it)'
      : '';
    return `the same session's own ${opName(via)} on key ${keyName(via.key)} was invoked${refused}`;
  }
  return `${opName(write)} on key ${keyName(write.key)} was invoked, a write the same session had seen in its ${opName(via)}`;
}

function staleAnomaly(read: Operation, missed: Operation, proof: Operation | undefined, anchor: SessionAnchor): Anomaly {
  const element = valuePut(missed);
  // When the missed write was applied: acknowledged, or shown applied by an operation that completed earlier.
  const applied =
    proof === undefined
      ? 'acknowledged'
      : `shown applied when ${opName(proof)} completed (${proofReason(proof)})`;
  const head =
    read.f === 'read-set'
      ? `read-set ${read.id} (process ${read.process}) on key ${keyName(read.key)} lacks ${q(element)}, added by ${opName(missed)}, which was ${applied}`
      : `read ${read.id} (process ${read.process}) on key ${keyName(read.key)} returned ${q(read.output as string | null)}, which misses ` +
        `${opName(missed)} of ${q(element)}${read.output === null ? '' : overwrote(missed, read.output as string) ? `, which required ${q(read.output as string)} and wrote over it` : `, invoked after every write of ${q(read.output as string)} had been applied`}, ${applied}`;
  return {
    type: 'stale-read-in-session',
    key: read.key,
    element,
    ops: ids([missed.id, proof?.id, anchor.write.id, anchor.via.id, read.id]),
    explanation:
      `${head} before ${anchorInvoked(anchor)}: ZooKeeper orders writes linearizably and a session never sees an older view ` +
      `than it saw, so the session went back in time.`,
  };
}

/** Why `proof`, an ok op, shows a write applied by its completion (see AppliedProofs). */
function proofReason(proof: Operation): string {
  if (proof.f === 'read-set') return 'it showed the element';
  const through = 'directly or through cas ops each requiring the value of the one before';
  if (proof.f === 'read') return `it returned ${q(proof.output as string | null)}, written by that write or by a cas after it, ${through}`;
  return `it required the value of that write, ${through}`;
}

/** Whether `op` is a cas that required `value` and wrote another (a read of `value` cannot follow it). */
function overwrote(op: Operation, value: string): boolean {
  return op.f === 'cas' && Array.isArray(op.input) && op.input[0] === value && op.input[1] !== value;
}

/** The value an update puts: an add's element, a write's value, a cas's new value. */
function valuePut(op: Operation): string {
  return (Array.isArray(op.input) ? op.input[1] : op.input) as string;
}
