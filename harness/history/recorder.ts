import { closeSync, ftruncateSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventType, HistoryEvent, OpFunction } from './types.ts';

export type Completion = Pick<HistoryEvent, 'zxid' | 'version' | 'server' | 'error'>;

/**
 * The harness could not write its history (a full disk, an I/O error): the harness's failure, not
 * ZooKeeper's. Every event before `events` is on disk, whole; nothing after it is.
 */
export class RecorderError extends Error {
  readonly path: string;
  readonly events: number;
  constructor(path: string, events: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`the history could not be written to ${path} (${reason}); the ${events} events before it are kept whole`, { cause });
    this.name = 'RecorderError';
    this.path = path;
    this.events = events;
  }
}

/**
 * Appends every event to a JSON Lines file the moment it happens (synchronous write), so a crash
 * of the harness keeps everything recorded up to that point. Times are nanoseconds since the
 * recorder was created, on the process's monotonic clock.
 */
export class HistoryRecorder {
  readonly path: string;
  private readonly fd: number;
  private readonly origin = process.hrtime.bigint();
  private nextIndex = 0;
  private readonly outstanding = new Map<number, { f: OpFunction; key: string }>();
  private closed = false;
  /** Bytes of whole lines on disk: a failed write is cut back to here. */
  private written: number;
  private failed: RecorderError | undefined;
  private readonly failureListeners: Array<(error: RecorderError) => void> = [];

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.written = statSync(path).size;
  }

  /** Why recording stopped, once a write failed. */
  get failure(): RecorderError | undefined {
    return this.failed;
  }

  /** Calls `listener` once recording fails (at once if it already has). */
  onFailure(listener: (error: RecorderError) => void): void {
    if (this.failed) listener(this.failed);
    else this.failureListeners.push(listener);
  }

  /** Nanoseconds since the recorder started; the clock of every event and fault window. */
  now(): number {
    return Number(process.hrtime.bigint() - this.origin);
  }

  get eventCount(): number {
    return this.nextIndex;
  }

  /**
   * Records an invoke. `final` marks a read: true a final read, false one that is not (the workload
   * marks every read, so a history cut short before its final reads says it has none: see
   * HistoryEvent.final).
   */
  invoke(process: number, f: OpFunction, key: string, value: HistoryEvent['value'], marks: { final?: boolean } = {}): void {
    if (this.outstanding.has(process)) {
      throw new Error(`HistoryRecorder: process ${process} already has an operation outstanding`);
    }
    this.outstanding.set(process, { f, key });
    this.append({ type: 'invoke', process, f, key, value, ...(marks.final !== undefined ? { final: marks.final } : {}) });
  }

  complete(process: number, type: Exclude<EventType, 'invoke'>, value: HistoryEvent['value'], extra: Completion = {}): void {
    const open = this.outstanding.get(process);
    if (!open) throw new Error(`HistoryRecorder: process ${process} has no operation outstanding`);
    this.outstanding.delete(process);
    this.append({ type, process, f: open.f, key: open.key, value, ...withoutUndefined(extra) });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private append(event: Omit<HistoryEvent, 'index' | 'time'>): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new Error(`HistoryRecorder: ${this.path} is closed`);
    const full: HistoryEvent = { index: this.nextIndex, time: this.now(), ...event };
    const line = Buffer.from(JSON.stringify(full) + '\n');
    try {
      // writeSync may write part of the line (a disk that fills mid-line): loop, or fail whole.
      for (let done = 0; done < line.length; ) done += writeSync(this.fd, line, done);
    } catch (error) {
      // No half line is left behind: the file ends with the last whole event, readable as is.
      try {
        ftruncateSync(this.fd, this.written);
      } catch {
        // Truncating cannot fail for lack of space; if it fails anyway the reader names the line.
      }
      this.failed = new RecorderError(this.path, this.nextIndex, error);
      for (const listener of this.failureListeners.splice(0)) listener(this.failed);
      throw this.failed;
    }
    this.written += line.length;
    this.nextIndex++;
  }
}

function withoutUndefined(extra: Completion): Completion {
  return Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) as Completion;
}
