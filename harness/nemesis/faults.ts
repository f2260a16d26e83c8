import type { SeededRandom } from '../workload/random.ts';
import { bridgeGrudge, describeGrudge, partitionGrudge, type Ensemble, type EnsembleMember, type Net } from '../zookeeper/ensemble.ts';
import type { SyncSeen } from '../zookeeper/sync-proxy.ts';
import { notYet, ready, waitFor } from '../kube/wait.ts';
import type { Fault } from './fault.ts';
import type { FaultKind } from './schedule.ts';

/**
 * A slow link's rate: ZooKeeper's own traffic under the workload (proposals, acknowledgements,
 * pings) is a few hundred kilobits per second, so at 32 it queues: a proposal of a few kilobytes
 * waits seconds, small enough to stay under the followers' sync limit most of the time.
 */
export const SLOW_LINK_KBIT = 32;

/**
 * Every fault kind, written once against the Ensemble and Net interfaces, so each backend gets
 * them all. `targets` come resolved from the schedule's target spec; `random` (the run's nemesis
 * stream) draws what a fault decides on its own (delays, which member), so a seed replays it.
 * Each heal ends when the ensemble has its quorum again: the next fault starts from a whole one.
 *
 * The hunts (lose-followers, crash-majority, snap-sync-crash, cut-leader) are sequences aimed at
 * ZooKeeper's recovery paths, after the bugs that lost data there (ZOOKEEPER-2845, -3642, -3911,
 * -4643); their inject and heal each say, step by step, what they did.
 */
export function nemesisFault<M extends EnsembleMember>(kind: FaultKind, targets: readonly M[], ensemble: Ensemble<M>, net: Net<M> | undefined, random: SeededRandom): Fault {
  // The faults that change the network need one; the others are given none where there is none to change.
  const network = (): Net<M> => {
    if (!net) throw new Error(`the ${kind} fault changes the network, and it was given no network to change`);
    return net;
  };
  const names = (ms: readonly M[]): string => ms.map((m) => m.name).join(', ');
  const others = (ms: readonly M[]): M[] => ensemble.members.filter((m) => !ms.includes(m));
  const startAll = async (ms: readonly M[]): Promise<void> => {
    await Promise.all(ms.map((m) => ensemble.startMember(m)));
  };
  // Each heal ends when the ensemble has its quorum again.
  const thenQuorum = (undo: () => Promise<unknown>) => async (): Promise<void> => {
    await undo();
    await ensemble.waitForQuorum();
  };
  // kill -9, or the tutorial's `pkill java` (SIGTERM): the heal brings the targets back.
  const killed = (signal: 'KILL' | 'TERM'): Fault => ({
    name: signal === 'KILL' ? 'kill' : 'terminate',
    inject: async () => `${names(targets)}: ${(await Promise.all(targets.map((m) => ensemble.killMember(m, signal)))).join('; ')}`,
    heal: thenQuorum(() => startAll(targets)),
  });
  switch (kind) {
    case 'kill':
      return killed('KILL');
    case 'pause':
      return {
        name: 'pause',
        inject: async () => {
          await Promise.all(targets.map((m) => ensemble.signalMember(m, 'STOP')));
          return `${names(targets)}: JVM stopped with SIGSTOP`;
        },
        heal: thenQuorum(() => Promise.all(targets.map((m) => ensemble.signalMember(m, 'CONT')))),
      };
    case 'isolate':
      return {
        name: 'isolate',
        inject: async () => {
          await network().isolate(targets);
          return `${names(targets)}: off the network (peers and clients)`;
        },
        heal: thenQuorum(() => network().reconnect(targets)),
      };
    case 'partition':
      return {
        name: 'partition',
        inject: async () => {
          await network().cut(partitionGrudge([targets, others(targets)]));
          return `${names(targets)} | ${names(others(targets))} (clients reach both sides)`;
        },
        heal: thenQuorum(() => network().heal()),
      };
    case 'restart-all':
      return {
        name: 'restart-all',
        inject: async () => {
          await Promise.all(ensemble.members.map((m) => ensemble.stopMember(m)));
          return `stopped ${names(ensemble.members)}`;
        },
        heal: thenQuorum(() => startAll(ensemble.members)),
      };
    case 'bridge': {
      // The target is the bridge: the only member both halves still reach.
      const bridge = targets[0] as M;
      const grudge = bridgeGrudge(bridge, ensemble.members);
      return {
        name: 'bridge',
        inject: async () => {
          await network().cut(grudge);
          return `${bridge.name} bridges the halves: ${describeGrudge(grudge)} (clients reach everyone)`;
        },
        heal: thenQuorum(() => network().heal()),
      };
    }
    case 'slow': {
      // The links between the targets and the other members, both ways; clients are not slowed.
      const grudge = partitionGrudge([targets, others(targets)]);
      return {
        name: 'slow',
        inject: async () => {
          await network().slow(grudge, SLOW_LINK_KBIT);
          return `${names(targets)} <-> ${names(others(targets))} at ${SLOW_LINK_KBIT} kbit/s (clients not slowed)`;
        },
        heal: thenQuorum(() => network().heal()),
      };
    }
    case 'rolling-restart':
      return {
        name: 'rolling-restart',
        // The whole roll is the fault: one member at a time, each back in the quorum before the next.
        inject: async () => {
          const order = [...ensemble.members].reverse(); // a StatefulSet's order: highest ordinal first
          for (const m of order) {
            await ensemble.stopMember(m);
            await ensemble.startMember(m);
            await ensemble.waitForQuorum();
          }
          return `restarted one at a time: ${names(order)}`;
        },
        heal: () => ensemble.waitForQuorum(),
      };
    case 'node-loss':
      return {
        name: 'node-loss',
        inject: async () => `${names(targets)}: ${(await Promise.all(targets.map((m) => ensemble.loseNode(m)))).join('; ')}`,
        heal: thenQuorum(() => Promise.all(targets.map((m) => ensemble.restoreNode(m)))),
      };
    case 'terminate':
      return killed('TERM');
    case 'pod-delete':
      return {
        name: 'pod-delete',
        // On Kubernetes the StatefulSet makes the pod again at once (the heal waits for it); on Docker the heal starts it.
        inject: async () => {
          await Promise.all(targets.map((m) => ensemble.stopMember(m)));
          return `${names(targets)}: pod deleted (SIGTERM, 10 s grace; its claim kept)`;
        },
        heal: thenQuorum(() => startAll(targets)),
      };
    case 'probe-delete':
      return {
        name: 'probe-delete',
        // The kubelet's liveness probe fails three times (about 30 s), then it restarts the container from the image, script included.
        inject: async () => `${names(targets)}: ${(await Promise.all(targets.map((m) => ensemble.deleteProbeScript(m)))).join('; ')}`,
        heal: thenQuorum(() => startAll(targets)),
      };
    case 'drain':
      return {
        name: 'drain',
        inject: async () => `${names(targets)}: ${(await Promise.all(targets.map((m) => ensemble.drainNode(m)))).join('; ')}`,
        heal: thenQuorum(() => Promise.all(targets.map((m) => ensemble.uncordonNode(m)))),
      };
    case 'lose-followers':
      return loseFollowers(ensemble, random, names);
    case 'crash-majority':
      return crashMajority(targets, ensemble, random, names);
    case 'snap-sync-crash':
      return snapSyncCrash(targets, ensemble, random, { name: kind });
    case 'slow-snap-sync':
    case 'snap-sync-restart':
    case 'snap-sync-cut':
      return snapSyncCrash(targets, ensemble, random, { name: kind, net: network() });
    case 'cut-leader':
      return cutLeader(ensemble, network(), others);
  }
}

