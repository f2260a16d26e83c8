import { cutOffScript, HEAL_SCRIPT, slowScript } from './blackhole.ts';
import { QUORUM_PORT, type Grudge, type Net, type SyncTap } from './ensemble.ts';
import type { Member, StartedDockerEnsemble } from './docker-ensemble.ts';
import { docker, hostCommand } from './docker-cli.ts';
import { SyncProxy } from './sync-proxy.ts';

/**
 * The Docker ensemble's network. A cut is made of blackhole routes inside the members'
 * network namespaces, added by a privileged `docker exec` as root: the ZooKeeper process itself
 * keeps no extra capability, and clients (which reach a member through its published port, from
 * the network's gateway) are not cut. Routes go both ways, so neither side completes a handshake.
 * isolate/reconnect take a member off the network altogether, clients included.
 */
export class DockerNet implements Net<Member> {
  private readonly ensemble: StartedDockerEnsemble;

  constructor(ensemble: StartedDockerEnsemble) {
    this.ensemble = ensemble;
  }

  async cut(grudge: Grudge<Member>): Promise<void> {
    await this.towardPeers(grudge, cutOffScript);
  }

  async slow(grudge: Grudge<Member>, kbit: number): Promise<void> {
    await this.towardPeers(grudge, (addresses) => slowScript(addresses, kbit));
  }

  /** Runs, in each member's network namespace, the script made for its peers' addresses in the grudge. */
  private async towardPeers(grudge: Grudge<Member>, script: (addresses: string[]) => string): Promise<void> {
    await Promise.all([...grudge].filter(([, peers]) => peers.length > 0).map(([m, peers]) => this.asRoot(m, ['bash', '-c', script(peers.map((o) => o.address))])));
  }

  async heal(): Promise<void> {
    // A member that is down has no routes to remove (its namespace went with it).
    await Promise.all(
      this.ensemble.members.map((m) =>
        this.asRoot(m, ['bash', '-c', HEAL_SCRIPT]).catch(
          (error: Error) => {
            if (!/is not running/.test(error.message)) throw error;
          },
        ),
      ),
    );
  }

  async isolate(members: readonly Member[]): Promise<void> {
    const network = await this.ensemble.dockerNetwork();
    for (const m of members) await network.disconnect({ Container: m.container.getId(), Force: true });
  }

  /** Back on the ensemble's network under the member's name (see StartedDockerEnsemble.attach for its address). */
  async reconnect(members: readonly Member[]): Promise<void> {
    for (const m of members) await this.ensemble.attach(m);
  }

  /**
   * The learner's connections to the leader's quorum port are sent (a DNAT rule in the learner's
   * network namespace, added from this host with its own iptables: the image has none, and the
   * member keeps no capability) to a SyncProxy listening on the network's gateway, which connects
   * on to the leader. Needs root on a Linux host with iptables, as --slow-fsync does. The rule goes
   * with the learner's container when it stops, and at close() if it still runs.
   */
  async tapSync(learner: Member, leader: Member): Promise<SyncTap> {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      throw new Error(`holding ${learner.name}'s sync needs root on a Linux host (iptables in its network namespace, entered with nsenter): run as root, or leave the fault out`);
    }
    const gateway = await this.ensemble.gateway();
    const pid = await this.pid(learner);
    const proxy = await SyncProxy.start(gateway, { host: leader.address, port: QUORUM_PORT });
    const rule = ['OUTPUT', '-p', 'tcp', '-d', leader.address, '--dport', String(QUORUM_PORT), '-j', 'DNAT', '--to-destination', `${gateway}:${proxy.port}`];
    try {
      await inNamespace(pid, ['iptables', '-t', 'nat', '-A', ...rule]);
    } catch (error) {
      await proxy.close();
      throw new Error(`could not route ${learner.name}'s sync through the proxy: ${(error as Error).message}`);
    }
    return {
      sync: proxy.sync,
      get connections() {
        return proxy.connections;
      },
      close: async () => {
        try {
          // The detour goes first (a reconnection meanwhile goes to the leader, not to a closed
          // port). Only the same container run still has it: a restarted one has a new namespace.
          if ((await this.pid(learner).catch(() => 0)) === pid) await inNamespace(pid, ['iptables', '-t', 'nat', '-D', ...rule]);
        } finally {
          await proxy.close();
        }
      },
    };
  }

  /** The host's process id of the member's container's first process (0 when it does not run). */
  private async pid(member: Member): Promise<number> {
    const { stdout } = await docker(['inspect', '--format', '{{.State.Pid}}', member.container.getId()]);
    return Number(stdout.trim());
  }

  private async asRoot(member: Member, command: string[]): Promise<void> {
    try {
      await docker(['exec', '--privileged', '--user', '0', member.container.getId(), ...command]);
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`docker exec as root in ${member.name} failed: ${(e.stderr || e.message).trim()}`);
    }
  }
}

/** Runs `command` (a program of this host) in the network namespace of process `pid`. */
async function inNamespace(pid: number, command: string[]): Promise<void> {
  if (!(pid > 0)) throw new Error('the container does not run');
  try {
    await hostCommand('nsenter', ['-t', String(pid), '-n', ...command]);
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`nsenter -t ${pid} -n ${command.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
}
