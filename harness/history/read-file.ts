import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { HistoryParser, OperationPairer } from './parse.ts';
import type { HistoryEvent, Operation } from './types.ts';

/**
 * Reads and validates a history file line by line (so files larger than the largest JavaScript
 * string still load). Throws HistoryFormatError naming `path` and the line.
 */
export async function readHistoryFile(path: string): Promise<HistoryEvent[]> {
  const parser = new HistoryParser(path);
  await forEachLine(path, (line) => parser.line(line));
  return parser.finish();
}

/**
 * The operations of a history file, streamed: events are validated and paired as they come and
 * not kept (what checking needs, in about half the memory of readHistoryFile + toOperations).
 */
export async function readOperationsFile(path: string): Promise<Operation[]> {
  const parser = new HistoryParser(path, false);
  const pairer = new OperationPairer();
  await forEachLine(path, (line) => {
    const event = parser.line(line);
    if (event) pairer.add(event);
  });
  return pairer.operations;
}

/** Calls `handle` with each line (no terminator; a trailing \r dropped), in 1 MiB chunks. */
async function forEachLine(path: string, handle: (line: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const emit = (line: string): void => handle(line.endsWith('\r') ? line.slice(0, -1) : line);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      emit(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) emit(rest);
}