/**
 * ZOOKEEPER-2845's shape: the followers freeze, so the leader logs proposals it can never commit;
 * the leader dies; the followers come back and elect a leader of their own, which takes new
 * writes; at the heal the old leader restarts from its disk and rejoins (DIFF where TRUNC was due
 * makes it keep a transaction nobody else has).
 */
function loseFollowers<M extends EnsembleMember>(ensemble: Ensemble<M>, random: SeededRandom, names: (ms: readonly M[]) => string): Fault {
  let leader: M | undefined;
  return {
    name: 'lose-followers',
    async inject() {
      const current = await ensemble.leader();
      leader = current;
      const followers = ensemble.members.filter((m) => m !== current);
      await Promise.all(followers.map((m) => ensemble.signalMember(m, 'STOP')));
      const logging = random.int(200, 2000);
      await new Promise((resolve) => setTimeout(resolve, logging));
      const killed = await ensemble.killMember(current);
      await Promise.all(followers.map((m) => ensemble.signalMember(m, 'CONT')));
      return `followers ${names(followers)} frozen (SIGSTOP); leader ${current.name} took writes alone for ${logging} ms, then ${killed}; followers resumed`;
    },
    async heal() {
      if (!leader) return;
      await ensemble.startMember(leader);
      await ensemble.waitForQuorum();
      return `old leader ${leader.name} restarted from its disk`;
    },
  };
}

