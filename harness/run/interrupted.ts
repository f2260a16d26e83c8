import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, type Verdict } from '../checker/index.ts';
import { HistoryFormatError } from '../history/parse.ts';
import type { HistoryDigest } from '../history/types.ts';
import { readDigestedOperationsFile } from '../history/read-file.ts';
import { ReportInputError } from '../report/read-run.ts';
import { HISTORY_CHANGED, writeReport } from '../report/write-report.ts';
import { HISTORY_COMPLETE, RUN_FILES, runFoldersSince, writeVerdict } from './run-folder.ts';

/**
 * Runs that were cut short (Ctrl-C, a cancelled CI job, a killed harness) leave a folder with the
 * history, faults and events recorded up to that moment, but no verdict. This gives each one a
 * verdict and a report: the checker reads what was recorded (operations without completion are
 * indeterminate), and since the final reads never happened the run can never be `valid`; it is
 * `unknown` with the reason, or `invalid` when what was recorded already proves an anomaly.
 * Returns the folders it finalized.
 */
export async function finalizeInterruptedRuns(resultsDir: string, since: number, why: string): Promise<string[]> {
  const done: string[] = [];
  for (const dir of runFoldersSince(resultsDir, since)) {
    const history = join(dir, RUN_FILES.history);
    if (existsSync(join(dir, RUN_FILES.verdict))) {
      // Interrupted while its report was written: the verdict stands, the report is made again.
      if (!existsSync(join(dir, RUN_FILES.report))) {
        await writeReport(dir);
        done.push(dir);
      }
      continue;
    }
    const reason = `the run was interrupted (${why}) before it finished: its final reads were not made, so no verdict can be valid`;
    // A signal handler finalizes in the process whose workload is still ending: an operation cut off
    // by the stopping ensemble may append its completion meanwhile. The verdict names the bytes it
    // judged, a report refuses it beside more, and then the history is judged again.
    for (let attempt = 1; ; attempt++) {
      let verdict: Verdict;
      let digest: HistoryDigest;
      try {
        const read = await readDigestedOperationsFile(history);
        digest = read.digest;
        // Interrupted while checking: the history was whole, so the checker's verdict on it is the run's.
        verdict = historyComplete(dir) ? check(read.operations) : interruptedVerdict(check(read.operations), reason);
      } catch (error) {
        if (!(error instanceof HistoryFormatError)) throw error;
        // A harness killed mid-write can leave a last line cut short: nothing to check then.
        writeVerdict(dir, unreadable(`${reason}; the history is unreadable: ${error.message}`));
        break;
      }
      writeVerdict(dir, verdict, digest);
      try {
        await writeReport(dir);
        break;
      } catch (error) {
        if (!(error instanceof ReportInputError && error.problem.includes(HISTORY_CHANGED)) || attempt === 3) throw error;
      }
    }
    done.push(dir);
  }
  return done;
}

/** The run recorded that its workload and final reads were over (HISTORY_COMPLETE in its events). */
function historyComplete(dir: string): boolean {
  const events = join(dir, RUN_FILES.events);
  if (!existsSync(events)) return false;
  return readFileSync(events, 'utf8')
    .split('\n')
    .some((line) => {
      try {
        const event = JSON.parse(line) as { source?: unknown; kind?: unknown };
        return event.source === 'harness' && event.kind === HISTORY_COMPLETE;
      } catch {
        return false; // a last line cut short by a kill
      }
    });
}

/** The checker's verdict on a run that could not finish (interrupted, its harness stopped, no final reads): never valid, the reason named. Pure. */
export function interruptedVerdict(verdict: Verdict, reason: string): Verdict {
  return {
    ...verdict,
    validity: verdict.anomalies.length > 0 ? 'invalid' : 'unknown',
    unknownKeys: [{ key: '', reason }, ...verdict.unknownKeys],
  };
}

function unreadable(reason: string): Verdict {
  return {
    validity: 'unknown',
    anomalies: [],
    unknownKeys: [{ key: '', reason }],
    stats: check([]).stats,
  };
}
