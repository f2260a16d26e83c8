import { join } from 'node:path';
import type { TestRunResult } from './test-run.ts';

/**
 * A run's verdict in one line, for assertion messages (and so JUnit failures): validity, seed,
 * where the report is, and the first anomalies.
 */
export function explain(result: TestRunResult, shown = 5): string {
  const anomalies = result.verdict.anomalies.slice(0, shown).map((a) => `${a.type} ${a.key}: ${a.explanation}`);
  const more = result.verdict.anomalies.length > shown ? ` (+${result.verdict.anomalies.length - shown} more)` : '';
  return `${result.verdict.validity} (seed ${result.seed}; report ${join(result.dir, 'report.html')})${anomalies.length ? ': ' + anomalies.join('; ') + more : ''}`;
}
