import { setTimeout as sleep } from 'node:timers/promises';

export type Probe<T> = { done: T } | { state: string };
/** A probe's answer when the wait is over. */
export const ready = <T>(value: T): Probe<T> => ({ done: value });
/** A probe's answer when it is not: `state` says where things stand (shown in progress and errors). */
export const notYet = (state: string): Probe<never> => ({ state });

/** A wait that ran out of time (waitFor's error), so callers for whom that is an answer can tell it from a failure. */
export class WaitTimeout extends Error {}

/**
 * The one polling helper (Kubernetes waits, the Docker ensemble's quorum waits, tests): polls until
 * `probe` answers ready(value), printing what it waits for every 10 s.
 * On timeout the error carries the last state seen, so a failure says where things stood.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<Probe<T>>,
  options: { timeoutMs: number; intervalMs?: number; log?: (line: string) => void },
): Promise<T> {
  const started = Date.now();
  let lastReport = started;
  let state = 'not checked yet';
  while (Date.now() - started < options.timeoutMs) {
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
    await sleep(options.intervalMs ?? 1000);
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
