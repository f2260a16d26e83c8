import * as k8s from '@kubernetes/client-node';
import type { EventLog } from '../history/event-log.ts';
import type { Kube } from './client.ts';

interface PodState {
  phase?: string;
  ready: boolean;
  restarts: number;
  node?: string;
}

/**
 * Watches a namespace's pods and records every change that matters to a run: phase, readiness,
 * container restarts, node assignment, deletion. The watch has no client-side timeout, so it is
 * re-opened every timeoutSeconds (and after errors) until stopped.
 */
export class PodWatch {
  private readonly kube: Kube;
  private readonly namespace: string;
  private readonly events: EventLog;
  private readonly states = new Map<string, PodState>();
  private request: { abort: () => void } | undefined;
  private stopped = false;

  constructor(kube: Kube, namespace: string, events: EventLog) {
    this.kube = kube;
    this.namespace = namespace;
    this.events = events;
  }

  start(): this {
    void this.open();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const watch = new k8s.Watch(this.kube.config);
    // A watch that drops (the API server restarting, a broken connection) is re-opened; the gap is
    // recorded, since changes during it are seen only when the watch lists the pods again.
    const reopen = (error?: unknown) => {
      if (this.stopped) return;
      if (error !== undefined && error !== null && this.gapSince === undefined) {
        this.gapSince = Date.now();
        this.events.record('pod-watch', 'gap', `the pod watch dropped (${error instanceof Error ? error.message : String(error)}); re-opening`);
      }
      setTimeout(() => void this.open(), 1000);
    };
    try {
      this.request = await watch.watch(
        `/api/v1/namespaces/${this.namespace}/pods`,
        { timeoutSeconds: 120 },
        (type: string, pod: k8s.V1Pod) => this.observe(type, pod),
        (error: unknown) => reopen(error),
      );
      if (this.gapSince !== undefined) {
        this.events.record('pod-watch', 'resumed', `the pod watch is back after ${Math.round((Date.now() - this.gapSince) / 1000)} s; changes in between are recorded as seen now`);
        this.gapSince = undefined;
      }
    } catch (error) {
      reopen(error ?? new Error('the watch could not be opened'));
    }
  }

  /** When the watch dropped (ms since the epoch), while it is down. */
  private gapSince: number | undefined;

  private observe(type: string, pod: k8s.V1Pod): void {
    const name = pod.metadata?.name ?? '?';
    if (type === 'DELETED') {
      this.states.delete(name);
      this.events.record('pod-watch', 'deleted', name);
      return;
    }
    const container = pod.status?.containerStatuses?.[0];
    const next: PodState = {
      phase: pod.status?.phase,
      ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      restarts: container?.restartCount ?? 0,
      node: pod.spec?.nodeName,
    };
    const previous = this.states.get(name);
    this.states.set(name, next);
    if (next.phase !== previous?.phase) this.events.record('pod-watch', 'phase', `${name} ${next.phase ?? 'unknown'}`);
    if (next.node && next.node !== previous?.node) this.events.record('pod-watch', 'scheduled', `${name} on ${next.node}`);
    if (next.ready !== (previous?.ready ?? false)) this.events.record('pod-watch', next.ready ? 'ready' : 'not-ready', name);
    if (previous && next.restarts > previous.restarts) {
      const reason = container?.lastState?.terminated?.reason ?? 'unknown reason';
      this.events.record('pod-watch', 'restart', `${name} restart #${next.restarts} (${reason}, exit ${container?.lastState?.terminated?.exitCode ?? '?'})`);
    }
  }
}
