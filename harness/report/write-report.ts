/**
 * The report's one I/O entry: reads a run's files, builds the model, writes report.html.
 * Sidecar files (faults.jsonl, events.jsonl, seed, rerun, verdict.json, ...) are read from the
 * history's folder when present; without verdict.json the checker computes the verdict.
 */

import { statSync } from 'node:fs';
import { atomicWrite } from '../run/atomic-write.ts';
import { RUN_FILES } from '../run/run-folder.ts';
import { basename, dirname, join, resolve } from 'node:path';
import { check } from '../checker/index.ts';
import type { HistoryDigest } from '../history/types.ts';
import { toOperations } from '../history/parse.ts';
import { readDigestedHistoryFile } from '../history/read-file.ts';
import type { HistoryEvent } from '../history/types.ts';
import { missingOps, prepareReportData, suiteOf, type ReportVerdict } from './prepare-report-data.ts';
import { parseFaults, parseClusterEvents, parseSchedule, parseSeed, parseLoopDelay, parseServers, parseVerdict, readOptional, ReportInputError } from './read-run.ts';
import { renderHtml } from './render-html.ts';

/** What a report says of a history changed since its verdict (interrupted.ts then judges it again). */
export const HISTORY_CHANGED = 'it changed after the check';

export interface ReportOptions {
  /** Where to write the report (default: report.html next to the history). */
  out?: string;
  /** The command that reruns the run; shown after ZK_CHAOS_SEED=<seed> under "How to rerun". */
  rerunCommand?: string;
}

/** Writes <runDir>/report.html from <runDir>/history.jsonl and its sidecars; returns its path. */
export async function writeReport(runDir: string, options: Omit<ReportOptions, 'out'> = {}): Promise<string> {
  return buildReport(join(runDir, RUN_FILES.history), options);
}

/**
 * Builds the report of any saved history. Throws HistoryFormatError (history) or ReportInputError
 * (a missing history, or an unreadable sidecar), both naming the file and line.
 */
export async function buildReport(historyFile: string, options: ReportOptions = {}): Promise<string> {
  if (options.out === '') throw new ReportInputError('--out', null, 'names no file: give a path such as /tmp/report.html, or leave --out out');
  const dir = dirname(resolve(historyFile));
  const { events, digest } = await readEvents(historyFile);
  const ops = toOperations(events);

  const faultsFile = join(dir, RUN_FILES.faults);
  const faultsText = await readOptional(faultsFile);
  const eventsFile = join(dir, RUN_FILES.events);
  const eventsText = await readOptional(eventsFile);
  const seedFile = join(dir, RUN_FILES.seed);
  const seedText = await readOptional(seedFile);
  const scheduleFile = join(dir, RUN_FILES.schedule);
  const scheduleText = await readOptional(scheduleFile);
  const serversFile = join(dir, RUN_FILES.servers);
  const serversText = await readOptional(serversFile);
  const workloadFile = join(dir, RUN_FILES.workload);
  const workloadText = await readOptional(workloadFile);
  // The run's own command, when the caller does not give one (a report made again later).
  const rerunCommand = options.rerunCommand ?? (await readOptional(join(dir, RUN_FILES.rerun)))?.trim();

  const verdictFile = join(dir, RUN_FILES.verdict);
  const verdictText = await readOptional(verdictFile);
  let verdict: ReportVerdict;
  if (verdictText === null) {
    verdict = check(ops);
  } else {
    const stored = parseVerdict(verdictText, verdictFile);
    if (stored.history !== undefined) {
      const now = digest;
      if (now.bytes !== stored.history.bytes || now.sha256 !== stored.history.sha256) {
        throw new ReportInputError(
          verdictFile,
          null,
          `judged a history of ${stored.history.bytes} bytes (SHA-256 ${stored.history.sha256.slice(0, 12)}…), but ${historyFile} now has ` +
            `${now.bytes} bytes (SHA-256 ${now.sha256.slice(0, 12)}…): ${HISTORY_CHANGED} (delete verdict.json to recompute the verdict from the history as it is)`,
        );
      }
    }
    verdict = stored;
    const missing = missingOps(verdict, ops);
    if (missing.length > 0) {
      throw new ReportInputError(
        verdictFile,
        null,
        `names operation${missing.length === 1 ? '' : 's'} ${missing.slice(0, 5).join(', ')} that ${historyFile} does not hold ` +
          '(the verdict belongs to another history; delete verdict.json to recompute it)',
      );
    }
  }

  const runName = basename(dir);
  const model = prepareReportData({
    events,
    ops,
    verdict,
    faults: faultsText === null ? [] : parseFaults(faultsText, faultsFile),
    kubeEvents: eventsText === null ? [] : parseClusterEvents(eventsText, eventsFile),
    run: {
      runName,
      suite: suiteOf(runName),
      seed: seedText === null ? null : parseSeed(seedText, seedFile),
      historyFile,
      ...(rerunCommand === undefined || rerunCommand === '' ? {} : { rerunCommand }),
      ...(scheduleText === null ? {} : { schedule: parseSchedule(scheduleText, scheduleFile) }),
      ...(serversText === null ? {} : { servers: parseServers(serversText, serversFile) }),
      ...(workloadText === null ? {} : { loopDelay: parseLoopDelay(workloadText, workloadFile) }),
    },
  });
  const out = resolve(options.out ?? join(dir, RUN_FILES.report));
  // The history cannot be made again, nor can most of what lies beside it: never written over.
  const kept = [resolve(historyFile), ...Object.values(RUN_FILES).filter((name) => name !== RUN_FILES.report).map((name) => join(dir, name))];
  if (kept.some((file) => file === out || sameFile(file, out))) {
    throw new ReportInputError(out, null, 'is the history or a file of its run, not a place for the report: give --out another path');
  }
  try {
    atomicWrite(out, renderHtml(model));
  } catch (error) {
    throw new ReportInputError(out, null, `cannot be written (${(error as Error).message})`);
  }
  return out;
}

async function readEvents(historyFile: string): Promise<{ events: HistoryEvent[]; digest: HistoryDigest }> {
  try {
    return await readDigestedHistoryFile(historyFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ReportInputError(historyFile, null, 'no such file');
    if (code === 'EISDIR') throw new ReportInputError(historyFile, null, 'is a directory, not a history file');
    if (typeof code === 'string') throw new ReportInputError(historyFile, null, `cannot be read (${(error as Error).message})`);
    throw error;
  }
}

/** Whether two paths are one file (a link to it included). */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist
  }
}
