/**
 * Run → report model: pure data preparation (no I/O, no HTML). Everything the page shows is
 * computed here so it can be tested on small hand-made inputs; the client script only draws.
 */

import type { Verdict } from '../checker/index.ts';
import { isRefusedCas, type HistoryEvent, type Operation } from '../history/types.ts';
import type { FaultWindow } from '../nemesis/fault.ts';
import { bucketize, type TimedOp } from './buckets.ts';
import { encodeDeltas, StringTable } from './compact.ts';
import { holdsElement, rowValue, shortValue } from './describe-op.ts';
import { laneLabel, packLanes, type ProcessSpan } from './lanes.ts';
import type { ClusterEvent } from '../history/event-log.ts';
import { OUTCOMES, type AnomalyView, type OpColumns, type ReportModel, type RunInfo } from './model.ts';
import { shellQuote } from '../run/shell-quote.ts';

/** The parts of a verdict the report shows; verdict.json from older runs may lack the stats. */
export type ReportVerdict = Pick<Verdict, 'validity' | 'anomalies' | 'unknownKeys'>;

export interface ReportInput {
  events: readonly HistoryEvent[];
  /** toOperations(events). */
  ops: readonly Operation[];
  verdict: ReportVerdict;
  faults: readonly FaultWindow[];
  kubeEvents: readonly ClusterEvent[];
  run: RunInfo;
}

const FUNCTIONS = ['add', 'read-set', 'write', 'read', 'cas'];
/**
 * The narrowest time axis: a history whose events all fall at one instant (a lone operation that
 * never completed) would get an axis of no width, on which no bar has a length.
 */
export const MIN_AXIS_SPAN_US = 1_000;

export function prepareReportData(input: ReportInput): ReportModel {
  const { events, ops, verdict } = input;
  const originNs = events.reduce((min, e) => Math.min(min, e.time), events[0]?.time ?? 0);
  const lastNs = events.reduce((max, e) => Math.max(max, e.time), originNs);
  const us = (ns: number) => Math.round((ns - originNs) / 1000);
  const durationUs = us(lastNs);

  // An info op's completeTime is Infinity (it may take effect later), but its completion event
  // still says when the client gave up: that is where its bar ends.
  const completionUs = (op: Operation): number | null => {
    if (op.completionIndex === undefined) return null;
    const completion = events[op.completionIndex];
    return completion === undefined ? null : us(completion.time);
  };

  const timed: TimedOp[] = [];
  const spans = new Map<number, ProcessSpan>();
  for (const op of ops) {
    const invokeUs = us(op.invokeTime);
    const completeUs = completionUs(op);
    timed.push({ invokeUs, completeUs, outcome: op.outcome, rejected: isRefusedCas(op) });
    const end = completeUs ?? durationUs;
    const span = spans.get(op.process);
    if (span) {
      span.start = Math.min(span.start, invokeUs);
      span.end = Math.max(span.end, end);
    } else {
      spans.set(op.process, { process: op.process, start: invokeUs, end });
    }
  }

  const lanes = packLanes([...spans.values()]);
  const processes = [...lanes.laneOf.keys()];
  const faults = input.faults.map((w) => ({
    name: w.name,
    detail: w.detail,
    startUs: us(w.start),
    endUs: w.end === undefined ? null : us(w.end),
  }));
  const kube = [...input.kubeEvents]
    .sort((a, b) => a.time - b.time)
    .map((e) => ({ timeUs: us(e.time), source: e.source, kind: e.kind, detail: e.detail }));
  // A loop, not Math.min(...list): a spread of a long run's cluster events overflows the stack.
  let minUs = 0;
  let maxUs = durationUs;
  const extend = (t: number): void => {
    if (t < minUs) minUs = t;
    if (t > maxUs) maxUs = t;
  };
  for (const f of faults) {
    extend(f.startUs);
    extend(f.endUs ?? durationUs);
  }
  for (const e of kube) extend(e.timeUs);
  if (maxUs - minUs < MIN_AXIS_SPAN_US) maxUs = minUs + MIN_AXIS_SPAN_US;

  const byFunction: Record<string, number> = {};
  const byOutcome = { ok: 0, fail: 0, info: 0 };
  let casRejected = 0;
  for (const op of ops) {
    byFunction[op.f] = (byFunction[op.f] ?? 0) + 1;
    byOutcome[op.outcome]++;
    if (isRefusedCas(op)) casRejected++;
  }

  const keys = new StringTable();
  const columns = compactOps(ops, timed, keys);
  return {
    run: {
      name: input.run.runName,
      suite: input.run.suite,
      seed: input.run.seed,
      historyFile: input.run.historyFile,
      rerun: rerunCommands(input.run),
      schedule: input.run.schedule ?? [],
      servers: input.run.servers ?? [],
      loopDelay: input.run.loopDelay ?? null,
    },
    originNs,
    durationUs,
    axis: { minUs, maxUs },
    verdict: {
      validity: verdict.validity,
      anomalies: anomalyViews(verdict, ops, us, completionUs),
      unknownKeys: verdict.unknownKeys.map((u) => ({ key: u.key, reason: u.reason })),
    },
    counts: {
      operations: ops.length,
      byOutcome,
      casRejected,
      byFunction,
      neverCompleted: timed.filter((t) => t.completeUs === null).length,
      keys: keys.values.length,
      processes: spans.size,
    },
    dict: { f: FUNCTIONS, keys: keys.values, servers: columns.servers, errors: columns.errors },
    lanes: {
      count: lanes.count,
      processes,
      lanes: processes.map((p) => lanes.laneOf.get(p)!),
      labels: lanes.members.map(laneLabel),
    },
    ops: columns.ops,
    faults,
    kube,
    buckets: bucketize(timed, durationUs),
  };
}

