import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { HistoryParser } from './parse.ts';
import type { HistoryEvent } from './types.ts';

/**
 * Reads and validates a history file line by line (so files larger than the largest JavaScript
 * string still load). Throws HistoryFormatError naming `path` and the line.
 */
export async function readHistoryFile(path: string): Promise<HistoryEvent[]> {
  const parser = new HistoryParser(path);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) parser.line(line);
  return parser.finish();
}
