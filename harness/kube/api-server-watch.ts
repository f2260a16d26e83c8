import { Observable, type ObservableMiddleware } from '@kubernetes/client-node';
import type { DependencyListener } from '../run/test-run.ts';
import { describeError, type Kube } from './client.ts';

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
    const probe = async (): Promise<void> => {
      if (stopped) return;
      const asked = Date.now();
      const problem = await answers(kube, probeTimeoutMs);
      if (stopped) return;
      const now = Date.now();
      if (problem === undefined) {
        seen = true;
        if (silentSince !== undefined) {
          listener.note(`the Kubernetes API server (${server}) did not answer for ${Math.round((now - silentSince) / 1000)} s (${lastProblem}); it answers again`);
        }
        silentSince = undefined;
      } else if (!seen) {
        if (!toldUnwatchable) listener.note(`the Kubernetes API server (${server}) cannot be watched yet (${problem}); a run that loses it may then be misread`);
        toldUnwatchable = true;
      } else {
        silentSince ??= asked;
        lastProblem = problem;
        if (now - silentSince >= graceMs) {
          listener.lost(
            `the Kubernetes API server (${server}) has not answered for ${Math.round((now - silentSince) / 1000)} s (${problem})`,
            `bring the API server back (kubectl --context ${kube.context} get --raw /readyz; on kind: docker start ${kindControlPlane(kube.context)}) and rerun`,
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
      },
    };
  };
}

/** undefined when the API server answered within timeoutMs, else what went wrong. */
async function answers(kube: Kube, timeoutMs: number): Promise<string | undefined> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // The client has no request timeout of its own; a paused server would hold the probe forever.
    const withSignal: ObservableMiddleware = {
      pre: (context) => (context.setSignal(signal), new Observable(Promise.resolve(context))),
      post: (context) => new Observable(Promise.resolve(context)),
    };
    await kube.core.listNamespace({ limit: 1 }, { middleware: [withSignal], middlewareMergeStrategy: 'append' });
    return undefined;
  } catch (error) {
    return signal.aborted ? `no answer within ${timeoutMs / 1000} s` : describeError(error);
  }
}

/** The control plane's container for a kind context (kind-NAME → NAME-control-plane). */
function kindControlPlane(context: string): string {
  return context.startsWith('kind-') ? `${context.slice(5)}-control-plane` : '<cluster>-control-plane';
}
