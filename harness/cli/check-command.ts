import { readFile } from 'node:fs/promises';
import { check, type Verdict } from '../checker/index.ts';
import { HistoryFormatError, parseHistory, toOperations } from '../history/parse.ts';

export const EXIT = { valid: 0, invalid: 1, unknown: 2, unreadable: 3 } as const;

/** `zk-chaos check FILE`: prints a summary (or JSON) and returns the exit code. */
export async function checkCommand(file: string, options: { json?: boolean; budget?: number }): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(`zk-chaos check: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
    return EXIT.unreadable;
  }
  let verdict: Verdict;
  try {
    const operations = toOperations(parseHistory(text, file));
    verdict = check(operations, options.budget ? { budget: options.budget } : {});
  } catch (error) {
    if (error instanceof HistoryFormatError) {
      console.error(`zk-chaos check: ${error.message}`);
      console.error('The history format is described in the README (section "History format").');
      return EXIT.unreadable;
    }
    throw error;
  }
  console.log(options.json ? JSON.stringify(verdict, null, 2) : summarize(file, verdict));
  return EXIT[verdict.validity];
}

export function summarize(file: string, verdict: Verdict): string {
  const { stats } = verdict;
  const lines = [
    `${file}: ${verdict.validity.toUpperCase()}`,
    `  ${stats.operations} operations on ${stats.keys} keys: ${stats.byOutcome.ok} ok, ${stats.byOutcome.fail} failed, ${stats.byOutcome.info} indeterminate`,
  ];
  for (const anomaly of verdict.anomalies) {
    lines.push(`  ${anomaly.type} on ${anomaly.key}: ${anomaly.explanation}`);
  }
  for (const unknown of verdict.unknownKeys) {
    lines.push(`  unknown on ${unknown.key}: ${unknown.reason}`);
  }
  return lines.join('\n');
}
