import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventType, HistoryEvent, OpFunction } from './types.ts';

export type Completion = Pick<HistoryEvent, 'zxid' | 'version' | 'server' | 'error'>;

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

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  /** Nanoseconds since the recorder started; the clock of every event and fault window. */
  now(): number {
    return Number(process.hrtime.bigint() - this.origin);
  }

  get eventCount(): number {
    return this.nextIndex;
  }

  /** Records an invoke; `final` marks a final read (see HistoryEvent.final). */
  invoke(process: number, f: OpFunction, key: string, value: HistoryEvent['value'], marks: { final?: boolean } = {}): void {
    if (this.outstanding.has(process)) {
      throw new Error(`HistoryRecorder: process ${process} already has an operation outstanding`);
    }
    this.outstanding.set(process, { f, key });
    this.append({ type: 'invoke', process, f, key, value, ...(marks.final ? { final: true } : {}) });
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
    if (this.closed) throw new Error(`HistoryRecorder: ${this.path} is closed`);
    const full: HistoryEvent = { index: this.nextIndex++, time: this.now(), ...event };
    writeSync(this.fd, JSON.stringify(full) + '\n');
  }
}

function withoutUndefined(extra: Completion): Completion {
  return Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) as Completion;
}
