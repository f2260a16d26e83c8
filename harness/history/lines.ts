/**
 * Line splitting for JSON Lines bytes, shared by the string parser (parseHistory) and the file
 * reader (read-file.ts), so both agree on what a line is: bytes up to a newline, without a \r just
 * before it. Lines are handed over as ranges of the buffer: the splitter cuts nothing per line (the
 * file reader joins only a line that spans two chunks). Each caller hands a last line that no
 * newline ends to emitLine itself.
 */

/** Receives one line as bytes[start, end) (terminator excluded). */
export type LineHandler = (bytes: Buffer, start: number, end: number) => void;

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/** handle(bytes, start, end) for the line bytes[start, end), without a \r that ends it. */
export function emitLine(handle: LineHandler, bytes: Buffer, start: number, end: number): void {
  handle(bytes, start, end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end);
}

/**
 * emitLine for each line of bytes, from `from` on, that a newline ends; returns where the rest (a
 * line still without its newline) begins.
 */
export function forEachEndedLine(bytes: Buffer, from: number, handle: LineHandler): number {
  let start = from;
  // Buffer's indexOf (memchr) finds a newline faster than a loop over the bytes in JavaScript.
  for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
    emitLine(handle, bytes, start, end);
    start = end + 1;
  }
  return start;
}
