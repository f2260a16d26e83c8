import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { GenericContainer, StartedNetwork, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { Endpoint } from '../workload/runner.ts';
import { notYet, ready, waitFor, waitForOrUndefined } from '../kube/wait.ts';
import { DATA_ROOT, describeKillSignal, type Ensemble } from './ensemble.ts';
import { fourLetterWordCommand, parseSrvr, type ServerStatus } from './four-letter-words.ts';
import { docker } from './docker-cli.ts';
import { SlowDisk } from './slow-disk.ts';

/** Label on everything zk-chaos starts in Docker, so leftovers can always be found and removed. */
export const DOCKER_LABEL = 'io.zk-chaos.owned';

/**
 * A container whose client port is published on 127.0.0.1 only, at a fixed host port, so clients
 * keep their address across stop/start (docker would otherwise pick a new random port).
 */
class LoopbackContainer extends GenericContainer {
  withLoopbackPort(containerPort: number, hostPort: number): this {
    this.withExposedPorts({ container: containerPort, host: hostPort });
    this.hostConfig.PortBindings = {
      ...this.hostConfig.PortBindings,
      [`${containerPort}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }],
    };
    return this;
  }
}

export interface Member {
  /** zk-0, zk-1, ...: the host name, from which the image derives myid = ordinal + 1. */
  name: string;
  ordinal: number;
  /** 127.0.0.1:<port> */
  clientAddress: string;
  /** The member's address on the ensemble's network now (kept across restarts unless withNewAddressOnRestart). */
  address: string;
  container: StartedTestContainer;
}

/**
 * Builder for a ZooKeeper ensemble in Docker, in the style of testcontainers:
 *   const ensemble = await new DockerEnsemble(image).withMembers(3).withEphemeralData().start();
 */
export class DockerEnsemble {
  private readonly image: string;
  private members = 3;
  private ephemeralData = false;
  private labels: Record<string, string> = {};
  private environment: Record<string, string> = {};
  private standalone = new Set<string>();
  private newAddressOnRestart = false;
  private readonly slowFsync = new Map<string, number>();

  constructor(image: string) {
    this.image = image;
  }

  withMembers(count: number): this {
    this.members = count;
    return this;
  }

  /**
   * Keeps /var/lib/zookeeper on a tmpfs, which is emptied whenever a member stops: the negative
   * control, an ensemble that loses its data on restart.
   */
  withEphemeralData(ephemeral = true): this {
    this.ephemeralData = ephemeral;
    return this;
  }

  withLabels(labels: Record<string, string>): this {
    this.labels = { ...this.labels, ...labels };
    return this;
  }

  /**
   * Misconfigures one member to run on its own (its server list names only itself, so ZooKeeper
   * starts it standalone, with data of its own): the divergence check's negative control.
   */
  withStandaloneMember(name: string): this {
    this.standalone.add(name);
    return this;
  }

  /**
   * A restarted member comes back at a new network address, as a recreated Kubernetes pod does
   * (by default it keeps its address, as a rebooted server does).
   */
  withNewAddressOnRestart(newAddress = true): this {
    this.newAddressOnRestart = newAddress;
    return this;
  }

  /**
   * One member's data (snapshots, epochs, transaction log) is on a slow disk: each of its fsyncs
   * takes `delayMs` longer (see SlowDisk; Linux, as root). The hunts' answer to windows a schedule
   * cannot hit.
   */
  withSlowFsync(name: string, delayMs: number): this {
    this.slowFsync.set(name, delayMs);
    return this;
  }

  withEnvironment(environment: Record<string, string>): this {
    this.environment = { ...this.environment, ...environment };
    return this;
  }

  async start(): Promise<StartedDockerEnsemble> {
    const network = await startNetworkWithSubnet(this.labels);
    const names = Array.from({ length: this.members }, (_, i) => `zk-${i}`);
    const ports = await Promise.all(names.map(() => freeLoopbackPort()));
    const started: Member[] = [];
    const running: StartedTestContainer[] = [];
    const disks = new Map<string, SlowDisk>();
    try {
      for (const [name, delayMs] of this.slowFsync) {
        if (!names.includes(name)) throw new Error(`--slow-fsync names ${name}, not a member (members: ${names.join(', ')})`);
        disks.set(name, await SlowDisk.mount(delayMs));
      }
      const containers = await Promise.all(
        names.map(async (name, ordinal) => {
          let container = new LoopbackContainer(this.image)
            .withHostname(name)
            .withNetwork(network)
            .withNetworkAliases(name)
            .withLabels({ [DOCKER_LABEL]: 'true', ...this.labels })
            .withEnvironment({ ZK_ENSEMBLE: this.standalone.has(name) ? name : names.join(';'), ZK_HEAP_SIZE: '256M', ...this.environment })
            .withLoopbackPort(2181, ports[ordinal] as number)
            .withWaitStrategy(Wait.forSuccessfulCommand('zkOk.sh'))
            .withStartupTimeout(120_000);
          if (this.ephemeralData) container = container.withTmpFs({ [DATA_ROOT]: 'rw,uid=1000,gid=1000' });
          const disk = disks.get(name);
          if (disk) container = container.withBindMounts([{ source: disk.path, target: DATA_ROOT, mode: 'rw' }]);
          const startedContainer = await container.start();
          running.push(startedContainer);
          return startedContainer;
        }),
      );
      for (const [ordinal, container] of containers.entries()) {
        const address = container.getIpAddress(network.getName());
        started.push({ name: names[ordinal] as string, ordinal, clientAddress: `127.0.0.1:${ports[ordinal]}`, address, container });
      }
      const ensemble = new StartedDockerEnsemble(network, started, this.standalone, this.newAddressOnRestart, disks);
      await ensemble.waitForQuorum();
      return ensemble;
    } catch (error) {
      // Every member that came up, also when another one failed to.
      await Promise.allSettled(running.map((c) => c.stop()));
      await network.stop().catch(() => {});
      await Promise.allSettled([...disks.values()].map((d) => d.unmount()));
      throw error;
    }
  }
}

export class StartedDockerEnsemble implements Ensemble<Member> {
  readonly network: StartedNetwork;
  readonly members: Member[];

  /** Members misconfigured to run standalone (withStandaloneMember): they serve as 'standalone'. */
  private readonly standalone: ReadonlySet<string>;

  /** Restarted members get a new address (withNewAddressOnRestart), else keep theirs. */
  readonly newAddressOnRestart: boolean;

  /** The members whose transaction log folder is a slow disk (withSlowFsync), by name. */
  private readonly slowDisks: ReadonlyMap<string, SlowDisk>;

  constructor(network: StartedNetwork, members: Member[], standalone: ReadonlySet<string> = new Set(), newAddressOnRestart = false, slowDisks: ReadonlyMap<string, SlowDisk> = new Map()) {
    this.network = network;
    this.members = members;
    this.standalone = standalone;
    this.newAddressOnRestart = newAddressOnRestart;
    this.slowDisks = slowDisks;
  }

  endpoints(): Endpoint[] {
    return this.members.map((m) => ({ name: m.name, address: m.clientAddress }));
  }

  member(name: string): Member {
    const found = this.members.find((m) => m.name === name);
    if (!found) throw new Error(`no member named ${name}; members: ${this.members.map((m) => m.name).join(', ')}`);
    return found;
  }

  /** Runs a command in a member; resolves with its exit code and output. */
  async exec(member: Member, command: string[]): Promise<{ exitCode: number; output: string }> {
    const result = await member.container.exec(command);
    return { exitCode: result.exitCode, output: result.output };
  }

  async status(member: Member): Promise<ServerStatus> {
    try {
      const { output } = await this.exec(member, fourLetterWordCommand('srvr', 5));
      return parseSrvr(output);
    } catch {
      return { mode: 'not serving' };
    }
  }

  /**
   * The member that is leader now. Polled: elections are normal in ZooKeeper (a loaded host can
   * make a follower miss a tick), so for a moment there may be none, and a fault aimed at the
   * leader must wait for one rather than fail.
   */
  async leader(timeoutMs = 60_000): Promise<Member> {
    return this.pollModes('a single member reporting itself leader', timeoutMs, (modes) => {
      const leaders = this.members.filter((_, i) => modes[i]?.mode === 'leader');
      return leaders.length === 1 ? leaders[0] : undefined;
    });
  }

  /** Waits until every member serves, with one leader. */
  async waitForQuorum(timeoutMs = 120_000): Promise<void> {
    await this.pollModes('the ensemble to form a quorum', timeoutMs, (modes) =>
      modes.every((s, i) => (this.standalone.has(this.members[i]!.name) ? s.mode === 'standalone' : s.mode === 'leader' || s.mode === 'follower')) &&
      modes.filter((s) => s.mode === 'leader').length === 1
        ? true
        : undefined,
    );
  }

  /** Asks every member its mode every 500 ms until `settled` answers; the error lists the last modes. */
  private async pollModes<T>(what: string, timeoutMs: number, settled: (modes: ServerStatus[]) => T | undefined): Promise<T> {
    return waitFor(
      what,
      async () => {
        const modes = await Promise.all(this.members.map((m) => this.status(m)));
        const answer = settled(modes);
        return answer === undefined ? notYet(modes.map((s, i) => `${this.members[i]!.name} ${s.mode}`).join(', ')) : ready(answer);
      },
      { timeoutMs, intervalMs: 500 },
    );
  }

  /** The Docker engine's handle on a member's container, for what testcontainers does not wrap. */
  async dockerContainer(member: Member) {
    const client = await getContainerRuntimeClient();
    return client.container.getById(member.container.getId());
  }

  async dockerNetwork() {
    const client = await getContainerRuntimeClient();
    return client.network.getById(this.network.getId());
  }

  /** The ensemble network's gateway: this host's address on it, which every member reaches. */
  async gateway(): Promise<string> {
    const info = (await (await this.dockerNetwork()).inspect()) as { IPAM?: { Config?: Array<{ Gateway?: string }> } };
    const gateway = info.IPAM?.Config?.[0]?.Gateway;
    if (!gateway) throw new Error(`the ensemble's network ${this.network.getName()} has no gateway address`);
    return gateway;
  }

  async logs(member: Member): Promise<string> {
    const { stdout, stderr } = await docker(['logs', '--timestamps', member.container.getId()], { maxBuffer: 1 << 28 });
    return `${stdout}${stderr}`;
  }

  async killMember(member: Member, signal: 'KILL' | 'TERM' = 'KILL'): Promise<string> {
    // The exec's stream can break as the container dies; the exit below is what counts.
    await this.exec(member, ['pkill', `-${signal}`, 'java']).catch(() => undefined);
    return `JVM ${describeKillSignal(signal)}, container exited with ${await this.waitForExit(member)}`;
  }

  /** Nothing probes a container here: deleting the script would change nothing a run could see. */
  async deleteProbeScript(member: Member): Promise<string> {
    throw new Error(`${member.name}: Docker has no liveness probe to fail (probe-delete needs a Kubernetes target: --target kind or context:NAME)`);
  }

  /** No nodes here: the member is stopped as an eviction stops a pod (SIGTERM, 10 s grace). */
  async drainNode(member: Member): Promise<string> {
    await this.stopMember(member);
    return 'no nodes on Docker: stopped as its eviction would (SIGTERM, 10 s grace), started on its data at the uncordon';
  }

  uncordonNode(member: Member): Promise<void> {
    return this.startMember(member);
  }

  async loseNode(member: Member): Promise<string> {
    await (await this.dockerContainer(member)).kill({ signal: 'SIGKILL' });
    return `container killed (SIGKILL to every process: a power cut), exited with ${await this.waitForExit(member)}`;
  }

  restoreNode(member: Member): Promise<void> {
    return this.startMember(member);
  }

  async stopMember(member: Member): Promise<void> {
    await (await this.dockerContainer(member)).stop({ t: 10 });
  }

  /**
   * Starts the member's container again (same name, data and client port; same network address
   * unless withNewAddressOnRestart). Not testcontainers' restart, which would wait until the member
   * serves: a member may rightly not serve yet (its peers are down), and the faults wait for the
   * ensemble's quorum themselves.
   */
  async startMember(member: Member): Promise<void> {
    await this.attach(member);
    await (await this.dockerContainer(member)).start();
  }

  /**
   * (Re)attaches a member to the ensemble's network under its name: at the address it had, or, with
   * withNewAddressOnRestart, at a new one. Left to itself Docker hands a restarted container
   * whatever address is free, by chance the old one or not: either way is a choice, not chance.
   */
  async attach(member: Member): Promise<void> {
    const network = await this.dockerNetwork();
    const id = member.container.getId();
    // A new address is chosen, not left to Docker: it may well hand back the one just freed.
    const address = this.newAddressOnRestart ? this.unusedAddress(member.address) : member.address;
    await network.disconnect({ Container: id, Force: true }).catch(() => undefined);
    await network.connect({ Container: id, EndpointConfig: { Aliases: [member.name], IPAMConfig: { IPv4Address: address } } });
    member.address = address;
  }

  /** Hosts from .100 up in the member's /24 (Docker gives the first members .2, .3, ...): one never used yet. */
  private nextHost = 100;
  private unusedAddress(current: string): string {
    const prefix = current.split('.').slice(0, 3).join('.');
    const used = new Set(this.members.map((m) => m.address));
    let address: string;
    do {
      if (this.nextHost > 254) throw new Error(`no unused address left in ${prefix}.0/24 for a member's restart`);
      address = `${prefix}.${this.nextHost++}`;
    } while (used.has(address));
    return address;
  }

  async signalMember(member: Member, signal: 'STOP' | 'CONT'): Promise<void> {
    const { exitCode } = await this.exec(member, ['pkill', `-${signal}`, 'java']);
    if (exitCode !== 0) throw new Error(`pkill -${signal} java in ${member.name} exited with ${exitCode}`);
  }

  async waitForLogLine(member: Member, pattern: RegExp, sinceMs: number, timeoutMs: number): Promise<string | undefined> {
    const since = (sinceMs / 1000).toFixed(3);
    return waitForOrUndefined(
      `a line matching ${pattern} in ${member.name}'s log`,
      async () => {
        const { stdout, stderr } = await docker(['logs', '--since', since, member.container.getId()], { maxBuffer: 1 << 28 });
        const line = `${stdout}\n${stderr}`.split('\n').find((l) => pattern.test(l));
        return line === undefined ? notYet('no such line yet') : ready(line);
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Waits until the member's container has exited (e.g. after its JVM was killed). */
  async waitForExit(member: Member, timeoutMs = 30_000): Promise<number> {
    const container = await this.dockerContainer(member);
    return waitFor(
      `${member.name}'s container to exit`,
      async () => {
        const state = (await container.inspect()).State;
        return state.Running ? notYet('still running') : ready(state.ExitCode);
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.members.map((m) => m.container.stop({ timeout: 0 })));
    await this.network.stop().catch(() => {});
    await Promise.allSettled([...this.slowDisks.values()].map((d) => d.unmount()));
  }
}

/**
 * A bridge network with a subnet of its own (Docker assigns fixed addresses only on such networks):
 * a free /24 in 10.200.0.0-10.254.255.0, drawn at random and tried until one does not overlap.
 */
async function startNetworkWithSubnet(labels: Record<string, string>): Promise<StartedNetwork> {
  const client = await getContainerRuntimeClient();
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 55)}.${Math.floor(Math.random() * 256)}`;
    const name = `zk-chaos-${randomUUID().slice(0, 12)}`;
    try {
      const network = await client.network.create({
        Name: name,
        CheckDuplicate: true,
        Driver: 'bridge',
        Labels: { [DOCKER_LABEL]: 'true', ...labels },
        // The gateway named, so that inspect lists it (this host's address on the network: gateway()).
        IPAM: { Driver: 'default', Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
      });
      return new StartedNetwork(client, name, network);
    } catch (error) {
      lastError = error;
      if (!/overlap/i.test(String((error as Error).message))) throw error;
    }
  }
  throw new Error(`no free /24 subnet for the ensemble's network after 20 tries: ${String(lastError)}`);
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
