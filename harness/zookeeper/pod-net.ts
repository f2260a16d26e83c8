import type { NodeHelpers } from '../kube/node-helper.ts';
import { cutOffScript, HEAL_SCRIPT, slowScript } from './blackhole.ts';
import type { EnsembleMember, Grudge, Net, SyncTap } from './ensemble.ts';
import { MEMBERS, ZK_CONTAINER, type StartedKubeEnsemble } from './kube-ensemble.ts';
import { docker } from './docker-cli.ts';
import { shellQuote } from '../run/shell-quote.ts';

/** A way to run a script as root in the network namespace of one container on one node. */
export interface PodNetworkEntry {
  run(node: string, containerId: string, script: string): Promise<void>;
}

/**
 * The network of the tutorial's ensemble on Kubernetes, cut from outside the pods: the members
 * run as uid 1000 without NET_ADMIN, and that stays so. On the member's node, `nsenter` enters the
 * member's network namespace as root to add (or remove) blackhole routes to the other side's pod
 * addresses; how the harness gets onto the node is the entry's (a kind node's container, or a
 * privileged helper pod on any cluster). Clients reach the members through NodePorts or
 * port-forwards, from addresses that are not the peers': not cut. (The script runs in the entry's
 * file system with the pod's network: files it keeps are the entry's.)
 */
export class PodNet implements Net<EnsembleMember> {
  private readonly ensemble: StartedKubeEnsemble;
  private readonly entry: PodNetworkEntry;

  constructor(ensemble: StartedKubeEnsemble, entry: PodNetworkEntry) {
    this.ensemble = ensemble;
    this.entry = entry;
  }

  async cut(grudge: Grudge<EnsembleMember>): Promise<void> {
    await this.towardPeers(grudge, cutOffScript);
  }

  async slow(grudge: Grudge<EnsembleMember>, kbit: number): Promise<void> {
    await this.towardPeers(grudge, (addresses) => slowScript(addresses, kbit));
  }

  /** Runs, in each member's network namespace, the script made for its peers' addresses in the grudge. */
  private async towardPeers(grudge: Grudge<EnsembleMember>, script: (addresses: string[]) => string): Promise<void> {
    // Addresses are read now: a recreated pod has a new one.
    const where = new Map<string, { node: string; ip: string; containerId: string }>();
    for (const [m, peers] of grudge) for (const x of [m, ...peers]) if (!where.has(x.name)) where.set(x.name, await this.locate(x));
    await Promise.all(
      [...grudge].filter(([, peers]) => peers.length > 0).map(([m, peers]) => this.inPodNetwork(where.get(m.name)!, script(peers.map((o) => where.get(o.name)!.ip)))),
    );
  }

  tapSync(learner: EnsembleMember): Promise<SyncTap> {
    return Promise.reject(new Error(`holding ${learner.name}'s sync after its snapshot is made on Docker only (--target docker)`));
  }

  async heal(): Promise<void> {
    await Promise.all(
      MEMBERS.map(async (name) => {
        const at = await this.locate({ name }).catch(() => undefined);
        // A member whose container is not running has no routes left to remove.
        if (at) await this.inPodNetwork(at, HEAL_SCRIPT);
      }),
    );
  }

  /**
   * Off the network, clients included: the pod's default route becomes a blackhole (with kind's
   * point-to-point pod network every address but the gateway's is reached through it). The route
   * it had is kept on the node, for reconnect.
   */
  async isolate(members: readonly EnsembleMember[]): Promise<void> {
    await Promise.all(
      members.map(async (m) => {
        const at = await this.locate(m);
        const saved = `/run/zk-chaos-default-route-${at.containerId}`;
        await this.inPodNetwork(at, `ip route show default > ${saved} && test -s ${saved} && ip route replace blackhole default`);
      }),
    );
  }

  async reconnect(members: readonly EnsembleMember[]): Promise<void> {
    await Promise.all(
      members.map(async (m) => {
        const at = await this.locate(m);
        const saved = `/run/zk-chaos-default-route-${at.containerId}`;
        await this.inPodNetwork(at, `ip route replace $(head -n1 ${saved}) && rm -f ${saved}`);
      }),
    );
  }

  /** The member's node (a kind node is a Docker container of that name), pod address and container. */
  private async locate(member: EnsembleMember): Promise<{ node: string; ip: string; containerId: string }> {
    const pod = await this.ensemble.pod(member.name);
    const node = pod.spec?.nodeName;
    const ip = pod.status?.podIP;
    // containerd://…, docker://…, cri-o://…: the runtime's prefix off, the id itself is hex.
    const containerId = pod.status?.containerStatuses?.find((c) => c.name === ZK_CONTAINER)?.containerID?.replace(/^[^:]+:\/\//, '');
    if (!node || !ip || !containerId) throw new Error(`${member.name} is not running on a node yet (node ${node}, address ${ip}, container ${containerId})`);
    if (!/^[0-9a-f]+$/.test(containerId)) throw new Error(`${member.name}'s container id ${JSON.stringify(containerId)} is not the hex id a container runtime gives`);
    return { node, ip, containerId };
  }

  private inPodNetwork(at: { node: string; containerId: string }, script: string): Promise<void> {
    return this.entry.run(at.node, at.containerId, script);
  }
}

/**
 * kind's nodes are Docker containers: the harness enters one with docker exec, and `crictl` there
 * finds the member's process.
 */
export const throughKindNodes: PodNetworkEntry = {
  async run(node, containerId, script) {
    const command = `pid=$(crictl inspect --output go-template --template '{{.info.pid}}' ${containerId}) && nsenter -t "$pid" -n bash -c ${shellQuote(script)}`;
    try {
      await docker(['exec', node, 'bash', '-c', command]);
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`changing the routes of a member on kind node ${node} failed: ${(e.stderr || e.message).trim()} (a kind cluster is needed: its nodes are Docker containers)`);
    }
  },
};

/**
 * Any cluster: a privileged helper pod on the node (NodeHelpers) sees the node's processes, and
 * the member's is the one whose cgroup names its container.
 */
export function throughHelperPods(helpers: NodeHelpers): PodNetworkEntry {
  return {
    async run(node, containerId, script) {
      // The container's oldest process (its first): a probe's short-lived shell could be gone
      // before nsenter enters it. The id and node are arguments, never pasted into the script.
      const command =
        `pid=$(grep -ls -- "$1" /proc/[0-9]*/cgroup | cut -d/ -f3 | sort -n | head -n1); ` +
        `test -n "$pid" || { echo "no process of container $1 on node $2" >&2; exit 1; }; ` +
        `exec nsenter -t "$pid" -n sh -c "$3"`;
      const result = await helpers.run(node, [command, containerId, node, script]);
      if (result.exitCode !== 0) {
        throw new Error(`changing the routes of a member on node ${node} through its helper pod failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`);
      }
    },
  };
}
