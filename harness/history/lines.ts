/**
 * Line splitting for JSON Lines text, shared by the string parser (parseHistory) and the file
 * reader (read-file.ts), so both agree on what a line is: text up to a newline, without a \r just
 * before it. Lines are handed over as ranges of the text: the splitter cuts no string per line (the
 * file reader joins only a line that spans two chunks). Each caller hands a last line that no
 * newline ends to emitLine itself.
 */

/** Receives one line as text[start, end) (terminator excluded). */
export type LineHandler = (text: string, start: number, end: number) => void;

const CARRIAGE_RETURN = 13;

/** handle(text, start, end) for the line text[start, end), without a \r that ends it. */
export function emitLine(handle: LineHandler, text: string, start: number, end: number): void {
  handle(text, start, end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN ? end - 1 : end);
}

/**
 * emitLine for each line of text, from `from` on, that a newline ends; returns where the rest (a
 * line still without its newline) begins.
 */
export function forEachEndedLine(text: string, from: number, handle: LineHandler): number {
  let start = from;
  for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
    emitLine(handle, text, start, end);
    start = end + 1;
  }
  return start;
}
