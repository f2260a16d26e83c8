import { cordonForRun, drainNode, uncordonAfterRun } from '../kube/drain.ts';
import { notYet, ready, waitFor, waitForOrUndefined } from '../kube/wait.ts';
import { describeKillSignal, PROBE_SCRIPT, type Ensemble, type EnsembleMember } from './ensemble.ts';
import type { ServerStatus } from './four-letter-words.ts';
import { MEMBERS as NAMES, ZK_CONTAINER, type StartedKubeEnsemble } from './kube-ensemble.ts';
import { docker } from './docker-cli.ts';
import type { Endpoint } from '../workload/runner.ts';

const MEMBERS: readonly EnsembleMember[] = NAMES.map((name) => ({ name }));

/** How KubeMembers.loseNode loses a member's node. */
export type NodeLoss = 'stop-kind-node' | 'cordon-and-delete';

/**
 * The tutorial's ensemble as the nemesis sees it. Kubernetes keeps members running, so "down" has
 * its Kubernetes meaning: a killed JVM's container is restarted by the kubelet (with its back-off),
 * a stopped member is a deleted pod the StatefulSet recreates; startMember waits for that to
 * happen rather than starting anything itself.
 */
export class KubeMembers implements Ensemble<EnsembleMember> {
  readonly members = MEMBERS;
  private readonly ensemble: StartedKubeEnsemble;
  /** Per member: when it was last brought down (its container or pod must be newer to count as back). */
  private readonly downSince = new Map<string, number>();

  private readonly nodeLoss: NodeLoss;

  /** nodeLoss: how a node is lost (see loseNode); a cluster whose nodes the harness cannot enter needs 'cordon-and-delete'. */
  constructor(ensemble: StartedKubeEnsemble, { nodeLoss = 'stop-kind-node' }: { nodeLoss?: NodeLoss } = {}) {
    this.ensemble = ensemble;
    this.nodeLoss = nodeLoss;
  }

  endpoints(): Endpoint[] {
    return this.ensemble.endpoints();
  }

  async exec(member: EnsembleMember, command: string[]): Promise<{ exitCode: number; output: string }> {
    const { exitCode, stdout, stderr } = await this.ensemble.exec(member.name, command);
    return { exitCode, output: stdout + stderr };
  }

  status(member: EnsembleMember): Promise<ServerStatus> {
    return this.ensemble.status(member.name);
  }

  async logs(member: EnsembleMember): Promise<string> {
    const read = (previous: boolean) =>
      this.ensemble.kube.core.readNamespacedPodLog({ name: member.name, namespace: this.ensemble.namespace, container: ZK_CONTAINER, previous, timestamps: true }).catch(() => '');
    const [before, now] = await Promise.all([read(true), read(false)]);
    return before ? `${before}--- container restarted ---\n${now}` : now;
  }

  leader(timeoutMs = 60_000): Promise<EnsembleMember> {
    return this.pollModes('a single member reporting itself leader', timeoutMs, (modes) => {
      const leaders = MEMBERS.filter((_, i) => modes[i]?.mode === 'leader');
      return leaders.length === 1 ? leaders[0] : undefined;
    });
  }

  async waitForQuorum(timeoutMs = 300_000): Promise<void> {
    await this.pollModes('the ensemble to form a quorum', timeoutMs, (modes) =>
      modes.every((s) => s.mode === 'leader' || s.mode === 'follower') && modes.filter((s) => s.mode === 'leader').length === 1 ? true : undefined,
    );
  }

  async killMember(member: EnsembleMember, signal: 'KILL' | 'TERM' = 'KILL'): Promise<string> {
    this.downSince.set(member.name, Date.now());
    const restarts = await this.ensemble.restartCount(member.name);
    // The exec's own stream may be cut as the container dies: that is the kill working. pkill's
    // exit 1 (no java running: the member is already down) is no error either; 2 and up are.
    const result = await this.ensemble.exec(member.name, ['pkill', `-${signal}`, 'java']).catch(() => undefined);
    if (result && result.exitCode > 1 && !/terminated|closed/i.test(result.stderr)) {
      throw new Error(`pkill -${signal} java in ${member.name} exited with ${result.exitCode}: ${result.stderr.trim()}`);
    }
    return `JVM ${describeKillSignal(signal)}; the kubelet restarts the container (restarts so far ${restarts})`;
  }

