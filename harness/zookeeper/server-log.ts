/**
 * What a ZooKeeper server's own log says about its consistency. The checker judges the history;
 * these lines are the server's side of the story, kept with a run so a finding can be explained
 * (ZOOKEEPER-4394's NullPointerException in Learner.syncWithLeader, for one). Pure.
 */
export interface ServerLogFinding {
  kind: string;
  /** How many lines matched. */
  count: number;
  /** The first matching line, trimmed. */
  first: string;
}

/** Messages ZooKeeper 3.4-3.9 log when a member's state went wrong (not the ordinary churn of elections). */
const PATTERNS: ReadonlyArray<{ kind: string; pattern: RegExp }> = [
  { kind: 'digest-mismatch', pattern: /Digests are not matching|digest mismatch/i },
  // Not "Got zxid ... expected 0x1": followers log it at every new epoch.
  { kind: 'commit-out-of-order', pattern: /Committing zxid 0x[0-9a-f]+ but next pending txn/i },
  { kind: 'null-pointer', pattern: /java\.lang\.NullPointerException/ },
  // Not LearnerHandler's "Unexpected exception causing shutdown while sock still open": a leader
  // logs it whenever a follower goes away.
  { kind: 'unrecoverable', pattern: /Severe unrecoverable error|Unable to load database on disk/i },
  { kind: 'corrupt-log', pattern: /CRC check failed|Last transaction was partial|Unreasonable length|invalid magic number/i },
];

export function scanServerLog(text: string): ServerLogFinding[] {
  const findings = new Map<string, ServerLogFinding>();
  for (const line of text.split('\n')) {
    for (const { kind, pattern } of PATTERNS) {
      if (!pattern.test(line)) continue;
      const found = findings.get(kind);
      if (found) found.count++;
      else findings.set(kind, { kind, count: 1, first: line.trim().slice(0, 300) });
    }
  }
  return [...findings.values()];
}