function compactOps(ops: readonly Operation[], timed: readonly TimedOp[], keys: StringTable) {
  const servers = new StringTable();
  const errors = new StringTable();
  const columns: OpColumns = { id: [], t: [], d: [], p: [], c: [], k: [], s: [], e: [], v: [] };
  ops.forEach((op, i) => {
    const time = timed[i]!;
    columns.id.push(op.id);
    columns.t.push(time.invokeUs);
    columns.d.push(time.completeUs === null ? -1 : time.completeUs - time.invokeUs);
    columns.p.push(op.process);
    columns.c.push(FUNCTIONS.indexOf(op.f) * OUTCOMES.length + OUTCOMES.indexOf(op.outcome));
    columns.k.push(keys.indexOf(op.key));
    columns.s.push(servers.optional(op.server));
    columns.e.push(errors.optional(op.error));
    columns.v.push(shortValue(op));
  });
  columns.id = encodeDeltas(columns.id);
  columns.t = encodeDeltas(columns.t);
  return { ops: columns, servers: servers.values, errors: errors.values };
}

function anomalyViews(
  verdict: ReportVerdict,
  ops: readonly Operation[],
  us: (ns: number) => number,
  completionUs: (op: Operation) => number | null,
): AnomalyView[] {
  const byId = new Map(ops.map((op) => [op.id, op]));
  return verdict.anomalies.map((anomaly) => {
    const element = anomaly.element ?? null;
    const rows = anomaly.ops.flatMap((id) => {
      const op = byId.get(id);
      if (!op) return [];
      // The element is the anomaly key's: an operation on another key (a session's anchor) is
      // shown as itself, never as lacking an element its key never had.
      const asked = op.key === anomaly.key ? element : null;
      return [{
        id: op.id,
        process: op.process,
        f: op.f,
        key: op.key,
        value: rowValue(op, asked),
        invokeUs: us(op.invokeTime),
        completeUs: completionUs(op),
        outcome: op.outcome,
        server: op.server ?? null,
        error: op.error ?? null,
        holdsElement: holdsElement(op, asked),
      }];
    });
    return { type: anomaly.type, key: anomaly.key, element, explanation: anomaly.explanation, ops: rows };
  });
}

/** Operation ids a verdict names that the history does not hold (a verdict.json of another run). */
export function missingOps(verdict: ReportVerdict, ops: readonly Operation[]): number[] {
  const ids = new Set(ops.map((op) => op.id));
  return [...new Set(verdict.anomalies.flatMap((a) => a.ops))].filter((id) => !ids.has(id));
}

/** "docker-kill-jvm-2025-01-02T03-04-05-678Z" → "docker-kill-jvm" (test-run.ts names runs so). */
export function suiteOf(runName: string): string {
  return runName.replace(/-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(-\d+)?Z$/, '');
}

function rerunCommands(run: RunInfo): string[] {
  const commands: string[] = [];
  if (run.seed !== null) {
    // A run that kept no command of its own (the integration tests' runs) is one of that project's.
    const command = run.rerunCommand ?? `npx vitest run --project integration   # the suite that ran ${run.suite}`;
    commands.push(`ZK_CHAOS_SEED=${run.seed} ${command}`);
  }
  commands.push(`npx zk-chaos check ${shellQuote(run.historyFile)}`);
  return commands;
}