  async deleteProbeScript(member: EnsembleMember): Promise<string> {
    const restarts = await this.ensemble.restartCount(member.name);
    const { exitCode, stderr } = await this.ensemble.exec(member.name, ['rm', PROBE_SCRIPT]);
    if (exitCode !== 0) throw new Error(`rm ${PROBE_SCRIPT} in ${member.name} exited with ${exitCode}: ${stderr.trim()}`);
    // Down from now on: the restart the heal waits for is the one the failing probe causes.
    this.downSince.set(member.name, Date.now());
    return `${PROBE_SCRIPT} deleted; the kubelet's liveness probe fails and it restarts the container (restarts so far ${restarts})`;
  }

  async stopMember(member: EnsembleMember): Promise<void> {
    this.downSince.set(member.name, Date.now());
    await this.ensemble.kube.core.deleteNamespacedPod({ name: member.name, namespace: this.ensemble.namespace, gracePeriodSeconds: 10 });
  }

  /** Waits until the member's container (or, after stopMember, its new pod) runs again. */
  async startMember(member: EnsembleMember): Promise<void> {
    const since = this.downSince.get(member.name) ?? 0;
    await waitFor(
      `${member.name} to run again`,
      async () => {
        const pod = await this.ensemble.pod(member.name).catch(() => undefined);
        const container = pod?.status?.containerStatuses?.find((c) => c.name === ZK_CONTAINER);
        const startedAt = container?.state?.running?.startedAt;
        // startedAt has whole seconds: a container started in the second of the kill counts.
        return startedAt && new Date(startedAt).getTime() >= since - 1000 && pod?.metadata?.deletionTimestamp === undefined
          ? ready(true)
          : notYet(container?.state?.waiting?.reason ?? (pod ? 'not running' : 'no pod'));
      },
      { timeoutMs: 300_000, intervalMs: 1000 },
    );
  }

  /**
   * 'stop-kind-node' (kind only): a kind node is a Docker container, and killing it is a power cut
   * of the whole machine (its kubelet, container runtime and the member die at once) while its disk
   * stays; restoreNode starts it again and waits until the kubelet has the member running again.
   * 'cordon-and-delete' (any cluster): the member's node is cordoned and the member's pod deleted
   * at once, as when a node dies and its pods are force-deleted; the StatefulSet's new pod stays
   * Pending while its volume is pinned to the cordoned node (local-path), or starts elsewhere.
   * Anti-affinity puts one member per node, so the member is the only one lost either way.
   */
  async loseNode(member: EnsembleMember): Promise<string> {
    if (this.nodeLoss === 'cordon-and-delete') {
      const node = (await this.ensemble.pod(member.name)).spec?.nodeName;
      if (!node) throw new Error(`${member.name} is not scheduled on a node`);
      await cordonForRun(this.ensemble.kube, node, this.ensemble.namespace);
      this.lost.set(member.name, node);
      this.downSince.set(member.name, Date.now());
      await this.ensemble.kube.core.deleteNamespacedPod({ name: member.name, namespace: this.ensemble.namespace, gracePeriodSeconds: 0 });
      return `node ${node} cordoned and ${member.name} deleted at once (its new pod waits for a node it may run on)`;
    }
    const node = await this.nodeOf(member);
    this.downSince.set(member.name, Date.now());
    await docker(['kill', node]);
    this.lost.set(member.name, node);
    return `node ${node} lost (docker kill: its kubelet, runtime and ${member.name} died at once; its disk stays)`;
  }

  async restoreNode(member: EnsembleMember): Promise<void> {
    const node = this.lost.get(member.name);
    if (!node) return;
    if (this.nodeLoss === 'cordon-and-delete') {
      await uncordonAfterRun(this.ensemble.kube, node);
    } else {
      await docker(['start', node]);
      await this.startMember(member);
    }
    this.lost.delete(member.name);
  }

  private readonly lost = new Map<string, string>();

