import { AsyncLocalStorage } from 'node:async_hooks';

export type Probe<T> = { done: T } | { state: string };
/** A probe's answer when the wait is over. */
export const ready = <T>(value: T): Probe<T> => ({ done: value });
/** A probe's answer when it is not: `state` says where things stand (shown in progress and errors). */
export const notYet = (state: string): Probe<never> => ({ state });

/**
 * The signal of the scenario step under way, if any. A run that abandons a step (its harness
 * failed: the Docker engine went away, the disk filled) aborts it, and every wait the step makes,
 * however deep in a fault or an ensemble, ends then instead of polling dead members until its own
 * timeout. Ambient rather than a parameter: the waits sit below interfaces (Ensemble, Fault) that
 * every backend and fault implements, and none of them has anything to decide about it.
 */
const stepSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `step` so that its waits (waitFor, pause) end, with the signal's reason, once `signal` is aborted. */
export function withinStep<T>(signal: AbortSignal, step: () => Promise<T>): Promise<T> {
  return stepSignal.run(signal, step);
}

/**
 * Sleeps `ms`; inside a step (withinStep) that is abandoned, rejects at once with the abort's
 * reason. For waits that only let time pass (a fault's hold, a retry's interval). A fault's short
 * delays between its own actions (followers frozen, then the leader killed, then the followers
 * resumed) stay plain timers: cut short, they would leave the fault half made.
 */
export function pause(ms: number): Promise<void> {
  const signal = stepSignal.getStore();
  // By hand rather than timers/promises: its AbortError says only "aborted" (the reason says why:
  // the harness's failure), and the global timer is the one tests can drive.
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abandoned = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abandoned);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abandoned, { once: true });
  });
}

/** A wait that ran out of time (waitFor's error), so callers for whom that is an answer can tell it from a failure. */
export class WaitTimeout extends Error {}

/**
 * The one polling helper (Kubernetes waits, the Docker ensemble's quorum waits, tests): polls until
 * `probe` answers ready(value), printing what it waits for every 10 s.
 * On timeout the error carries the last state seen, so a failure says where things stood. Inside an
 * abandoned step (withinStep) it stops at once with the abort's reason.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<Probe<T>>,
  options: { timeoutMs: number; intervalMs?: number; log?: (line: string) => void },
): Promise<T> {
  const started = Date.now();
  let lastReport = started;
  let state = 'not checked yet';
  const signal = stepSignal.getStore();
  while (Date.now() - started < options.timeoutMs) {
    signal?.throwIfAborted();
    try {
      const result = await probe();
      if ('done' in result) return result.done;
      state = result.state;
    } catch (error) {
      state = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() - lastReport > 10_000) {
      options.log?.(`waiting for ${what} (${Math.round((Date.now() - started) / 1000)} s): ${state}`);
      lastReport = Date.now();
    }
    await pause(options.intervalMs ?? 1000);
  }
  throw new WaitTimeout(`timed out after ${options.timeoutMs} ms waiting for ${what}; last state: ${state}`);
}

/** waitFor, but a timeout answers undefined (e.g. a log line that never came). */
export async function waitForOrUndefined<T>(what: string, probe: () => Promise<Probe<T>>, options: { timeoutMs: number; intervalMs?: number; log?: (line: string) => void }): Promise<T | undefined> {
  try {
    return await waitFor(what, probe, options);
  } catch (error) {
    if (error instanceof WaitTimeout) return undefined;
    throw error;
  }
}
