/**
 * `node test/support/small-disk-run.ts RESULTS ENDPOINTS_JSON`: one checked run against the given
 * ZooKeeper endpoints with its results folder on RESULTS (the test mounts a tiny tmpfs there, in a
 * mount namespace of this process's own), then a look at what the full disk kept, printed as one
 * JSON line after "small-disk:". The disk and what is on it vanish with this process, so the
 * looking happens here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../harness/checker/index.ts';
import { readOperationsFile } from '../../harness/history/read-file.ts';
import { runTest } from '../../harness/run/test-run.ts';
import type { Endpoint } from '../../harness/workload/runner.ts';

const [results, endpointsJson] = process.argv.slice(2) as [string, string];
const endpoints = JSON.parse(endpointsJson) as Endpoint[];
const started = Date.now();
let outcome: { error?: string; message?: string; validity?: string };
try {
  // A long quiet period: the run must end because the disk filled, not because it was over.
  const result = await runTest({ name: 'small-disk', endpoints: () => endpoints, resultsDir: results, quietMs: 120_000, seed: 7 });
  outcome = { validity: result.verdict.validity };
} catch (error) {
  outcome = { error: (error as Error).name, message: (error as Error).message };
}
const seconds = (Date.now() - started) / 1000;
const dir = join(results, readdirSync(results)[0] ?? 'none');
const history = join(dir, 'history.jsonl');
const text = readFileSync(history, 'utf8');
let reread: { validity?: string; anomalies?: number; operations?: number; unknown?: string[]; error?: string };
try {
  const verdict = check(await readOperationsFile(history));
  reread = { validity: verdict.validity, anomalies: verdict.anomalies.length, operations: verdict.stats.operations, unknown: verdict.unknownKeys.map((u) => u.reason) };
} catch (error) {
  reread = { error: (error as Error).message };
}
const verdictFile = join(dir, 'verdict.json');
/** The side logs on the same full disk: every line whole (or the file empty or absent). */
const whole = (name: string): boolean => {
  const file = join(dir, name);
  if (!existsSync(file)) return true;
  const lines = readFileSync(file, 'utf8');
  if (lines === '') return true;
  if (!lines.endsWith('\n')) return false;
  return lines.slice(0, -1).split('\n').every((line) => {
    try {
      JSON.parse(line);
      return true;
    } catch {
      return false;
    }
  });
};
console.log(
  'small-disk:' +
    JSON.stringify({
      outcome,
      seconds,
      files: readdirSync(dir).sort(),
      historyBytes: text.length,
      endsWithNewline: text.endsWith('\n'),
      reread,
      sideLogsWhole: whole('events.jsonl') && whole('faults.jsonl'),
      verdictFile: existsSync(verdictFile) ? (JSON.parse(readFileSync(verdictFile, 'utf8')) as { validity: string }).validity : null,
    }),
);