  /** Per member drained: its node, and whether the member was evicted (not refused by the budget). */
  private readonly drained = new Map<string, { node: string; evicted: boolean }>();

  /**
   * kubectl drain of the member's node, for up to 30 s (the budget refuses while another member is
   * down). The node is cordoned with the run's mark, so a killed run's node is found and uncordoned.
   * With node-pinned volumes (local-path) the evicted member stays Pending until the uncordon; with
   * shared storage it starts on another node when one is allowed.
   */
  async drainNode(member: EnsembleMember): Promise<string> {
    const node = (await this.ensemble.pod(member.name)).spec?.nodeName;
    if (!node) throw new Error(`${member.name} is not scheduled on a node`);
    this.downSince.set(member.name, Date.now());
    const id = `${this.ensemble.namespace}/${member.name}`;
    // Known before the drain starts, so a drain that fails after its cordon is still uncordoned by the heal.
    const drained = { node, evicted: false };
    this.drained.set(member.name, drained);
    const result = await drainNode(this.ensemble.kube, node, { timeoutMs: 30_000, retryMs: 2000, markFor: this.ensemble.namespace });
    drained.evicted = result.evicted.includes(id);
    const others = result.evicted.filter((e) => e !== id);
    if (drained.evicted) return `node ${node} drained: ${member.name} evicted${others.length ? ` (and ${others.join(', ')})` : ''}`;
    return result.blocked.includes(id)
      ? `node ${node} cordoned; the PodDisruptionBudget refused to evict ${member.name} for 30 s (HTTP 429)`
      : `node ${node} cordoned; ${member.name} was not evicted (already going or gone)`;
  }

  async uncordonNode(member: EnsembleMember): Promise<void> {
    const drained = this.drained.get(member.name);
    if (!drained) return;
    await uncordonAfterRun(this.ensemble.kube, drained.node);
    this.drained.delete(member.name);
    if (drained.evicted) await this.startMember(member);
  }

  private async nodeOf(member: EnsembleMember): Promise<string> {
    const node = (await this.ensemble.pod(member.name)).spec?.nodeName;
    if (!node) throw new Error(`${member.name} is not scheduled on a node`);
    const inspect = await docker(['inspect', '--format', '{{index .Config.Labels "io.x-k8s.kind.role"}}', node]).catch(() => undefined);
    if (!inspect || !inspect.stdout.trim()) {
      throw new Error(`node-loss needs a kind cluster, whose nodes are Docker containers: ${node} is not one (leave node-loss out of --nemesis here)`);
    }
    return node;
  }

  async signalMember(member: EnsembleMember, signal: 'STOP' | 'CONT'): Promise<void> {
    const { exitCode, stderr } = await this.ensemble.exec(member.name, ['pkill', `-${signal}`, 'java']);
    if (exitCode !== 0) throw new Error(`pkill -${signal} java in ${member.name} exited with ${exitCode}: ${stderr.trim()}`);
  }

  waitForLogLine(member: EnsembleMember, pattern: RegExp, sinceMs: number, timeoutMs: number): Promise<string | undefined> {
    return waitForOrUndefined(
      `a line matching ${pattern} in ${member.name}'s log`,
      async () => {
        const sinceSeconds = Math.max(1, Math.ceil((Date.now() - sinceMs) / 1000));
        const text = await this.ensemble.kube.core.readNamespacedPodLog({ name: member.name, namespace: this.ensemble.namespace, container: ZK_CONTAINER, sinceSeconds });
        const line = text.split('\n').find((l) => pattern.test(l));
        return line === undefined ? notYet('no such line yet') : ready(line);
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  private pollModes<T>(what: string, timeoutMs: number, settled: (modes: ServerStatus[]) => T | undefined): Promise<T> {
    return waitFor(
      what,
      async () => {
        const modes = await Promise.all(MEMBERS.map((m) => this.status(m)));
        const answer = settled(modes);
        return answer === undefined ? notYet(modes.map((s, i) => `${MEMBERS[i]!.name} ${s.mode}`).join(', ')) : ready(answer);
      },
      { timeoutMs, intervalMs: 1000 },
    );
  }
}
