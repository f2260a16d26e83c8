import type { KubernetesObject, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { applyObjects } from '../kube/apply.ts';
import { isStatus, type Kube } from '../kube/client.ts';
import { ExecRefused, ExecStreamDropped, execInPod, type ExecResult } from '../kube/exec.ts';
import { PodPortForward } from '../kube/port-forward.ts';
import { PodWatch } from '../kube/pod-watch.ts';
import type { EventLog } from '../history/event-log.ts';
import { notYet, pause, ready, waitFor } from '../kube/wait.ts';
import type { Endpoint } from '../workload/runner.ts';
import { ENSEMBLE_NAMESPACE_LABEL, ensembleManifests, ensembleNamespace, isNodePortService, readManifests, type StorageMode } from './ensemble-manifests.ts';
import { fourLetterWordCommand, parseSrvr, type ServerStatus } from './four-letter-words.ts';
import { readEnvironment } from '../run/environment.ts';

export const ZK_CONTAINER = 'kubernetes-zookeeper';
/** The tutorial's three members, by pod name. */
export const MEMBERS = ['zk-0', 'zk-1', 'zk-2'];

/** How the host reaches the members (see StartedKubeEnsemble.endpoints). */
export type MemberAccess = 'nodeport' | 'port-forward';

/**
 * The tutorial's ensemble on Kubernetes, built from manifests/ in the style of testcontainers:
 *   const zk = await new KubeEnsemble(kube).inNamespace('zk-chaos').withStorage('local-path').start();
 */
export class KubeEnsemble {
  private readonly kube: Kube;
  private namespace = 'zk-chaos';
  private image = 'zk-chaos/zookeeper:local';
  private storage: StorageMode = 'local-path';
  private manifestsDir = 'manifests';
  private access: MemberAccess = 'nodeport';
  private settings: Record<string, string> = {};
  private log: (line: string) => void = () => {};

  constructor(kube: Kube) {
    this.kube = kube;
  }

  inNamespace(namespace: string): this {
    this.namespace = namespace;
    return this;
  }

  withImage(image: string): this {
    this.image = image;
    return this;
  }

  withStorage(storage: StorageMode): this {
    this.storage = storage;
    return this;
  }

  withManifests(dir: string): this {
    this.manifestsDir = dir;
    return this;
  }

  /** How the host reaches the members: NodePorts on 127.0.0.1 (kind, fast) or port-forwards through the API server (any cluster). */
  withAccess(access: MemberAccess): this {
    this.access = access;
    return this;
  }

  /** Settings of the image's configuration script over the ConfigMap's (ZK_TICK_TIME: '500', ...). */
  withSettings(settings: Record<string, string>): this {
    this.settings = settings;
    return this;
  }

  withLog(log: (line: string) => void): this {
    this.log = log;
    return this;
  }

  async start(): Promise<StartedKubeEnsemble> {
    const objects = ensembleManifests(readManifests(this.manifestsDir), { image: this.image, storage: this.storage, access: this.access, settings: this.settings });
    await this.waitWhileTerminating();
    await this.takeNodePorts(objects);
    await applyObjects(this.kube, [ensembleNamespace(this.namespace)], this.namespace);
    const started = new StartedKubeEnsemble(this.kube, this.namespace, objects, this.log);
    await started.replaceIfStorageChanged(objects.find((o): o is V1StatefulSet => o.kind === 'StatefulSet'));
    await applyObjects(this.kube, objects, this.namespace);
    await started.waitReady();
    if (this.access === 'port-forward') await started.forwardMembers();
    return started;
  }

  /**
   * A node port belongs to one Service in the whole cluster. When another namespace holds the ones
   * this ensemble needs, applying would fail with HTTP 422 "provided port is already allocated".
   * An ensemble of this harness's (its namespace has ENSEMBLE_NAMESPACE_LABEL, e.g. what
   * `npm run e2e -- --suites X` or an interrupted run left) gives them up: its NodePort Services go now, its namespace in the
   * background. Anyone else's is an error that names the Service and the fix.
   */
  private async takeNodePorts(objects: KubernetesObject[]): Promise<void> {
    const wanted = new Set(objects.filter(isNodePortService).flatMap((svc) => (svc.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => p !== undefined)));
    if (wanted.size === 0) return;
    const holders = async (): Promise<V1Service[]> =>
      (await this.kube.core.listServiceForAllNamespaces()).items.filter(
        (svc) => svc.metadata?.namespace !== this.namespace && (svc.spec?.ports ?? []).some((p) => p.nodePort !== undefined && wanted.has(p.nodePort)),
      );
    const held = await holders();
    if (held.length === 0) return;
    const where = (svc: V1Service): string => `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    const ours = new Set((await this.kube.core.listNamespace({ labelSelector: ENSEMBLE_NAMESPACE_LABEL })).items.map((ns) => ns.metadata?.name));
    const foreign = held.filter((svc) => !ours.has(svc.metadata?.namespace));
    if (foreign.length > 0) {
      throw new Error(
        `the node ports ${[...wanted].join(', ')} this ensemble publishes are held by ${foreign.map(where).join(', ')}, which zk-chaos did not make (its namespace has no label ${ENSEMBLE_NAMESPACE_LABEL}): free them (${foreign.map((svc) => `kubectl delete service -n ${svc.metadata?.namespace} ${svc.metadata?.name}`).join('; ')}) or use a cluster of its own`,
      );
    }
    const namespaces = [...new Set(held.map((svc) => svc.metadata?.namespace as string))];
    this.log(`node ports ${[...wanted].join(', ')} are held by ${held.map(where).join(', ')} (another ensemble of zk-chaos's, such as one an earlier run left): removing namespace ${namespaces.join(', ')} so this ensemble can take them`);
    await Promise.all(held.map((svc) => this.kube.core.deleteNamespacedService({ name: svc.metadata?.name as string, namespace: svc.metadata?.namespace as string }).catch(ignoreNotFound)));
    // A namespace already on its way out answers 409: that is as good as deleting it.
    await Promise.all(namespaces.map((name) => this.kube.core.deleteNamespace({ name }).catch((error: unknown) => isStatus(error, 409) || ignoreNotFound(error))));
    await waitFor(
      `node ports ${[...wanted].join(', ')} to be free`,
      async () => {
        const left = await holders();
        return left.length > 0 ? notYet(left.map(where).join(', ')) : ready(true);
      },
      { timeoutMs: 120_000, intervalMs: 500, log: this.log },
    );
  }

  /** A namespace still being deleted (an earlier run's) accepts nothing new: wait until it is gone. */
  private async waitWhileTerminating(): Promise<void> {
    const terminating = async (): Promise<boolean> => {
      try {
        return (await this.kube.core.readNamespace({ name: this.namespace })).metadata?.deletionTimestamp !== undefined;
      } catch (error) {
        if (isStatus(error, 404)) return false;
        throw error;
      }
    };
    if (!(await terminating())) return;
    this.log(`namespace ${this.namespace} is still being deleted (by an earlier run); waiting for it to go`);
    await waitFor(`namespace ${this.namespace} to be deleted`, async () => ((await terminating()) ? notYet('terminating') : ready(true)), {
      timeoutMs: 300_000,
      intervalMs: 2000,
      log: this.log,
    });
  }
}

export class StartedKubeEnsemble {
  readonly kube: Kube;
  readonly namespace: string;
  private readonly objects: KubernetesObject[];
  private readonly log: (line: string) => void;

  constructor(kube: Kube, namespace: string, objects: KubernetesObject[], log: (line: string) => void) {
    this.kube = kube;
    this.namespace = namespace;
    this.objects = objects;
    this.log = log;
  }

  private forwards: PodPortForward[] = [];
  /** The run in progress's event log, if one observes this ensemble: dropped exec streams go there too. */
  private observer: EventLog | undefined;

  /**
   * Records, until stop(), every change of the members' pods (a PodWatch) and every exec stream
   * that dropped and was run again (a gap in what the harness saw; see ExecOptions.onDrop).
   */
  observe(events: EventLog): { stop(): void } {
    const watch = new PodWatch(this.kube, this.namespace, events).start();
    this.observer = events;
    return {
      stop: () => {
        watch.stop();
        if (this.observer === events) this.observer = undefined;
      },
    };
  }

  /**
   * Host addresses of the members: per-member port-forwards through the API server when
   * forwardMembers() ran, else per-member NodePorts published on 127.0.0.1 (kind-config.yaml).
   */
  endpoints(): Endpoint[] {
    if (this.forwards.length > 0) return MEMBERS.map((name, i) => ({ name, address: (this.forwards[i] as PodPortForward).address }));
    const base = readEnvironment().nodePortBase;
    return MEMBERS.map((name, i) => ({ name, address: `127.0.0.1:${base + i}` }));
  }

  /** Reaches each member through its own port-forward listener (see PodPortForward). */
  async forwardMembers(): Promise<void> {
    if (this.forwards.length > 0) return;
    this.forwards = await Promise.all(MEMBERS.map((m) => PodPortForward.open(this.kube, this.namespace, m, 2181)));
    this.log(`members reached through port-forwards: ${this.forwards.map((f, i) => `${MEMBERS[i]} → ${f.address}`).join(', ')}`);
  }

  /** Forwarded connections that broke (each a connection loss the workload saw), for diagnostics. */
  forwardProblems(): string[] {
    return this.forwards.filter((f) => f.broken > 0).map((f, i) => `${MEMBERS[i]}: ${f.broken} connections broke (last: ${f.lastProblem})`);
  }

  async pods(): Promise<V1Pod[]> {
    const list = await this.kube.core.listNamespacedPod({ namespace: this.namespace, labelSelector: 'app=zk' });
    return list.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  async pod(name: string): Promise<V1Pod> {
    return this.kube.core.readNamespacedPod({ name, namespace: this.namespace });
  }

  /** The image the members run, and how it is pulled (a helper pod on their nodes runs it too). */
  async memberImage(): Promise<{ image: string; pullPolicy: string | undefined }> {
    // From the StatefulSet's template: a member's pod may be away (killed, its node lost).
    const sts = await this.kube.apps.readNamespacedStatefulSet({ name: 'zk', namespace: this.namespace });
    const container = sts.spec?.template.spec?.containers.find((c) => c.name === ZK_CONTAINER);
    if (!container?.image) throw new Error(`StatefulSet zk has no ${ZK_CONTAINER} container to take the image from`);
    return { image: container.image, pullPolicy: container.imagePullPolicy };
  }

  /** Waits until all three members are Ready and serve as leader or follower. */
  async waitReady(timeoutMs = 600_000): Promise<V1Pod[]> {
    return waitFor(
      'three ZooKeeper members Ready in a quorum',
      async () => {
        const pods = await this.pods();
        const readyPods = pods.filter(isReady);
        if (readyPods.length < MEMBERS.length) {
          return notYet(pods.map((p) => `${p.metadata?.name} ${p.status?.phase}${isReady(p) ? ' ready' : ''}`).join(', ') || 'no pods');
        }
        const modes = await Promise.all(MEMBERS.map(async (m) => (await this.status(m)).mode));
        return modes.filter((m) => m === 'leader').length === 1 && modes.every((m) => m === 'leader' || m === 'follower')
          ? ready(pods)
          : notYet(`modes ${modes.join(', ')}`);
      },
      { timeoutMs, intervalMs: 2000, log: this.log },
    );
  }

  /** Runs a command in a member's container; a command that only reads may say so (see ExecOptions.repeatable). */
  exec(pod: string, command: string[], { repeatable = false } = {}): Promise<ExecResult> {
    const onDrop = (detail: string): void => {
      this.log(detail);
      this.observer?.record('harness', 'exec-gap', detail);
    };
    return execInPod(this.kube, this.namespace, pod, ZK_CONTAINER, command, { repeatable, onDrop });
  }

  /**
   * What the member says of itself (srvr). An exec whose connection broke is run again
   * (execInPod), and if the path stays broken the error says so. An exec the API server refused
   * while the member's container runs (a restarting API server answers 403, 429 or 500 for a
   * while) is asked again for up to 15 s, then the error names the harness's path: "not serving"
   * is the member's own answer, its container not running, or no answer in time (a frozen node).
   */
  async status(pod: string): Promise<ServerStatus> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        return parseSrvr((await this.exec(pod, fourLetterWordCommand('srvr', 2), { repeatable: true })).stdout);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        if (error instanceof ExecStreamDropped) throw new Error(`cannot ask ${pod} for its state: ${why}`, { cause: error });
        if (!(error instanceof ExecRefused)) return { mode: 'not serving' };
        const runs = await this.containerRuns(pod);
        if (runs === false) return { mode: 'not serving' };
        const path = runs ? 'its container runs, but the exec was refused' : 'the exec was refused and the API server did not say whether its container runs';
        if (Date.now() > deadline) throw new Error(`cannot ask ${pod} for its state: ${path} (${why})`, { cause: error });
        this.log(`asking ${pod} for its state again: ${path} (${why})`);
        await pause(1000);
      }
    }
  }

  /** Whether the member's ZooKeeper container is running, as the API server has it; undefined when the API server cannot say. */
  private async containerRuns(pod: string): Promise<boolean | undefined> {
    try {
      const state = (await this.pod(pod)).status?.containerStatuses?.find((c) => c.name === ZK_CONTAINER)?.state;
      return state?.running !== undefined;
    } catch (error) {
      return isStatus(error, 404) ? false : undefined;
    }
  }

  async restartCount(pod: string): Promise<number> {
    const status = (await this.pod(pod)).status?.containerStatuses?.find((c) => c.name === ZK_CONTAINER);
    return status?.restartCount ?? 0;
  }

  /** Deletes the StatefulSet (its pods go, its PVCs stay) and waits until no member pod is left. */
  async deleteStatefulSet(): Promise<void> {
    await this.kube.apps.deleteNamespacedStatefulSet({ name: 'zk', namespace: this.namespace, propagationPolicy: 'Foreground' });
    await waitFor(
      'the StatefulSet and its pods to be gone',
      async () => {
        const pods = await this.pods();
        const stsGone = await this.kube.apps.readNamespacedStatefulSet({ name: 'zk', namespace: this.namespace }).then(
          () => false,
          (error: unknown) => isStatus(error, 404),
        );
        return stsGone && pods.length === 0 ? ready(true) : notYet(`${pods.length} pods left`);
      },
      { timeoutMs: 300_000, intervalMs: 2000, log: this.log },
    );
  }

  /**
   * A StatefulSet's claim templates cannot be updated: when the namespace holds an ensemble of
   * another storage mode, that ensemble (StatefulSet and claims) is removed before applying.
   */
  async replaceIfStorageChanged(wanted: V1StatefulSet | undefined): Promise<void> {
    const existing = await this.kube.apps.readNamespacedStatefulSet({ name: 'zk', namespace: this.namespace }).catch((error: unknown) => {
      if (isStatus(error, 404)) return undefined;
      throw error;
    });
    if (!existing || !wanted || claimTemplates(existing) === claimTemplates(wanted)) return;
    this.log(`the ensemble in ${this.namespace} has other volumes (${claimTemplates(existing)}); replacing it and its claims`);
    await this.deleteStatefulSet();
    await this.kube.core.deleteCollectionNamespacedPersistentVolumeClaim({ namespace: this.namespace, labelSelector: 'app=zk' });
    await waitFor(
      'the old claims to be gone',
      async () => {
        const left = (await this.kube.core.listNamespacedPersistentVolumeClaim({ namespace: this.namespace, labelSelector: 'app=zk' })).items.length;
        return left === 0 ? ready(true) : notYet(`${left} claims left`);
      },
      { timeoutMs: 120_000, intervalMs: 2000, log: this.log },
    );
  }

  /** Applies the StatefulSet again (same manifests) and waits for the quorum. */
  async recreateStatefulSet(): Promise<void> {
    await applyObjects(this.kube, this.objects.filter((o) => o.kind === 'StatefulSet'), this.namespace);
    await this.waitReady();
  }

  /** Deletes the namespace (and so every object and claim of this ensemble). */
  async destroy(): Promise<void> {
    await Promise.all(this.forwards.map((f) => f.close()));
    this.forwards = [];
    await this.kube.core.deleteNamespace({ name: this.namespace }).catch(ignoreNotFound);
  }
}

function ignoreNotFound(error: unknown): void {
  if (!isStatus(error, 404)) throw error;
}

/** What decides a StatefulSet's volumes: claim template names, classes and sizes. */
function claimTemplates(sts: V1StatefulSet): string {
  const templates = (sts.spec?.volumeClaimTemplates ?? []).map((t) => `${t.metadata?.name}:${t.spec?.storageClassName ?? 'default'}:${t.spec?.resources?.requests?.storage ?? ''}`);
  return templates.length ? templates.join(',') : 'no claims';
}

export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
