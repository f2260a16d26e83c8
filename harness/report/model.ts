/**
 * The report's data model: what prepare-report-data.ts computes from a run and what the page's
 * client script reads back from the embedded JSON. Times are microseconds since the history's first
 * event (ns would not fit the charts' float32 coordinates precisely; µs is finer than any latency
 * that matters here). Per-operation data is columnar and numeric so 200,000 operations stay a few MB.
 */

import type { AnomalyType, Validity } from '../checker/index.ts';

/** What the report knows about the run besides its files' contents. */
export interface RunInfo {
  /** The run folder's name (test-results/<run-id>). */
  runName: string;
  /** The suite or scenario that produced the run (the run id without its timestamp). */
  suite: string;
  /** The seed of every random choice, when the run saved one. */
  seed: string | null;
  /** Path of the history the report was built from, as given. */
  historyFile: string;
  /** The command that reruns the run, when the runner knows it (else the integration project's, naming the suite). */
  rerunCommand?: string;
  /** The planned fault schedule (schedule.json), one line per fault, when the run had one. */
  schedule?: string[];
  /** What each member said of itself after the run (servers.json), one line per member. */
  servers?: string[];
  /** How late the harness's event loop ran under the workload (workload.json), as a line for people. */
  loopDelay?: string;
}

export const OUTCOMES = ['ok', 'fail', 'info'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Operations as parallel columns, in invoke order. `id` and `t` are delta-encoded (each entry is
 * the difference from the previous one) because both only grow; decode with decodeDeltas.
 */
export interface OpColumns {
  /** Invoke indices (the operation ids the verdict refers to), delta-encoded. */
  id: number[];
  /** Invoke times in µs, delta-encoded. */
  t: number[];
  /** µs from invoke to the completion event, or -1 when the operation never completed. */
  d: number[];
  /** History process of each operation. */
  p: number[];
  /** Function and outcome together: functionIndex * 3 + outcomeIndex (see dict.f and OUTCOMES). */
  c: number[];
  /** Index into dict.keys. */
  k: number[];
  /** 1 + index into dict.servers; 0 when no server answered. */
  s: number[];
  /** 1 + index into dict.errors; 0 when there was no error. */
  e: number[];
  /** A short summary of the value (what was written, read or compared), for the hover details. */
  v: string[];
}

/** An operation as a row of an anomaly's table: everything the history says about it. */
export interface OpRow {
  id: number;
  process: number;
  f: string;
  key: string;
  /** What was asked and what was observed, in words. */
  value: string;
  invokeUs: number;
  /** null when the operation never completed. */
  completeUs: number | null;
  outcome: Outcome;
  server: string | null;
  error: string | null;
  /** The anomaly's element is in this read-set's output (true), absent (false), or n/a (null). */
  holdsElement: boolean | null;
}

export interface AnomalyView {
  type: AnomalyType;
  key: string;
  element: string | null;
  explanation: string;
  ops: OpRow[];
}

/**
 * What the throughput and latency plots tell apart: the outcomes, with a cas its version refused
 * on its own (a routine answer in a cas workload, drawn quietly as on the timeline, not as a failure).
 */
export const BUCKET_CATEGORIES = ['ok', 'rejected', 'fail', 'info'] as const;
export type BucketCategory = (typeof BUCKET_CATEGORIES)[number];

/** Per time bucket: completions per second (by completion time), latency percentiles (by invoke time). */
export interface BucketSeries {
  widthUs: number;
  /** Start of bucket i is i * widthUs (µs since the first event); bucket i ends at the next one's start. */
  count: number;
  /** Where the last bucket ends: the run's end (it covers a quarter to one and a quarter widths). */
  endUs: number;
  /** Completions per second (over the part of the bucket the run covers), by category. */
  throughput: Record<BucketCategory, number[]>;
  /** Latency in ms of the operations invoked in the bucket, by category; null where none. */
  latency: Record<BucketCategory, { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] }>;
}

export interface ReportModel {
  run: {
    name: string;
    suite: string;
    seed: string | null;
    historyFile: string;
    /** Commands shown under "How to rerun". */
    rerun: string[];
    /** The planned fault schedule, one line per fault (empty: none planned or no schedule.json). */
    schedule: string[];
    /** One line per member (empty: no servers.json). */
    servers: string[];
    /** null: no workload.json. */
    loopDelay: string | null;
  };
  /** Time of the history's first event (ns); every µs time in the model is relative to it. */
  originNs: number;
  /** From the first to the last event of the history. */
  durationUs: number;
  /** The x-axis extent: the history, widened to include every fault window and Kubernetes event. */
  axis: { minUs: number; maxUs: number };
  verdict: {
    validity: Validity;
    anomalies: AnomalyView[];
    unknownKeys: { key: string; reason: string }[];
  };
  counts: {
    operations: number;
    byOutcome: Record<Outcome, number>;
    /** Of the failed: cas refused by their comparison (BAD_VERSION), which observed the register. */
    casRejected: number;
    byFunction: Record<string, number>;
    /** Indeterminate operations with no completion event at all. */
    neverCompleted: number;
    keys: number;
    processes: number;
  };
  dict: { f: string[]; keys: string[]; servers: string[]; errors: string[] };
  /** Processes packed into lanes: processes[i] is drawn on lane lanes[i]. */
  lanes: { count: number; processes: number[]; lanes: number[]; labels: string[] };
  ops: OpColumns;
  faults: { name: string; detail: string; startUs: number; endUs: number | null }[];
  kube: { timeUs: number; source: string; kind: string; detail: string }[];
  buckets: BucketSeries;
}
