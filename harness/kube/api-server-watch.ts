import type { DependencyListener } from '../run/test-run.ts';
import { ApiServerUnreachable, describeError, type Kube } from './client.ts';

export interface ApiServerWatchOptions {
  /**
   * How long the API server may stay silent before the run ends as the harness's failure. Long
   * enough for a restart of the control plane (about 30 s on kind), which the run survives.
   */
  graceMs?: number;
  /** Time between probes. */
  intervalMs?: number;
  /** A probe unanswered this long counts as silence (a paused or wedged server never answers). */
  probeTimeoutMs?: number;
}

/**
 * Watches the Kubernetes API server under a run. The harness applies faults, heals them and sees
 * pods only through it, so a server that stops answering for good leaves a run that can neither
 * be steered nor explained: after graceMs of silence the run ends as the harness's failure, named
 * as the API server's, never ZooKeeper's. A shorter silence (a restart) is survived and noted with
 * its length in the run's events.
 */
export function watchApiServer(kube: Kube, options: ApiServerWatchOptions = {}): (listener: DependencyListener) => { stop(): void } {
  const graceMs = options.graceMs ?? 120_000;
  const intervalMs = options.intervalMs ?? 2_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  const server = kube.config.getCurrentCluster()?.server ?? 'the API server';
  return (listener) => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let silentSince: number | undefined;
    let lastProblem = '';
    // Only a server this watch has seen answer can be lost: a probe that never worked says nothing
    // about the server (and must not end every run as the harness's failure).
    let seen = false;
    let toldUnwatchable = false;
    // stop() also ends a probe in flight: a wedged server must not hold the process open.
    const stopping = new AbortController();
    const probe = async (): Promise<void> => {
      if (stopped) return;
      const asked = Date.now();
      const problem = await answers(kube, probeTimeoutMs, stopping.signal);
      if (stopped) return;
      const now = Date.now();
      if (problem === undefined) {
        seen = true;
        if (silentSince !== undefined) {
          listener.note(`the Kubernetes API server (${server}) did not serve the harness for ${Math.round((now - silentSince) / 1000)} s (${lastProblem}); it answers again`);
        }
        silentSince = undefined;
      } else if (!seen) {
        if (!toldUnwatchable) listener.note(`the Kubernetes API server (${server}) cannot be watched yet (${problem}); a run that loses it may then be misread`);
        toldUnwatchable = true;
      } else {
        silentSince ??= asked;
        lastProblem = problem;
        if (now - silentSince >= graceMs) {
          // An HTTP error is an answer, but not service: the message says which it was.
          listener.lost(
            `the Kubernetes API server (${server}) has ${/^HTTP \d/.test(problem) ? 'answered only with errors' : 'not answered'} for ${Math.round((now - silentSince) / 1000)} s (${problem})`,
            `bring the API server back (kubectl --context ${kube.context} get --raw /readyz${kube.context.startsWith('kind-') ? `; on kind: docker start ${kube.context.slice(5)}-control-plane` : ''}) and rerun`,
          );
          return;
        }
      }
      timer = setTimeout(() => void probe(), intervalMs);
    };
    // The first probe at once: the server just answered the ensemble's start, so it is seen alive
    // before anything can take it away.
    void probe();
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
        stopping.abort();
      },
    };
  };
}

/** undefined when the API server answered within timeoutMs, else what went wrong. */
async function answers(kube: Kube, timeoutMs: number, stopped: AbortSignal): Promise<string | undefined> {
  try {
    await kube.ping({ timeoutMs, signal: stopped });
    return undefined;
  } catch (error) {
    return error instanceof ApiServerUnreachable ? error.problem : describeError(error);
  }
}
