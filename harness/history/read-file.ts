import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type LineHandler, emitLine, forEachEndedLine } from './lines.ts';
import { HistoryParser, OperationPairer } from './parse.ts';
import type { HistoryEvent, Operation } from './types.ts';

/**
 * Reads and validates a history file line by line (so files larger than the largest JavaScript
 * string still load). Throws HistoryFormatError naming `path` and the line.
 */
export async function readHistoryFile(path: string): Promise<HistoryEvent[]> {
  const parser = new HistoryParser(path);
  await forEachLine(path, (text, start, end) => parser.line(text, start, end));
  return parser.finish();
}

/**
 * The operations of a history file, streamed: events are validated and paired as they come and
 * not kept (what checking needs, in about half the memory of readHistoryFile + toOperations).
 */
export async function readOperationsFile(path: string): Promise<Operation[]> {
  const parser = new HistoryParser(path, false);
  const pairer = new OperationPairer();
  await forEachLine(path, (text, start, end) => {
    const event = parser.line(text, start, end);
    if (event) pairer.add(event);
  });
  return pairer.operations;
}

/** The bytes read at a time. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Calls `handle` with each line as text[start, end) (no terminator; a trailing \r dropped), read in
 * 1 MiB chunks; a line is cut from its chunk only if the fast reader declines it.
 */
async function forEachLine(path: string, handle: LineHandler): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    // Each chunk's text stays a flat string of its own: joined to the previous rest it would be a
    // rope, which every character read of every line would then pay for.
    const text = decoder.write(chunk as Buffer);
    let start = 0;
    if (rest.length > 0) {
      const end = text.indexOf('\n');
      if (end === -1) {
        rest += text;
        continue;
      }
      const line = rest + text.slice(0, end);
      emitLine(handle, line, 0, line.length);
      rest = '';
      start = end + 1;
    }
    rest = text.slice(forEachEndedLine(text, start, handle));
  }
  rest += decoder.end();
  if (rest.length > 0) emitLine(handle, rest, 0, rest.length);
}
