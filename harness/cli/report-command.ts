import { HistoryFormatError } from '../history/parse.ts';
import { internalError } from './check-command.ts';
import { ReportInputError } from '../report/read-run.ts';
import { buildReport } from '../report/write-report.ts';

/**
 * `zk-chaos report FILE [--out PATH]`: writes the HTML report of a saved history (report.html next
 * to it unless --out), prints its path, returns 0; returns 3 when an input cannot be read, after
 * naming the file, the line and the problem, and 4 when zk-chaos itself failed (`check`'s codes).
 */
export async function reportCommand(historyFile: string, options: { out?: string }): Promise<number> {
  try {
    const path = await buildReport(historyFile, options.out === undefined ? {} : { out: options.out });
    console.log(path);
    return 0;
  } catch (error) {
    if (error instanceof HistoryFormatError) {
      console.error(`zk-chaos report: ${error.message}`);
      console.error('The history format is described in the README (section "History format").');
      return 3;
    }
    if (error instanceof ReportInputError) {
      console.error(`zk-chaos report: ${error.message}`);
      return 3;
    }
    return internalError(error, 'report', 'no report written');
  }
}
