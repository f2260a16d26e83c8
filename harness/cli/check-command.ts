import { check, type Verdict } from '../checker/index.ts';
import { keyName } from '../checker/describe.ts';
import { HistoryFormatError } from '../history/parse.ts';
import { readOperationsFile } from '../history/read-file.ts';

/**
 * Exit codes of `zk-chaos check`. A crash of the checker is never a verdict: it has a code of its
 * own, so that "invalid" (1) always means the checker found an anomaly.
 */
export const EXIT = { valid: 0, invalid: 1, unknown: 2, unreadable: 3, internal: 4 } as const;

/** `zk-chaos check FILE`: prints a summary (or JSON) and returns the exit code. */
export async function checkCommand(file: string, options: { json?: boolean; budget?: number }): Promise<number> {
  let operations;
  try {
    // Streamed line by line: a history larger than the largest JavaScript string still loads.
    operations = await readOperationsFile(file);
  } catch (error) {
    if (error instanceof HistoryFormatError) {
      console.error(`zk-chaos check: ${error.message}`);
      console.error('The history format is described in the README (section "History format").');
      return EXIT.unreadable;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) {
      console.error(`zk-chaos check: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error)}`);
      return EXIT.unreadable;
    }
    return internalError(error);
  }
  let verdict: Verdict;
  try {
    verdict = check(operations, options.budget === undefined ? {} : { budget: options.budget });
  } catch (error) {
    return internalError(error);
  }
  console.log(options.json ? JSON.stringify(verdict, null, 2) : summarize(file, verdict));
  return EXIT[verdict.validity];
}

/** A failure of zk-chaos itself (`command`: check, report): printed as one, with the internal exit code. */
export function internalError(error: unknown, command = 'check', nothing = 'no verdict'): number {
  console.error(`zk-chaos ${command}: internal error, ${nothing}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  console.error('This is a bug in zk-chaos, not a finding about the history; please report it with the history file.');
  return EXIT.internal;
}

export function summarize(file: string, verdict: Verdict): string {
  const { stats } = verdict;
  const lines = [
    `${file}: ${verdict.validity.toUpperCase()}`,
    `  ${stats.operations} operation${stats.operations === 1 ? '' : 's'} on ${stats.keys} key${stats.keys === 1 ? '' : 's'}: ${stats.byOutcome.ok} ok, ${stats.byOutcome.fail} failed, ${stats.byOutcome.info} indeterminate`,
  ];
  for (const anomaly of verdict.anomalies) {
    // Quoted as the explanations quote them: a key is any string, a newline or escape included.
    lines.push(`  ${anomaly.type} on ${keyName(anomaly.key)}: ${anomaly.explanation}`);
  }
  for (const unknown of verdict.unknownKeys) {
    lines.push(`  unknown${unknown.key === '' ? '' : ` on ${keyName(unknown.key)}`}: ${unknown.reason}`);
  }
  return lines.join('\n');
}
