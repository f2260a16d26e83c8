import type { Endpoint } from '../workload/runner.ts';
import type { ServerStatus } from './four-letter-words.ts';
import type { SyncSeen } from './sync-proxy.ts';

/**
 * What the nemesis needs of a running ensemble, whatever runs it (Docker today; Kubernetes next):
 * its members, who leads, and the process-level actions faults are made of. Generic faults
 * (nemesis/faults.ts) are written once against this and Net.
 */
export interface EnsembleMember {
  name: string;
}

export interface Ensemble<M extends EnsembleMember = EnsembleMember> {
  readonly members: readonly M[];
  /** Each member's client address, as clients reach it (read again after restarts: it may change). */
  endpoints(): Endpoint[];
  /** Runs a command in the member, as the member's own user; resolves with its exit code and output. */
  exec(member: M, command: string[]): Promise<{ exitCode: number; output: string }>;
  /** What the member says of itself (srvr): mode and last zxid. */
  status(member: M): Promise<ServerStatus>;
  /** The member's server log (console output), its whole life, restarts included. */
  logs(member: M): Promise<string>;
  /** The member that is leader now (waits for one: an election may be under way). */
  leader(timeoutMs?: number): Promise<M>;
  /** Waits until every member serves, with one leader. */
  waitForQuorum(timeoutMs?: number): Promise<void>;
  /**
   * Kills the member's JVM: `pkill -9 java`, or with 'TERM' the tutorial's `pkill java` (a
   * shutdown). Resolves once the member is down, with how it ended. On Kubernetes the kubelet
   * restarts the container; on Docker startMember does.
   */
  killMember(member: M, signal?: 'KILL' | 'TERM'): Promise<string>;
  /** Stops the member gracefully (SIGTERM, then SIGKILL after a grace period). */
  stopMember(member: M): Promise<void>;
  /** Starts a member that is down, on its data. */
  startMember(member: M): Promise<void>;
  /**
   * The machine under the member is lost: on Docker its container is killed outright (every
   * process at once, no shutdown: a power cut); on kind the node it runs on is lost the same way
   * (the node's container killed: kubelet, runtime and member die together, its disk stays, and
   * Kubernetes marks the node NotReady after 40 s). Resolves with what happened.
   */
  loseNode(member: M): Promise<string>;
  /** Brings the lost machine back (on Docker: starts the member on its data). */
  restoreNode(member: M): Promise<void>;
  /**
   * The member's node is drained (kubectl drain: cordoned, its pods evicted through the Eviction
   * API, so the PodDisruptionBudget may refuse; a refusal is an outcome, said in the result). On
   * Docker, which has no nodes, the member is stopped the way its eviction would stop it.
   */
  drainNode(member: M): Promise<string>;
  /** Undoes drainNode: the node is uncordoned and the member runs again (if it was evicted). */
  uncordonNode(member: M): Promise<void>;
  /**
   * Deletes the member's liveness-probe script (zkOk.sh), the tutorial's "Testing for liveness":
   * the kubelet's probe then fails and it restarts the container (startMember waits for that).
   * Docker has no liveness probe: there it throws (KUBELET_FAULTS are refused up front).
   */
  deleteProbeScript(member: M): Promise<string>;
  /** SIGSTOP / SIGCONT of the member's JVM. */
  signalMember(member: M, signal: 'STOP' | 'CONT'): Promise<void>;
  /**
   * Waits until the member's server log, from `sinceMs` (epoch ms) on, has a line matching
   * `pattern`; resolves with the line, or undefined when `timeoutMs` passed without one.
   */
  waitForLogLine(member: M, pattern: RegExp, sinceMs: number, timeoutMs: number): Promise<string | undefined>;
}

/**
 * Who cannot reach whom (Jepsen's "grudge"): each member with the peers its packets to are
 * dropped. Any partition is one: halves, one member cut off, or a bridge.
 */
export type Grudge<M extends EnsembleMember = EnsembleMember> = ReadonlyMap<M, readonly M[]>;

