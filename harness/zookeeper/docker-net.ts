import { cutOffScript, HEAL_SCRIPT, slowScript } from './blackhole.ts';
import type { Grudge, Net } from './ensemble.ts';
import type { Member, StartedDockerEnsemble } from './docker-ensemble.ts';
import { docker } from './docker-cli.ts';

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

  private async asRoot(member: Member, command: string[]): Promise<void> {
    try {
      await docker(['exec', '--privileged', '--user', '0', member.container.getId(), ...command]);
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`docker exec as root in ${member.name} failed: ${(e.stderr || e.message).trim()}`);
    }
  }
}
