import { existsSync, readdirSync, statSync } from 'node:fs';
import type { Verdict } from '../checker/index.ts';
import type { HistoryDigest } from '../history/types.ts';
import type { WorkloadSummary } from '../workload/runner.ts';
import { atomicWrite } from './atomic-write.ts';
import { join } from 'node:path';

/** The files of one run's folder (test-results/<run-id>/), named once. */
export const RUN_FILES = {
  history: 'history.jsonl',
  faults: 'faults.jsonl',
  events: 'events.jsonl',
  seed: 'seed',
  /** The command that reruns the run (with ZK_CHAOS_SEED=<seed>): a report made later names it too. */
  rerun: 'rerun',
  verdict: 'verdict.json',
  report: 'report.html',
  /** The planned fault schedule (npx zk-chaos run), written before the workload starts. */
  schedule: 'schedule.json',
  /** What each member says of itself after the run: mode, last zxid, its log's error lines. */
  servers: 'servers.json',
  /**
   * What the workload did (operations by outcome, sessions, final reads) and how late the
   * harness's own event loop ran meanwhile: a late loop stretches the latencies the history holds.
   */
  workload: 'workload.json',
  /** Each member's console log, kept when the run was not valid or a member logged errors. */
  diagnostics: 'diagnostics',
} as const;

/**
 * The run folders under resultsDir whose history was written at or after `since` (ms since the
 * epoch), in the order the runs started (their seed file is written first).
 */
export function runFoldersSince(resultsDir: string, since: number): string[] {
  if (!existsSync(resultsDir)) return [];
  const runs: { dir: string; started: number }[] = [];
  for (const name of readdirSync(resultsDir)) {
    const dir = join(resultsDir, name);
    const history = join(dir, RUN_FILES.history);
    if (!existsSync(history) || statSync(history).mtimeMs < since) continue;
    const seed = join(dir, RUN_FILES.seed);
    runs.push({ dir, started: existsSync(seed) ? statSync(seed).mtimeMs : statSync(history).mtimeMs });
  }
  return runs.sort((a, b) => a.started - b.started || a.dir.localeCompare(b.dir)).map((r) => r.dir);
}

/**
 * The event (source harness) a run records once its workload and final reads are over: from then
 * on its history is whole, and a run interrupted while checking or reporting is judged on it as is.
 */
export const HISTORY_COMPLETE = 'history-complete';

/** Writes a run's workload.json (atomically: a full disk leaves the previous file or none). */
export function writeWorkloadSummary(dir: string, summary: WorkloadSummary): void {
  atomicWrite(join(dir, RUN_FILES.workload), JSON.stringify(summary, null, 2) + '\n');
}

/**
 * Writes a run's verdict.json (atomically: a full disk leaves the previous file or none), with the
 * digest of the bytes the check read (`judged`; none for a history it could not read): a report
 * shows the verdict only beside that history.
 */
export function writeVerdict(dir: string, verdict: Verdict, judged?: HistoryDigest): void {
  atomicWrite(join(dir, RUN_FILES.verdict), JSON.stringify({ ...verdict, ...(judged ? { history: judged } : {}) }, null, 2) + '\n');
}
