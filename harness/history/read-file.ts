import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type LineHandler, emitLine, forEachEndedLine } from './lines.ts';
import { HistoryFormatError, HistoryParser, OperationPairer } from './parse.ts';
import type { HistoryDigest, HistoryEvent, Operation } from './types.ts';

/**
 * Reads and validates a history file line by line (so files larger than the largest JavaScript
 * string still load). Throws HistoryFormatError naming `path` and the line.
 */
export async function readHistoryFile(path: string): Promise<HistoryEvent[]> {
  const parser = new HistoryParser(path);
  await forEachLine(path, (bytes, start, end) => parser.line(bytes, start, end));
  return parser.finish();
}

/**
 * readHistoryFile, and the digest of the very bytes read (one pass: a pipe is read once, and a file
 * written meanwhile cannot give events of one content and the digest of another).
 */
export async function readDigestedHistoryFile(path: string): Promise<{ events: HistoryEvent[]; digest: HistoryDigest }> {
  const parser = new HistoryParser(path);
  const hash = createHash('sha256');
  const bytes = await forEachLine(path, (line, start, end) => parser.line(line, start, end), hash);
  return { events: parser.finish(), digest: { bytes, sha256: hash.digest('hex') } };
}

/**
 * The operations of a history file, streamed: events are validated and paired as they come and
 * not kept (what checking needs, in about half the memory of readHistoryFile + toOperations).
 */
export async function readOperationsFile(path: string): Promise<Operation[]> {
  return (await readOperations(path)).operations;
}

/** readOperationsFile, and the digest of the very bytes read (what a verdict on them judged). */
export async function readDigestedOperationsFile(path: string): Promise<{ operations: Operation[]; digest: HistoryDigest }> {
  const hash = createHash('sha256');
  const { operations, bytes } = await readOperations(path, hash);
  return { operations, digest: { bytes, sha256: hash.digest('hex') } };
}

async function readOperations(path: string, hash?: Hash): Promise<{ operations: Operation[]; bytes: number }> {
  const parser = new HistoryParser(path, false);
  const pairer = new OperationPairer();
  const bytes = await forEachLine(
    path,
    (line, start, end) => {
      const event = parser.line(line, start, end);
      if (event) pairer.add(event);
    },
    hash,
  );
  return { operations: pairer.operations, bytes };
}

/** The bytes read at a time. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Calls `handle` with each line as bytes[start, end) (no terminator; a trailing \r dropped), read
 * in 1 MiB chunks; only a line that spans two chunks is copied, joined.
 */
async function forEachLine(path: string, handle: LineHandler, hash?: Hash): Promise<number> {
  // The start of a line no chunk so far has ended, in pieces (joined once, when its newline comes).
  let rest: Buffer[] = [];
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    const bytes = chunk as Buffer;
    read += bytes.length;
    hash?.update(bytes);
    let start = 0;
    if (rest.length > 0) {
      const end = bytes.indexOf(NEWLINE);
      if (end === -1) {
        rest.push(bytes);
        continue;
      }
      const line = Buffer.concat([...rest, bytes.subarray(0, end)]);
      emitLine(handle, line, 0, line.length);
      rest = [];
      start = end + 1;
    }
    const restAt = forEachEndedLine(bytes, start, handle);
    if (restAt < bytes.length) rest.push(bytes.subarray(restAt));
  }
  const last = Buffer.concat(rest);
  if (last.length === 0) return read;
  try {
    emitLine(handle, last, 0, last.length);
  } catch (error) {
    // Every line a recorder finished ends with a newline: one that is not even JSON was most likely
    // cut short. (A whole object with a wrong field is a bad event, not a cut one: no hint.)
    // A first line is no hint: nothing would be left to check (a file of CR-ended lines is one line).
    if (!(error instanceof HistoryFormatError) || !error.problem.startsWith('not valid JSON') || error.line === 1) throw error;
    throw new HistoryFormatError(
      error.file,
      error.line,
      `${error.problem}; it is the file's last line and no newline ends it, so its writer was likely stopped while writing it: remove that line to check the rest`,
    );
  }
  return read;
}

const NEWLINE = 10;
