import { JsonlFile, type JsonlWriteError } from '../history/jsonl-file.ts';
import { pause } from '../kube/wait.ts';

/**
 * A fault the nemesis can inject and heal. Backends (Docker, Kubernetes) build these; suites only
 * schedule them. `inject` returns a short description of what it did (e.g. which member); `heal`
 * may say what it did too, when that is more than undoing the injection (the hunts' steps).
 */
export interface Fault {
  name: string;
  inject(): Promise<string>;
  heal(): Promise<string | void>;
}

/** One fault on the run's clock (nanoseconds, the history's clock). */
export interface FaultWindow {
  name: string;
  detail: string;
  start: number;
  /** Set once healed. */
  end?: number;
}

/**
 * Records fault windows next to the history (faults.jsonl), on the same clock, so reports can
 * shade them on the timeline. Like the history, each line is written as it happens.
 */
export class FaultTimeline {
  readonly windows: FaultWindow[] = [];
  private readonly file: JsonlFile;
  private readonly clock: () => number;

  constructor(path: string, clock: () => number) {
    this.file = new JsonlFile(path);
    this.clock = clock;
  }

  /** Calls `listener` once faults.jsonl cannot be written (see JsonlFile); the windows stay in memory. */
  onFailure(listener: (error: JsonlWriteError) => void): void {
    this.file.onFailure(listener);
  }

  /** Injects, holds for holdMs, heals; the window is recorded even when healing fails. */
  async apply(fault: Fault, holdMs: number, log: (line: string) => void = () => {}): Promise<FaultWindow> {
    const start = this.clock();
    const detail = await fault.inject();
    const window: FaultWindow = { name: fault.name, detail, start };
    this.windows.push(window);
    this.append({ event: 'start', ...window });
    log(`nemesis: ${fault.name} (${detail}) injected; holding ${holdMs} ms`);
    // A step the run abandoned ends its hold at once and still heals (the heal's own waits end
    // with the abort): a fault is not left in place for whatever comes after the run.
    await pause(holdMs).catch(() => undefined);
    try {
      const healed = await fault.heal();
      if (healed) window.detail = `${detail}; heal: ${healed}`;
    } finally {
      window.end = this.clock();
      this.append({ event: 'end', name: window.name, detail: window.detail, start, end: window.end });
      log(`nemesis: ${fault.name} healed after ${Math.round((window.end - start) / 1e6)} ms`);
    }
    return window;
  }

  private append(line: Record<string, unknown>): void {
    this.file.append(line);
  }
}
