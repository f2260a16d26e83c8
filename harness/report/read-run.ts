/**
 * Reads the files a run leaves next to its history (faults.jsonl, events.jsonl, seed,
 * verdict.json). Each is optional; a file that is present but unreadable is an error naming the
 * file, the line and the problem, like the history parser's HistoryFormatError.
 */

import { readFile } from 'node:fs/promises';
import type { AnomalyType, Validity } from '../checker/index.ts';
import type { FaultWindow } from '../nemesis/fault.ts';
import type { ClusterEvent } from '../history/event-log.ts';
import type { HistoryDigest } from '../history/types.ts';
import type { ReportVerdict } from './prepare-report-data.ts';

export class ReportInputError extends Error {
  readonly file: string;
  /** 1-based line, or null when the problem is the whole file. */
  readonly line: number | null;
  readonly problem: string;

  constructor(file: string, line: number | null, problem: string) {
    super(line === null ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = 'ReportInputError';
    this.file = file;
    this.line = line;
    this.problem = problem;
  }
}

/** The file's text, or null when it does not exist. */
export async function readOptional(path: string): Promise<string | null> {
  try {
    // Without a byte order mark, which JSON.parse would take for a bad token (the history reader skips it too).
    return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ReportInputError(path, null, `cannot be read (${(error as Error).message})`);
  }
}

/** faults.jsonl: a "start" line when a fault is injected, an "end" line (with both times) when healed. */
export function parseFaults(text: string, file: string): FaultWindow[] {
  const windows = new Map<string, FaultWindow>();
  forEachJsonLine(text, file, (o, fail) => {
    const event = o.event;
    if (event !== 'start' && event !== 'end') fail(`"event" must be "start" or "end" (got ${show(event)})`);
    if (typeof o.name !== 'string') fail(`"name" must be a string (got ${show(o.name)})`);
    if (typeof o.detail !== 'string') fail(`"detail" must be a string (got ${show(o.detail)})`);
    if (!isFiniteNumber(o.start)) fail(`"start" must be a number of nanoseconds (got ${show(o.start)})`);
    if (event === 'end' && !isFiniteNumber(o.end)) fail(`"end" must be a number of nanoseconds (got ${show(o.end)})`);
    const id = `${o.name}\u0000${o.start}`;
    const window = windows.get(id) ?? { name: o.name as string, detail: o.detail as string, start: o.start as number };
    // The end line's detail says what the heal did too.
    if (event === 'end') Object.assign(window, { end: o.end as number, detail: o.detail as string });
    windows.set(id, window);
  });
  return [...windows.values()].sort((a, b) => a.start - b.start);
}

/** events.jsonl: `{"time": ns, "source", "kind", "detail"}` per line. */
export function parseClusterEvents(text: string, file: string): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  forEachJsonLine(text, file, (o, fail) => {
    if (!isFiniteNumber(o.time)) fail(`"time" must be a number of nanoseconds (got ${show(o.time)})`);
    for (const field of ['source', 'kind', 'detail'] as const) {
      if (typeof o[field] !== 'string') fail(`"${field}" must be a string (got ${show(o[field])})`);
    }
    events.push({ time: o.time as number, source: o.source as string, kind: o.kind as string, detail: o.detail as string });
  });
  return events;
}

/** seed: one integer. */
export function parseSeed(text: string, file: string): string {
  const seed = text.trim();
  if (!/^\d+$/.test(seed)) throw new ReportInputError(file, 1, `the seed must be a non-negative integer (got ${show(seed)})`);
  return seed;
}

const VALIDITIES: readonly Validity[] = ['valid', 'invalid', 'unknown'];

/** A verdict.json: the verdict, and the digest of the history it judged (absent in older runs' files). */
export interface StoredVerdict extends ReportVerdict {
  history?: HistoryDigest;
}

/** verdict.json as written by the run (the checker's Verdict); only what the report shows is checked. */
export function parseVerdict(text: string, file: string): StoredVerdict {
  const raw = parseJson(text, file);
  const fail = (problem: string): never => {
    throw new ReportInputError(file, null, problem);
  };
  if (!isObject(raw)) return fail('must be a JSON object');
  if (!(VALIDITIES as readonly unknown[]).includes(raw.validity)) fail(`"validity" must be one of ${VALIDITIES.join(', ')} (got ${show(raw.validity)})`);
  if (!Array.isArray(raw.anomalies)) return fail('"anomalies" must be an array');
  const unknownKeys = raw.unknownKeys ?? [];
  if (!Array.isArray(unknownKeys)) return fail('"unknownKeys" must be an array');
  const anomalies = raw.anomalies.map((a: unknown, i: number) => {
    const where = `anomalies[${i}]`;
    if (!isObject(a)) return fail(`${where} must be an object`);
    if (typeof a.type !== 'string' || typeof a.key !== 'string' || typeof a.explanation !== 'string') {
      return fail(`${where} must have string "type", "key" and "explanation"`);
    }
    if (!Array.isArray(a.ops) || !a.ops.every((id) => Number.isSafeInteger(id))) return fail(`${where}.ops must be an array of operation ids`);
    if (a.element !== undefined && typeof a.element !== 'string') return fail(`${where}.element must be a string`);
    const anomaly = { type: a.type as AnomalyType, key: a.key, explanation: a.explanation, ops: a.ops as number[] };
    return typeof a.element === 'string' ? { ...anomaly, element: a.element } : anomaly;
  });
  const unknown = unknownKeys.map((u: unknown, i: number) => {
    if (!isObject(u) || typeof u.key !== 'string' || typeof u.reason !== 'string') {
      return fail(`unknownKeys[${i}] must have string "key" and "reason"`);
    }
    return { key: u.key, reason: u.reason };
  });
  const verdict = { validity: raw.validity as Validity, anomalies, unknownKeys: unknown };
  // The checker's rule (checker/index.ts): a report never heads a listed loss with VALID.
  const expected = anomalies.length > 0 ? 'invalid' : unknown.length > 0 ? 'unknown' : 'valid';
  if (verdict.validity !== expected) {
    fail(
      `"validity" is ${show(verdict.validity)} but the file lists ${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'} and ` +
        `${unknown.length} unknown key${unknown.length === 1 ? '' : 's'}, which make it ${expected} (delete verdict.json to recompute it)`,
    );
  }
  if (raw.history === undefined) return verdict;
  const judged = raw.history;
  if (!isObject(judged) || !Number.isSafeInteger(judged.bytes) || typeof judged.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(judged.sha256)) {
    return fail('"history" must be an object with the judged history\'s "bytes" (an integer) and "sha256" (64 hex digits)');
  }
  return { ...verdict, history: { bytes: judged.bytes as number, sha256: judged.sha256 } };
}

