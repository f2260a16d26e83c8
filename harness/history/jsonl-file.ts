import { appendFileSync, existsSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';

/** A line of a side log could not be written (a full disk, an I/O error): the harness's failure. */
export class JsonlWriteError extends Error {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(`${path} could not be written (${cause instanceof Error ? cause.message : String(cause)}); its earlier lines are kept whole`, { cause });
    this.name = 'JsonlWriteError';
    this.path = path;
  }
}

/**
 * A JSON Lines file appended one line per record, synchronously, so a crash keeps every record
 * written so far. Shared by the run's side logs (faults.jsonl, events.jsonl).
 *
 * A line that cannot be written whole is cut back, and from then on the file takes no more lines
 * (the records stay in memory with their owner). The failure goes to the onFailure listeners
 * instead of being thrown: a side log is written from callbacks (a pod watch) that must not crash,
 * and the run stops on the listener's word.
 */
export class JsonlFile {
  readonly path: string;
  /** Bytes of whole lines in the file: a failed append is cut back to here. */
  private written: number;
  private failed: JsonlWriteError | undefined;
  private readonly listeners: Array<(error: JsonlWriteError) => void> = [];

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.written = existsSync(path) ? statSync(path).size : 0;
  }

  /** Calls `listener` once a write fails (at once if one has). */
  onFailure(listener: (error: JsonlWriteError) => void): void {
    if (this.failed) listener(this.failed);
    else this.listeners.push(listener);
  }

  /** Appends one line, whole or not at all; false when it was not written. */
  append(record: object): boolean {
    if (this.failed) return false;
    const line = Buffer.from(JSON.stringify(record) + '\n');
    try {
      appendFileSync(this.path, line);
    } catch (error) {
      try {
        truncateSync(this.path, this.written);
      } catch {
        // Truncating cannot fail for lack of space; if it fails anyway the reader names the line.
      }
      this.failed = new JsonlWriteError(this.path, error);
      for (const listener of this.listeners.splice(0)) listener(this.failed);
      return false;
    }
    this.written += line.length;
    return true;
  }
}
