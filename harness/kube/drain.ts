import * as k8s from '@kubernetes/client-node';
import type { EventLog } from '../history/event-log.ts';
import { describeError, isStatus, type Kube } from './client.ts';
import { HELPER_LABEL } from './node-helper.ts';
import { pause } from './wait.ts';

/** A merge patch of a node (cordon, uncordon, the harness's mark). */
function patchNode(kube: Kube, node: string, body: object): Promise<unknown> {
  return kube.core.patchNode({ name: node, body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
}

export async function setUnschedulable(kube: Kube, node: string, unschedulable: boolean, events?: EventLog): Promise<void> {
  await patchNode(kube, node, { spec: { unschedulable } });
  events?.record('drain', unschedulable ? 'cordon' : 'uncordon', node);
}

/** Marks a node the harness cordoned, so that an interrupted or killed run's node is found and uncordoned. */
export const CORDONED_BY = 'io.zk-chaos/cordoned-by';

/** Cordons a node for a run's fault, naming the run's namespace on it (CORDONED_BY). */
export async function cordonForRun(kube: Kube, node: string, namespace: string): Promise<void> {
  await patchNode(kube, node, { metadata: { annotations: { [CORDONED_BY]: namespace } }, spec: { unschedulable: true } });
}

/** Uncordons a node cordonForRun cordoned, and takes the mark off (null removes it in a merge patch). */
export async function uncordonAfterRun(kube: Kube, node: string): Promise<void> {
  await patchNode(kube, node, { metadata: { annotations: { [CORDONED_BY]: null } }, spec: { unschedulable: false } });
}

/** Uncordons every node a run in `namespace` cordoned and left so (interrupted, killed); returns their names. */
export async function uncordonLeftBy(kube: Kube, namespace: string): Promise<string[]> {
  const left = (await kube.core.listNode()).items.filter((n) => n.metadata?.annotations?.[CORDONED_BY] === namespace).map((n) => n.metadata?.name as string);
  await Promise.all(left.map((node) => uncordonAfterRun(kube, node)));
  return left;
}

export type EvictionOutcome = 'evicted' | 'blocked-by-budget' | 'gone';

/** Asks the Eviction API to evict a pod. A PodDisruptionBudget refusal (429) is an outcome, not an error. */
export async function evictPod(kube: Kube, namespace: string, name: string): Promise<EvictionOutcome> {
  try {
    await kube.core.createNamespacedPodEviction({
      name,
      namespace,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
    });
    return 'evicted';
  } catch (error) {
    if (isStatus(error, 429)) return 'blocked-by-budget';
    if (isStatus(error, 404)) return 'gone';
    throw new Error(`evicting ${namespace}/${name}: ${describeError(error)}`);
  }
}

export interface DrainResult {
  node: string;
  /** True when every pod was evicted within the time allowed. */
  completed: boolean;
  evicted: string[];
  /** Pods whose eviction the budget refused, at least once. */
  blocked: string[];
}

/**
 * kubectl drain --ignore-daemonsets --delete-emptydir-data, through the Eviction API: cordon the
 * node, then evict every pod on it that no DaemonSet owns (nor the harness's node helpers, its
 * per-node pods), retrying refusals by the budget every retryMs until timeoutMs. Each eviction and
 * each refusal is recorded in the event log. With markFor (a run's namespace) the node is cordoned
 * with the run's mark (cordonForRun), so a killed run's node is found and uncordoned.
 */
export async function drainNode(kube: Kube, node: string, options: { timeoutMs: number; retryMs?: number; events?: EventLog; markFor?: string }): Promise<DrainResult> {
  // A fault's drain marks the node with its run's namespace (cordonForRun), so a killed run's node is found.
  if (options.markFor === undefined) await setUnschedulable(kube, node, true, options.events);
  else await cordonForRun(kube, node, options.markFor);
  const deadline = Date.now() + options.timeoutMs;
  const evicted = new Set<string>();
  const blocked = new Set<string>();
  for (;;) {
    const pods = (await kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items.filter(
      (p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && p.metadata?.labels?.[HELPER_LABEL] === undefined && !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );
    const pending = pods.filter((p) => !evicted.has(`${p.metadata?.namespace}/${p.metadata?.name}`));
    if (pending.length === 0) return { node, completed: true, evicted: [...evicted], blocked: [...blocked] };
    for (const pod of pending) {
      const id = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      const outcome = await evictPod(kube, pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
      if (outcome === 'evicted') {
        evicted.add(id);
        options.events?.record('drain', 'evicted', `${id} from ${node}`);
      } else if (outcome === 'blocked-by-budget') {
        if (!blocked.has(id)) options.events?.record('drain', 'blocked-by-budget', `${id} on ${node}: the PodDisruptionBudget refused the eviction`);
        blocked.add(id);
      }
    }
    if (Date.now() > deadline) return { node, completed: false, evicted: [...evicted], blocked: [...blocked] };
    await pause(options.retryMs ?? 5000);
  }
}
