import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';

/** The history file of the first run folder in `resultsDir` named `<prefix>…`, once there is one. */
export function runHistory(resultsDir: string, prefix: string): string | undefined {
  const run = existsSync(resultsDir) ? readdirSync(resultsDir).find((d) => d.startsWith(prefix)) : undefined;
  return run && join(resultsDir, run, 'history.jsonl');
}

/** Whole lines written to `file` so far (0 before it exists). */
export function linesOf(file: string | undefined): number {
  if (!file || !existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * Waits until the history `file()` names holds more than `lines` lines, and returns its path: a run
 * under test has recorded enough to be interrupted or killed. `detail()` adds what the run printed
 * to the waiting message; `check()` may throw to stop waiting (the run ended first).
 */
export async function waitForHistory(
  what: string,
  file: () => string | undefined,
  lines: number,
  options: { timeoutMs: number; intervalMs?: number; detail?: () => string; check?: () => void },
): Promise<string> {
  return waitFor(what, async () => {
    options.check?.();
    const found = file();
    const count = linesOf(found);
    return count > lines ? ready(found as string) : notYet(`${count} lines${options.detail ? `; ${options.detail()}` : ''}`);
  }, { timeoutMs: options.timeoutMs, ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }) });
}
