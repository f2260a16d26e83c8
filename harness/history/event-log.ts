import { JsonlFile, type JsonlWriteError } from './jsonl-file.ts';

/** A cluster event on the run's clock (nanoseconds, the history's clock). */
export interface ClusterEvent {
  time: number;
  /** What saw it: pod-watch, drain, nemesis, ... */
  source: string;
  /** phase, ready, restart, scheduled, deleted, evicted, blocked-by-budget, cordon, uncordon ... */
  kind: string;
  detail: string;
}

/**
 * events.jsonl next to the history: what Kubernetes did during the run (pod phases, readiness,
 * restarts, evictions, drains blocked by the budget), appended as it happens, for the report's
 * timeline and for the suites' assertions.
 */
export class EventLog {
  readonly events: ClusterEvent[] = [];
  private readonly file: JsonlFile;
  private readonly clock: () => number;

  constructor(path: string, clock: () => number) {
    this.file = new JsonlFile(path);
    this.clock = clock;
  }

  /** Calls `listener` once events.jsonl cannot be written (see JsonlFile); the events stay in memory. */
  onFailure(listener: (error: JsonlWriteError) => void): void {
    this.file.onFailure(listener);
  }

  record(source: string, kind: string, detail: string): ClusterEvent {
    const event = { time: this.clock(), source, kind, detail };
    this.events.push(event);
    this.file.append(event);
    return event;
  }
}