/**
 * schedule.json (npx zk-chaos run): the planned faults as lines for people, e.g.
 * "kill (minority) at 8.3 s for 6.1 s". Throws ReportInputError naming what is malformed.
 */
export function parseSchedule(text: string, file: string): string[] {
  return objectWithArray(text, file, 'faults').faults.map((f: unknown, i: number) => {
    if (!isObject(f) || typeof f.kind !== 'string' || typeof f.target !== 'string' || !isFiniteNumber(f.startMs) || !isFiniteNumber(f.durationMs)) {
      throw new ReportInputError(file, null, `faults[${i}] must have string "kind" and "target" and numbers "startMs" and "durationMs"`);
    }
    return `${f.kind} (${f.target}) at ${(f.startMs / 1000).toFixed(1)} s for ${(f.durationMs / 1000).toFixed(1)} s`;
  });
}

/**
 * servers.json (npx zk-chaos run): each member's mode and last zxid after the run and the error
 * lines of its log, as lines for people, e.g. "zk-0: follower, last zxid 0x300000a1; log: null-pointer x2
 * (java.lang.NullPointerException: ...)". Throws ReportInputError naming what is malformed.
 */
export function parseServers(text: string, file: string): string[] {
  const raw = objectWithArray(text, file, 'members');
  const lines = raw.members.map((m: unknown, i: number) => {
    if (!isObject(m) || typeof m.name !== 'string' || typeof m.mode !== 'string' || !Array.isArray(m.logFindings)) {
      throw new ReportInputError(file, null, `members[${i}] must have string "name" and "mode" and an array "logFindings"`);
    }
    const findings = m.logFindings.map((f: unknown, j: number) => {
      if (!isObject(f) || typeof f.kind !== 'string' || !Number.isSafeInteger(f.count) || typeof f.first !== 'string') {
        throw new ReportInputError(file, null, `members[${i}].logFindings[${j}] must have string "kind" and "first" and an integer "count" (got ${show(f)})`);
      }
      return `${f.kind} x${String(f.count)} (${f.first})`;
    });
    return `${m.name}: ${m.mode}${typeof m.zxid === 'string' ? `, last zxid ${m.zxid}` : ''}; log: ${findings.join('; ') || 'no error lines'}`;
  });
  return raw.zxidsAgree === false ? [...lines, 'the serving members report different last zxids'] : lines;
}

/**
 * workload.json (every run): how late the harness's event loop ran under the workload, as a line
 * for people, e.g. "late by p50 0.4 ms, p99 2.7 ms, max 11.9 ms". Throws ReportInputError naming
 * what is malformed.
 */
export function parseLoopDelay(text: string, file: string): string {
  const raw = parseJson(text, file);
  const delay = isObject(raw) ? raw.loopDelayMs : undefined;
  if (!isObject(delay) || !(['p50', 'p99', 'max'] as const).every((p) => isFiniteNumber(delay[p]))) {
    throw new ReportInputError(file, null, 'must be an object with "loopDelayMs": {"p50", "p99", "max"} in milliseconds');
  }
  return `late by p50 ${String(delay.p50)} ms, p99 ${String(delay.p99)} ms, max ${String(delay.max)} ms`;
}

/** A sidecar file's whole text as JSON, or ReportInputError naming the file. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ReportInputError(file, null, `not valid JSON (${(error as Error).message})`);
  }
}

/** A sidecar file's JSON: an object with an array under `field`, or ReportInputError saying which is wrong. */
function objectWithArray<F extends string>(text: string, file: string, field: F): Record<string, unknown> & Record<F, unknown[]> {
  const raw = parseJson(text, file);
  if (!isObject(raw) || !Array.isArray(raw[field])) throw new ReportInputError(file, null, `must be an object with a "${field}" array`);
  return raw as Record<string, unknown> & Record<F, unknown[]>;
}

type LineHandler = (o: Record<string, unknown>, fail: (problem: string) => never) => void;

function forEachJsonLine(text: string, file: string, handle: LineHandler): void {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const fail = (problem: string): never => {
      throw new ReportInputError(file, i + 1, problem);
    };
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      fail(`not valid JSON (${(error as Error).message})`);
    }
    if (!isObject(raw)) fail(`a line must be a JSON object (got ${show(raw)})`);
    handle(raw as Record<string, unknown>, fail);
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
