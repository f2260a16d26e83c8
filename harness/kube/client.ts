import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';

/** Which cluster to talk to: a kubeconfig file and a context in it (defaults: $KUBECONFIG, current context). */
export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
}

export class KubeConfigError extends Error {}

/** The API server did not answer a ping; `problem` says how, in a few words (for the run's events). */
export class ApiServerUnreachable extends KubeConfigError {
  readonly problem: string;

  constructor(message: string, problem: string, options?: ErrorOptions) {
    super(message, options);
    this.problem = problem;
  }
}

/** The typed API clients of one cluster, built once per run. */
export class Kube {
  readonly config: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly objects: k8s.KubernetesObjectApi;
  readonly context: string;

  private constructor(config: k8s.KubeConfig) {
    this.config = config;
    this.context = config.getCurrentContext();
    this.core = config.makeApiClient(k8s.CoreV1Api);
    this.apps = config.makeApiClient(k8s.AppsV1Api);
    this.objects = k8s.KubernetesObjectApi.makeApiClient(config);
  }

  /** Loads the kubeconfig; a missing file or context is reported with what exists and what to do. */
  static load(target: KubeTarget = {}): Kube {
    const path = target.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
    if (!existsSync(path)) {
      throw new KubeConfigError(`no kubeconfig at ${path}; create the cluster with "npm run cluster:up" or pass --kubeconfig`);
    }
    const config = new k8s.KubeConfig();
    try {
      config.loadFromFile(path);
    } catch (error) {
      // The client's own message (a YAML parser's, with a caret) names neither the file nor what it is for.
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new KubeConfigError(`${path} is not a readable kubeconfig (${reason}); pass --kubeconfig with a kubeconfig file (kind writes one: kind get kubeconfig --name NAME)`);
    }
    if (target.context) {
      const names = config.getContexts().map((c) => c.name);
      if (!names.includes(target.context)) {
        throw new KubeConfigError(`context "${target.context}" is not in ${path} (it has: ${names.join(', ') || 'none'}); pass --context with one of them`);
      }
      config.setCurrentContext(target.context);
    }
    if (!config.getCurrentContext()) throw new KubeConfigError(`${path} has no current context; pass --context`);
    return new Kube(config);
  }

  /**
   * Fails with a clear message when the API server does not answer, or not within `timeoutMs`
   * (the client has no request timeout of its own: a paused server would hold the call forever).
   * `signal` aborts the probe.
   */
  async ping(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signals = [timeout, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    const withSignal: k8s.ObservableMiddleware = {
      pre: (context) => (signal && context.setSignal(signal), new k8s.Observable(Promise.resolve(context))),
      post: (context) => new k8s.Observable(Promise.resolve(context)),
    };
    try {
      await this.core.listNamespace({ limit: 1 }, { middleware: [withSignal], middlewareMergeStrategy: 'append' });
    } catch (error) {
      const server = this.config.getCurrentCluster()?.server ?? 'unknown server';
      const problem = timeout?.aborted ? `no answer within ${(options.timeoutMs ?? 0) / 1000} s` : describeError(error);
      throw new ApiServerUnreachable(`cannot reach the API server ${server} (context ${this.context}): ${problem}; is the cluster up ("npm run cluster:up")?`, problem, { cause: error });
    }
  }
}

/** Text of an ApiException or any error, for messages. */
export function describeError(error: unknown): string {
  if (error instanceof k8s.ApiException) {
    const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
    return `HTTP ${error.code}: ${body.slice(0, 300)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function isStatus(error: unknown, code: number): boolean {
  return error instanceof k8s.ApiException && error.code === code;
}