/** Staggered crashes of a majority, and restarts in a seeded order with seeded gaps (ZOOKEEPER-3911, -4643). */
function crashMajority<M extends EnsembleMember>(targets: readonly M[], ensemble: Ensemble<M>, random: SeededRandom, names: (ms: readonly M[]) => string): Fault {
  const gap = (): Promise<number> => {
    const ms = random.int(0, 1500);
    return new Promise((resolve) => setTimeout(() => resolve(ms), ms));
  };
  return {
    name: 'crash-majority',
    async inject() {
      const steps: string[] = [];
      for (const [i, m] of targets.entries()) {
        if (i > 0) steps.push(`${await gap()} ms later`);
        steps.push(`${m.name} ${await ensemble.killMember(m)}`);
      }
      return `${names(targets)}: ${steps.join(', ')}`;
    },
    async heal() {
      const order = [...targets];
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [order[i], order[j]] = [order[j] as M, order[i] as M];
      }
      const steps: string[] = [];
      for (const [i, m] of order.entries()) {
        if (i > 0) steps.push(`${await gap()} ms later`);
        await ensemble.startMember(m);
        steps.push(`${m.name} started`);
      }
      await ensemble.waitForQuorum();
      return steps.join(', ');
    },
  };
}

/**
 * The links from every other member toward `member`: slowed from the peers' side, so it can be set
 * while the member is still down (its own network namespace does not exist yet), and the sync
 * that leader sends it is slow from its first byte.
 */
function towards<M extends EnsembleMember>(member: M, members: readonly M[]): Map<M, M[]> {
  return new Map(members.filter((m) => m !== member).map((m) => [m, [member]]));
}

/** What a member logs when it starts to sync from the leader, in ZooKeeper 3.4 to 3.9. */
const SYNC_STARTED = /Getting a (snapshot|diff) from (the )?leader/;

/**
 * ZOOKEEPER-3642 / -3911's shape: a follower is held down while the ensemble takes many
 * transactions (with a small snapCount, it must catch up by SNAP or a long DIFF); it restarts, and
 * the moment its log says the sync began, the leader or that follower (the seed decides) is killed.
 *
 * slow-snap-sync: what the peers send the follower is slowed to SLOW_LINK_KBIT
 * from before its restart until the kill: the snapshot it is sent then takes seconds instead of
 * milliseconds, so the kill lands inside the sync, before NEWLEADER (ZOOKEEPER-3642's window), and
 * not after it as it does on a fast network.
 *
 * snap-sync-restart (the same slowed link; ZOOKEEPER-3642 in full): the leader is always
 * the one killed, aiming at the moment the snapshot is only in the follower's memory (on a slowed
 * link the kill mostly lands inside the snapshot's transfer, which 3.6.2 discards: the window lies
 * between the snapshot's last byte and NEWLEADER; see the README). An affected follower keeps that
 * memory and joins the next leader as if it had the snapshot on disk; it is killed a seeded
 * 100-400 ms after it serves again (while the transactions since are still too few for its next
 * snapshot, which would write the memory out and hide the loss) and restarted from its disk: what
 * it then lacks, it never gets back. The old leader restarts last.
 *
 * snap-sync-cut (ZOOKEEPER-3642's window, hit on purpose): as snap-sync-restart, but instead of a
 * slowed link the follower's connection to the leader goes through a proxy that reads the quorum
 * protocol (Net.tapSync): it passes the snapshot whole and holds what follows (NEWLEADER), the
 * leader is killed while it holds, and then the connection is cut. The follower is killed a
 * seeded 0-100 ms after it serves again (its next snapshot comes within ~50-100 transactions).
 */
function snapSyncCrash<M extends EnsembleMember>(
  targets: readonly M[],
  ensemble: Ensemble<M>,
  random: SeededRandom,
  variant: { name: 'snap-sync-crash' } | { name: 'slow-snap-sync' | 'snap-sync-restart' | 'snap-sync-cut'; net: Net<M> },
): Fault {
  const net = 'net' in variant ? variant.net : undefined;
  const tapped = variant.name === 'snap-sync-cut';
  const slowLink = tapped ? undefined : net;
  const restartFollower = variant.name === 'snap-sync-restart' || tapped;
  let lagging: M | undefined;
  return {
    name: variant.name,
    async inject() {
      const member = random.pick(targets);
      lagging = member;
      return `${member.name} ${await ensemble.killMember(member)}; held down while the others take writes`;
    },
    async heal() {
      if (!lagging) return;
      const member = lagging;
      const leader = await ensemble.leader();
      let sync: string;
      let victim: M;
      if (tapped && net) {
        victim = leader;
        sync = await cutAfterSnapshot(member, leader, ensemble, net);
      } else {
        const since = Date.now() - 1000;
        if (slowLink) await slowLink.slow(towards(member, ensemble.members), SLOW_LINK_KBIT);
        await ensemble.startMember(member);
        const line = await ensemble.waitForLogLine(member, SYNC_STARTED, since, 60_000);
        victim = restartFollower || random.chance(0.5) ? leader : member;
        const delay = random.int(0, 300);
        await new Promise((resolve) => setTimeout(resolve, delay));
        const killed = await ensemble.killMember(victim);
        if (slowLink) await slowLink.heal();
        const seen = line ? `its log said "${(SYNC_STARTED.exec(line) ?? [''])[0]}"` : 'no sync line seen in 60 s';
        const slowed = slowLink ? ` with its peers' links to it at ${SLOW_LINK_KBIT} kbit/s` : '';
        sync = `${member.name} restarted${slowed}, ${seen}; ${delay} ms later ${victim === leader ? `leader ${victim.name}` : victim.name} ${killed}${slowed ? ', links healed' : ''}`;
      }
      if (!restartFollower) {
        await ensemble.startMember(victim);
        await ensemble.waitForQuorum();
        return `${sync}, then restarted`;
      }
      // Serving again, under whichever member now leads.
      const mode = await waitFor(
        `${member.name} to serve again`,
        async () => {
          const { mode: now } = await ensemble.status(member);
          return now === 'leader' || now === 'follower' ? ready(now) : notYet(now);
        },
        { timeoutMs: 60_000, intervalMs: tapped ? 20 : 100 },
      );
      const serving = tapped ? random.int(0, 100) : random.int(100, 400);
      await new Promise((resolve) => setTimeout(resolve, serving));
      const memberKilled = await ensemble.killMember(member);
      await ensemble.startMember(member);
      await ensemble.startMember(leader);
      await ensemble.waitForQuorum();
      return `${sync}; ${member.name} served again as ${mode}, ${serving} ms later ${memberKilled}, then restarted from its disk; ${leader.name} restarted`;
    },
  };
}

