import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nemesisFault } from '../../harness/nemesis/faults.ts';
import type { FaultKind } from '../../harness/nemesis/schedule.ts';
import { SeededRandom } from '../../harness/workload/random.ts';
import { bridgeGrudge, describeGrudge, partitionGrudge, type EnsembleMember } from '../../harness/zookeeper/ensemble.ts';
import { MEMBERS, recordingEnsemble } from './recording-ensemble.ts';

/**
 * The order of each fault's steps, on a recording stand-in for an ensemble (the pure logic of the
 * sequences; the real effects are proven on Docker in test/integration/fault-effects.test.ts).
 */
const members = [...MEMBERS];
const [zk0, zk1, zk2] = members as [EnsembleMember, EnsembleMember, EnsembleMember];
const recording = (leader: EnsembleMember) => recordingEnsemble(leader);

async function play(kind: FaultKind, targets: EnsembleMember[], seed = 1, leader = zk1) {
  const { steps, ensemble, net } = recording(leader);
  const fault = nemesisFault(kind, targets, ensemble, net, new SeededRandom(seed));
  // The sequences wait (seeded gaps): on a fake clock, run to completion at once.
  const settle = async <T>(step: Promise<T>): Promise<T> => {
    await vi.runAllTimersAsync();
    return step;
  };
  const injected = await settle(fault.inject());
  steps.push('--');
  const healed = await settle(fault.heal());
  return { steps, injected, healed };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('nemesisFault', () => {
  it('plays the faults that leave the network alone without one, and names the fault that needs one', async () => {
    const { steps, ensemble } = recording(zk1);
    const terminate = nemesisFault('terminate', [zk2], ensemble, undefined, new SeededRandom(1));
    await terminate.inject();
    await terminate.heal();
    expect(steps).toEqual(['terminate zk-2', 'start zk-2', 'quorum']);
    await expect(nemesisFault('isolate', [zk2], ensemble, undefined, new SeededRandom(1)).inject()).rejects.toThrow('the isolate fault changes the network, and it was given no network to change');
    expect(() => nemesisFault('cut-leader', [zk2], ensemble, undefined, new SeededRandom(1))).toThrow('the cut-leader fault changes the network');
  });

  it('partition cuts the targets from the rest, and the heal undoes it before waiting for the quorum', async () => {
    const { steps, injected } = await play('partition', [zk2]);
    expect(steps).toEqual(['cut zk-2 -/-> zk-0, zk-1; zk-0 -/-> zk-2; zk-1 -/-> zk-2', '--', 'heal net', 'quorum']);
    expect(injected).toBe('zk-2 | zk-0, zk-1 (clients reach both sides)');
  });

  it('slow slows the links between the targets and the rest, both ways, and the heal undoes it before waiting for the quorum', async () => {
    const { steps, injected } = await play('slow', [zk2]);
    expect(steps).toEqual(['slow zk-2 -/-> zk-0, zk-1; zk-0 -/-> zk-2; zk-1 -/-> zk-2 to 32 kbit/s', '--', 'heal net', 'quorum']);
    expect(injected).toBe('zk-2 <-> zk-0, zk-1 at 32 kbit/s (clients not slowed)');
  });

  it('lose-followers freezes the followers, kills the leader, resumes the followers; the heal restarts the old leader', async () => {
    const { steps, injected, healed } = await play('lose-followers', members);
    expect(steps).toEqual(['STOP zk-0', 'STOP zk-2', 'kill zk-1', 'CONT zk-0', 'CONT zk-2', '--', 'start zk-1', 'quorum']);
    expect(injected).toMatch(/^followers zk-0, zk-2 frozen \(SIGSTOP\); leader zk-1 took writes alone for \d+ ms, then killed; followers resumed$/);
    expect(healed).toBe('old leader zk-1 restarted from its disk');
  });

  it('crash-majority kills the targets one by one and restarts them all, in an order the seed decides', async () => {
    const orders = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const { steps } = await play('crash-majority', [zk2, zk0], seed);
      expect(steps.slice(0, 3)).toEqual(['kill zk-2', 'kill zk-0', '--']);
      expect(steps.slice(3, 5).sort()).toEqual(['start zk-0', 'start zk-2']);
      expect(steps.at(-1)).toBe('quorum');
      orders.add(steps.slice(3, 5).join(','));
      // The same seed gives the same order.
      expect((await play('crash-majority', [zk2, zk0], seed)).steps).toEqual(steps);
    }
    expect(orders.size).toBe(2);
  });

  it('snap-sync-crash holds a follower down, restarts it, and kills the leader or it once its log says the sync began', async () => {
    const victims = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      const { steps, healed } = await play('snap-sync-crash', [zk0, zk2], seed);
      const lagging = steps[0]!.replace('kill ', '');
      expect(['zk-0', 'zk-2']).toContain(lagging);
      expect(steps.slice(1, 4)).toEqual(['--', `start ${lagging}`, `watch ${lagging}`]);
      const victim = steps[4]!.replace('kill ', '');
      expect([lagging, 'zk-1']).toContain(victim);
      expect(steps.slice(5)).toEqual([`start ${victim}`, 'quorum']);
      expect(healed).toContain('its log said "Getting a snapshot from leader"');
      victims.add(victim === 'zk-1' ? 'leader' : 'lagging');
    }
    expect(victims).toEqual(new Set(['leader', 'lagging']));
  });

  it('slow-snap-sync slows what the peers send the follower, from before its restart until the kill, so the kill lands inside the sync', async () => {
    const { steps, healed } = await play('slow-snap-sync', [zk2], 3);
    const victim = steps[5]!.replace('kill ', '');
    expect(steps).toEqual(['kill zk-2', '--', 'slow zk-0 -/-> zk-2; zk-1 -/-> zk-2 to 32 kbit/s', 'start zk-2', 'watch zk-2', `kill ${victim}`, 'heal net', `start ${victim}`, 'quorum']);
    expect(['zk-1', 'zk-2']).toContain(victim);
    expect(healed).toMatch(/^zk-2 restarted with its peers' links to it at 32 kbit\/s, its log said "Getting a snapshot from leader"; \d+ ms later (leader zk-1|zk-2) killed, links healed, then restarted$/);
  });

  it('snap-sync-restart kills the leader inside the follower\'s slowed sync, then the follower soon after it serves again, and restarts it from its disk before the old leader', async () => {
    const { steps, healed } = await play('snap-sync-restart', [zk2], 3);
    expect(steps).toEqual(['kill zk-2', '--', 'slow zk-0 -/-> zk-2; zk-1 -/-> zk-2 to 32 kbit/s', 'start zk-2', 'watch zk-2', 'kill zk-1', 'heal net', 'kill zk-2', 'start zk-2', 'start zk-1', 'quorum']);
    expect(healed).toMatch(/^zk-2 restarted with its peers' links to it at 32 kbit\/s, its log said "Getting a snapshot from leader"; \d+ ms later leader zk-1 killed, links healed; zk-2 served again as follower, \d+ ms later killed, then restarted from its disk; zk-1 restarted$/);
  });

  it('snap-sync-cut restarts the follower through the sync proxy, kills the leader while the proxy holds NEWLEADER, then cuts, and restarts the follower from its disk soon after it serves', async () => {
    const { steps, healed } = await play('snap-sync-cut', [zk2], 3);
    expect(steps).toEqual(['kill zk-2', '--', 'start zk-2', 'tap zk-2 -> zk-1', 'watch zk-2', 'kill zk-1', 'untap', 'kill zk-2', 'start zk-2', 'start zk-1', 'quorum']);
    expect(healed).toMatch(/^zk-2 restarted through a sync proxy: its snapshot \(zxid 0x100000123, 4321 bytes, 12 ms\) passed whole and NEWLEADER held; leader zk-1 killed, then the connection cut; zk-2 served again as follower, (\d|\d\d|100) ms later killed, then restarted from its disk; zk-1 restarted$/);
  });

  it('cut-leader partitions the leader from its peers; the heal reconnects, then kills and restarts it', async () => {
    const { steps } = await play('cut-leader', [zk1]);
    expect(steps).toEqual(['cut zk-1 -/-> zk-0, zk-2; zk-0 -/-> zk-1; zk-2 -/-> zk-1', '--', 'heal net', 'kill zk-1', 'start zk-1', 'quorum']);
  });

  it('bridge cuts the two others from each other only: the target still reaches both, and the heal undoes it', async () => {
    const { steps, injected } = await play('bridge', [zk1]);
    expect(steps).toEqual(['cut zk-0 -/-> zk-2; zk-2 -/-> zk-0', '--', 'heal net', 'quorum']);
    expect(injected).toBe('zk-1 bridges the halves: zk-0 -/-> zk-2; zk-2 -/-> zk-0 (clients reach everyone)');
  });

  it('rolling-restart restarts one member at a time, highest ordinal first, each back in the quorum before the next', async () => {
    const { steps, injected } = await play('rolling-restart', members);
    expect(steps).toEqual(['stop zk-2', 'start zk-2', 'quorum', 'stop zk-1', 'start zk-1', 'quorum', 'stop zk-0', 'start zk-0', 'quorum', '--', 'quorum']);
    expect(injected).toBe('restarted one at a time: zk-2, zk-1, zk-0');
  });

  it('node-loss loses the targets\' machines and brings them back', async () => {
    expect((await play('node-loss', [zk0])).steps).toEqual(['lose node of zk-0', '--', 'restore node of zk-0', 'quorum']);
  });

  it('terminate sends the targets\' JVMs SIGTERM (the tutorial\'s pkill java) and the heal brings them back', async () => {
    const { steps, injected } = await play('terminate', [zk1]);
    expect(steps).toEqual(['terminate zk-1', '--', 'start zk-1', 'quorum']);
    expect(injected).toBe('zk-1: killed');
  });

  it('pod-delete stops the targets (a pod deletion: SIGTERM and grace) and the heal waits for them to run again', async () => {
    expect((await play('pod-delete', [zk0, zk2])).steps).toEqual(['stop zk-0', 'stop zk-2', '--', 'start zk-0', 'start zk-2', 'quorum']);
  });

  it('probe-delete deletes the targets\' probe scripts and the heal waits for the kubelet to have restarted them', async () => {
    const { steps, injected } = await play('probe-delete', [zk1]);
    expect(steps).toEqual(['delete probe script of zk-1', '--', 'start zk-1', 'quorum']);
    expect(injected).toBe('zk-1: probe script deleted');
  });

  it('drain drains the targets\' nodes and the heal uncordons them before waiting for the quorum', async () => {
    const { steps, injected } = await play('drain', [zk2]);
    expect(steps).toEqual(['drain node of zk-2', '--', 'uncordon node of zk-2', 'quorum']);
    expect(injected).toBe('zk-2: drained');
  });

  it('kill, pause, isolate and restart-all each inject on their targets and heal them', async () => {
    expect((await play('kill', [zk0, zk2])).steps).toEqual(['kill zk-0', 'kill zk-2', '--', 'start zk-0', 'start zk-2', 'quorum']);
    expect((await play('pause', [zk1])).steps).toEqual(['STOP zk-1', '--', 'CONT zk-1', 'quorum']);
    expect((await play('isolate', [zk0])).steps).toEqual(['isolate zk-0', '--', 'reconnect zk-0', 'quorum']);
    expect((await play('restart-all', members)).steps).toEqual(['stop zk-0', 'stop zk-1', 'stop zk-2', '--', 'start zk-0', 'start zk-1', 'start zk-2', 'quorum']);
  });
});

describe('grudges', () => {
  it('a partition: every member cannot reach the other sides', () => {
    expect(describeGrudge(partitionGrudge([[zk0], [zk1, zk2]]))).toBe('zk-0 -/-> zk-1, zk-2; zk-1 -/-> zk-0; zk-2 -/-> zk-0');
  });
  it('a bridge of five: the bridge reaches everyone, each half only itself and the bridge', () => {
    const five = [...members, { name: 'zk-3' }, { name: 'zk-4' }];
    const grudge = bridgeGrudge(five[2]!, five);
    expect(grudge.has(five[2]!)).toBe(false);
    expect(describeGrudge(grudge)).toBe('zk-0 -/-> zk-3, zk-4; zk-1 -/-> zk-3, zk-4; zk-3 -/-> zk-0, zk-1; zk-4 -/-> zk-0, zk-1');
  });
});