/** Members in different sides cannot reach each other. */
export function partitionGrudge<M extends EnsembleMember>(sides: readonly (readonly M[])[]): Map<M, M[]> {
  const grudge = new Map<M, M[]>();
  sides.forEach((side, i) => {
    const others = sides.filter((_, j) => j !== i).flat();
    for (const m of side) grudge.set(m, others);
  });
  return grudge;
}

/**
 * Two halves that share one member, the bridge (Jepsen's nemesis/bridge): the bridge reaches
 * everyone, the members on either side of it reach only their own side and the bridge.
 */
export function bridgeGrudge<M extends EnsembleMember>(bridge: M, members: readonly M[]): Map<M, M[]> {
  const rest = members.filter((m) => m !== bridge);
  const half = Math.ceil(rest.length / 2);
  return partitionGrudge([rest.slice(0, half), rest.slice(half)]);
}

/** A grudge in words: "zk-0 -/-> zk-1, zk-2; zk-1 -/-> zk-0". */
export function describeGrudge<M extends EnsembleMember>(grudge: Grudge<M>): string {
  return [...grudge].filter(([, peers]) => peers.length > 0).map(([m, peers]) => `${m.name} -/-> ${peers.map((p) => p.name).join(', ')}`).join('; ');
}

/**
 * The ensemble's network as the nemesis sees it: cut members off from each other (clients still
 * reach every member) and heal.
 */
export interface Net<M extends EnsembleMember = EnsembleMember> {
  /** Each member in the grudge can no longer exchange packets with its peers there; clients still reach every member. */
  cut(grudge: Grudge<M>): Promise<void>;
  /** Each member in the grudge sends to its peers there at only `kbit` kilobits per second (clients are not slowed). */
  slow(grudge: Grudge<M>, kbit: number): Promise<void>;
  /** Every cut and every slow link is undone. */
  heal(): Promise<void>;
  /** Cuts members off from everything, their clients included. */
  isolate(members: readonly M[]): Promise<void>;
  /** Undoes isolate. */
  reconnect(members: readonly M[]): Promise<void>;
  /**
   * Routes `learner`'s next connections to `leader`'s quorum port through a proxy that holds what
   * the leader sends after a whole snapshot (see SyncProxy). A backend that cannot throws, naming
   * the one that can.
   */
  tapSync(learner: M, leader: M): Promise<SyncTap>;
}

/** A learner's way to its leader's quorum port through a SyncProxy. */
export interface SyncTap {
  /** The first sync through it: a SNAP once the snapshot's last byte went through (what follows is held). */
  readonly sync: Promise<SyncSeen>;
  /** Connections the learner made through it so far. */
  readonly connections: number;
  /** Ends the connections through it and takes the detour away. */
  close(): Promise<void>;
}

/** The port a learner syncs from its leader on (server.N=host:2888:3888 in zkGenConfig.sh). */
export const QUORUM_PORT = 2888;

/**
 * The members' data root: snapshots and epochs (dataDir) and the transaction log (dataLogDir) are
 * under it (zkGenConfig.sh), on every backend.
 */
export const DATA_ROOT = '/var/lib/zookeeper';

/** The liveness and readiness probes' script in the ZooKeeper image (images/zookeeper). */
export const PROBE_SCRIPT = '/opt/zookeeper/bin/zkOk.sh';

/** How a kill fault's signal reads in a fault window's detail. */
export function describeKillSignal(signal: 'KILL' | 'TERM'): string {
  return signal === 'KILL' ? 'killed with SIGKILL' : 'sent SIGTERM (pkill java)';
}

/**
 * The member's data as files: its snapshots, transaction logs, myid and epochs, with sizes and
 * times, for a run's diagnostics (which member has which transactions on disk).
 */
export async function listMemberData<M extends EnsembleMember>(ensemble: Ensemble<M>, member: M): Promise<string> {
  const { exitCode, output } = await ensemble.exec(member, ['ls', '-lR', '--time-style=+%Y-%m-%dT%H:%M:%S', DATA_ROOT]);
  if (exitCode !== 0) throw new Error(`ls -lR ${DATA_ROOT} in ${member.name} exited with ${exitCode}: ${output.trim().slice(0, 300)}`);
  return output;
}
