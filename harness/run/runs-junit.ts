/**
 * The JUnit cases of `zk-chaos run` and `zk-chaos hunt`: one case per run, so that a CI job's test
 * summary shows each run's verdict, and a hunt's findings (anomalies by kind, the report, the
 * command that replays the run) where reviewers look first. Pure: the caller writes the file.
 */

import type { JUnitCase } from './junit.ts';

/** One finished (or failed) run, as the command's table has it. */
export interface RunSummary {
  run: number;
  seed: number;
  /** valid, invalid, unknown or error (the run could not finish). */
  verdict: string;
  /** Anomalies by kind (lost, divergent, ...). */
  anomalies: Record<string, number>;
  /** The run's report, or '-' when none was written. */
  report: string;
  /** The command that replays this run. */
  rerun: string;
  /** Why the run is unknown or an error. */
  reason?: string;
  seconds: number;
}

/**
 * valid → a passing case; invalid → a failure naming the anomalies; unknown and error → an error
 * (never a pass: nothing was decided) with the reason. Every case says how to replay its run.
 */
export function runCases(suite: string, runs: readonly RunSummary[]): JUnitCase[] {
  return runs.map((r) => {
    const base = { suite, name: caseName(r), seconds: r.seconds };
    const detail = caseDetail(r.report, r.rerun);
    switch (r.verdict) {
      case 'valid':
        return base;
      case 'invalid':
        return { ...base, outcome: invalidOutcome(r.anomalies, detail) };
      default:
        return { ...base, outcome: { kind: 'error', type: r.verdict, message: `${r.verdict}: ${r.reason ?? 'no reason recorded'}`, detail } };
    }
  });
}

const caseName = (r: { run: number; seed: number }): string => `run ${r.run}, seed ${r.seed}`;
const caseDetail = (report: string, rerun: string): string => `report: ${report}\nreplay: ${rerun}`;

function invalidOutcome(anomalies: Record<string, number>, detail: string): NonNullable<JUnitCase['outcome']> {
  const kinds = Object.entries(anomalies).map(([kind, n]) => `${kind} ${n}`).join(', ');
  return { kind: 'failure', type: 'invalid', message: `invalid: ${kinds || 'anomalies in what was recorded'}`, detail };
}

/** A run stopped by a signal before it had a row of its own, and what its folder says by then. */
export interface CutShortRun {
  run: number;
  seed: number;
  rerun: string;
  /** The run's report, once the interrupted run's folder was given one. */
  report?: string;
  /** Its verdict, when the folder has one: what was recorded until the signal, checked. */
  verdict?: { validity: string; anomalies: Record<string, number> };
}

/**
 * The case of a run cut short: a failure when what it had recorded was already invalid (a finding
 * is a finding, interrupted or not), otherwise an `interrupted` error — never a pass.
 */
export function interruptedCase(suite: string, cut: CutShortRun, signal: string): JUnitCase {
  const base = { suite, name: caseName(cut), seconds: 0 };
  const detail = caseDetail(cut.report ?? '-', cut.rerun);
  if (cut.verdict?.validity === 'invalid') {
    const outcome = invalidOutcome(cut.verdict.anomalies, detail);
    return { ...base, outcome: { ...outcome, message: `${outcome.message} (then interrupted by ${signal})` } };
  }
  return { ...base, outcome: { kind: 'error', type: 'interrupted', message: `interrupted by ${signal}: no verdict`, detail } };
}