/**
 * Restarts `member` with its connection to `leader` through Net.tapSync; once a snapshot has gone
 * through whole (what follows held), kills the leader and then cuts the connection. A DIFF or
 * TRUNC sync is let through, and the leader killed all the same. Says what it saw.
 */
async function cutAfterSnapshot<M extends EnsembleMember>(member: M, leader: M, ensemble: Ensemble<M>, net: Net<M>): Promise<string> {
  const since = Date.now() - 1000;
  await ensemble.startMember(member);
  // The detour is in place long before the JVM has started and found its leader (seconds); if
  // it was not (the member's log says its sync began, and nothing came through the proxy), the
  // wait ends there instead of at the timeout.
  const tap = await net.tapSync(member, leader);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 60_000)));
    const missed = ensemble
      .waitForLogLine(member, SYNC_STARTED, since, 60_000)
      .then((line) => (line !== undefined && tap.connections === 0 ? ('missed' as const) : new Promise<never>(() => {})));
    const seen = await Promise.race([tap.sync, timeout, missed]);
    const killed = await ensemble.killMember(leader);
    const what = describeSync(seen, tap.connections);
    return `${member.name} restarted through a sync proxy: ${what}; leader ${leader.name} ${killed}, then the connection cut`;
  } finally {
    clearTimeout(timer);
    await tap.close();
  }
}

/** What the sync proxy saw, for the fault's detail. */
function describeSync(seen: SyncSeen | 'missed' | 'timeout', connections: number): string {
  if (seen === 'missed') return 'its sync began before the detour was in place (nothing came through the proxy)';
  if (seen === 'timeout') {
    const firewall = connections === 0 ? "; a host firewall dropping the members' connections to the network's gateway would do that" : '';
    return `no sync through the proxy in 60 s (${connections} connections${firewall})`;
  }
  switch (seen.kind) {
    case 'snap':
      return `its snapshot (zxid 0x${seen.zxid.toString(16)}, ${seen.snapshotBytes} bytes, ${seen.ms} ms) passed whole and NEWLEADER held`;
    case 'unreadable':
      return `the leader's stream did not read as quorum packets (${seen.why}): passed on`;
    default:
      return `it synced by ${seen.kind.toUpperCase()} from 0x${seen.zxid.toString(16)}: passed on, nothing held`;
  }
}

/**
 * The leader cut off from its peers but not from its clients (hold it longer than
 * syncLimit x tickTime), then healed and restarted from its disk.
 */
function cutLeader<M extends EnsembleMember>(ensemble: Ensemble<M>, net: Net<M>, others: (ms: readonly M[]) => M[]): Fault {
  let leader: M | undefined;
  return {
    name: 'cut-leader',
    async inject() {
      const current = await ensemble.leader();
      leader = current;
      await net.cut(partitionGrudge([[current], others([current])]));
      return `leader ${current.name} cut off from ${others([current]).map((m) => m.name).join(', ')} (its clients still reach it)`;
    },
    async heal() {
      if (!leader) return;
      await net.heal();
      const killed = await ensemble.killMember(leader);
      await ensemble.startMember(leader);
      await ensemble.waitForQuorum();
      return `healed; old leader ${leader.name} ${killed}, then restarted from its disk`;
    },
  };
}
