/**
 * The history format: a public interface (documented in the README).
 * JSON Lines, one event per line. An `invoke` is completed by the next event of the same process;
 * an invoke with no completion is indeterminate.
 */

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export type OpFunction = 'add' | 'read-set' | 'write' | 'read' | 'cas';

export interface HistoryEvent {
  /** 0-based position in the history. */
  index: number;
  /** invoke, or its completion: ok, fail (definitely did not happen), info (indeterminate). */
  type: EventType;
  /** One client session; at most one operation outstanding; a new session gets a new process. */
  process: number;
  /** Nanoseconds on one monotonic clock. */
  time: number;
  f: OpFunction;
  key: string;
  /**
   * add → the element; read-set → elements present (ok) or null (invoke);
   * write → value written; read → value read or null (absent), null on invoke;
   * cas → [expected, new].
   */
  value: string | string[] | null;
  /** Optional on completions: the zxid the server reported ("0x..." hex). */
  zxid?: string;
  /** Optional on completions: the znode version. */
  version?: number;
  /** Optional on completions: the server that answered. */
  server?: string;
  /** Optional on completions: the error that ended the operation. */
  error?: string;
  /**
   * Optional on a read or read-set (its invoke or completion): true marks a final read, made after
   * the faults healed and every other operation on its key completed; false marks a read that is
   * not one (on either event or both, never disagreeing). The checker requires final reads to hold
   * every acknowledged write. A key whose reads carry marks has only the reads marked true as final
   * (none, when its run ended before its final reads); a key without marks has them inferred (see
   * checker/set.ts).
   */
  final?: boolean;
}

/**
 * A failed cas changed nothing. It also says what the register held only when the server refused
 * it because the comparison failed (ZooKeeper's BAD_VERSION); a cas that failed before it was
 * compared (never sent, no connection) says nothing about the register.
 */
export function casComparisonFailed(error: string | undefined): boolean {
  return error !== undefined && error.includes('BAD_VERSION');
}

/**
 * A cas its version refused (casComparisonFailed): a routine answer, not a failure of the system,
 * and ZooKeeper commits the refusal as an error transaction, in order with the writes.
 */
export function isRefusedCas(op: Pick<Operation, 'f' | 'outcome' | 'error'>): boolean {
  return op.f === 'cas' && op.outcome === 'fail' && casComparisonFailed(op.error);
}

/**
 * What identifies a history file's content: its size and SHA-256, of the bytes a check read. A
 * run's verdict.json carries it, so a report never shows that verdict beside a history edited (or
 * grown) after the check.
 */
export interface HistoryDigest {
  bytes: number;
  sha256: string;
}

/** An operation: an invoke paired with its completion (or none). */
export interface Operation {
  /** Index of the invoke event; doubles as the operation's id. */
  id: number;
  process: number;
  f: OpFunction;
  key: string;
  /** The invoke's value (what was asked). */
  input: HistoryEvent['value'];
  /** The completion's value (what was observed), when there is a completion. */
  output: HistoryEvent['value'];
  /** ok and fail are determinate; info (or no completion) is indeterminate. */
  outcome: 'ok' | 'fail' | 'info';
  invokeTime: number;
  /** Completion time; Infinity for an indeterminate operation (it may take effect at any later time). */
  completeTime: number;
  /** Index of the completion event, when there is one. */
  completionIndex?: number;
  zxid?: bigint;
  version?: number;
  server?: string;
  error?: string;
  /** true: a final read; false: a read marked as not final; absent: not marked (see HistoryEvent.final). */
  final?: boolean;
}
