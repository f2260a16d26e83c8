import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nemesisFault } from '../../harness/nemesis/faults.ts';
import type { FaultKind } from '../../harness/nemesis/schedule.ts';
import { SeededRandom } from '../../harness/workload/random.ts';
import { DockerEnsemble, type Member, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';
import { DockerNet } from '../../harness/zookeeper/docker-net.ts';
import { createTimesAcross, fourLetterWord, oneLeaderAmong, stopsServing } from '../support/member-probes.ts';

/**
 * A fault must do what it says, or a valid verdict proves nothing: each fault is injected on its
 * own (no workload) and its effect on the ensemble is observed through the members' own status
 * (srvr, asked inside each container, so an isolated member can still be asked). These tests fail
 * when a fault's inject does nothing.
 */
let ensemble: StartedDockerEnsemble;
const log = (line: string) => console.log(`[fault-effects] ${line}`);

beforeAll(async () => {
  ensemble = await new DockerEnsemble(inject('zkImage')).withLabels({ 'io.zk-chaos.test': 'fault-effects' }).start();
});
afterAll(async () => {
  await ensemble?.stop();
});

const dockerFault = (kind: FaultKind, targets: Member[]) => nemesisFault(kind, targets, ensemble, new DockerNet(ensemble), new SeededRandom(1));
const modeOf = async (m: Member) => (await ensemble.status(m)).mode;

/** After a heal every member serves again; an election may still be settling, so wait for it. */
const allServe = () => oneLeaderAmong(() => Promise.all(ensemble.members.map(modeOf)), 'all three members to serve', log);

/** Waits until the given two members serve as one leader and one follower; returns their modes. */
const leaderAndFollower = (members: Member[], what: string) => oneLeaderAmong(() => Promise.all(members.map(modeOf)), what, log);

const stopsServingNow = (member: Member, what: string) => stopsServing(() => modeOf(member), what, log);

describe('faults have their effect', () => {
  it('isolate: the cut-off member stops serving, the other two keep a quorum, and it rejoins after the heal', async () => {
    const leader = await ensemble.leader();
    const target = ensemble.members.find((m) => m.name !== leader.name)!;
    const fault = dockerFault('isolate', [target]);
    await fault.inject();
    try {
      // A follower that cannot reach its leader gives up within syncLimit ticks and stops serving.
      await stopsServingNow(target, `${target.name} to stop serving while isolated`);
      // The two that can still reach each other are a majority: they serve (after a new election
      // if the isolation unsettled them).
      const others = ensemble.members.filter((m) => m !== target);
      const modes = await leaderAndFollower(others, 'the other two members to serve as leader and follower');
      expect(modes.sort()).toEqual(['follower', 'leader']);
      expect(await modeOf(target)).toBe('not serving');
    } finally {
      await fault.heal();
    }
    expect(await allServe()).toHaveLength(3);
  });

  it('partition: the leader cut off from its peers loses the lead while its clients still reach it; after the heal all three serve', async () => {
    const leader = await ensemble.leader();
    const fault = dockerFault('partition', [leader]);
    const detail = await fault.inject();
    try {
      expect(detail).toContain(`${leader.name} |`);
      // Cut off from both followers, the leader gives up within syncLimit ticks ...
      await stopsServingNow(leader, `${leader.name} to stop leading while cut off from its peers`);
      // ... the two others elect a leader between them ...
      const others = ensemble.members.filter((m) => m !== leader);
      const modes = await leaderAndFollower(others, 'the other two members to serve as leader and follower');
      expect(modes.sort()).toEqual(['follower', 'leader']);
      // ... and a client still reaches the cut-off member: its client port answers from the host
      // (it answers "not serving", which is what a partitioned ZooKeeper member says).
      expect(await fourLetterWord(leader.clientAddress, 'srvr')).toMatch(/not currently serving|Mode: (looking|follower|leader)|Zookeeper version/i);
    } finally {
      await fault.heal();
    }
    expect(await allServe()).toHaveLength(3);
  });

  it('pause: a paused leader answers nothing and the other two elect a new leader; after the heal all three serve', async () => {
    const leader = await ensemble.leader();
    const fault = dockerFault('pause', [leader]);
    await fault.inject();
    try {
      expect(await modeOf(leader)).toBe('not serving');
      const others = ensemble.members.filter((m) => m !== leader);
      const modes = await leaderAndFollower(others, 'a new leader among the members that are not paused');
      expect(modes.sort()).toEqual(['follower', 'leader']);
    } finally {
      await fault.heal();
    }
    expect(await allServe()).toHaveLength(3);
  });

  it('slow: a write through the leader whose links to its peers are slowed waits seconds for its quorum; after the heal it takes milliseconds', async () => {
    const leader = await ensemble.leader();
    const endpoint = ensemble.endpoints().find((e) => e.name === leader.name)!;
    // 16 KB: at 32 kbit/s the proposal alone takes 4 s to reach a follower.
    const { faulted, healed } = await createTimesAcross(endpoint, dockerFault('slow', [leader]), allServe);
    log(`a 16 KB create took ${Math.round(faulted)} ms on slowed links, ${Math.round(healed)} ms after the heal`);
    expect(faulted).toBeGreaterThan(2_000);
    expect(healed).toBeLessThan(1_500);
  });

  it('kill of a majority: the survivor stops serving until the heal brings the killed members back', async () => {
    const targets = ensemble.members.slice(0, 2);
    const survivor = ensemble.members[2]!;
    const fault = dockerFault('kill', targets);
    const detail = await fault.inject();
    try {
      expect(detail).toMatch(/exited with 137; .*exited with 137/);
      await stopsServingNow(survivor, `${survivor.name} to stop serving without a quorum`);
    } finally {
      await fault.heal();
    }
    expect(await allServe()).toHaveLength(3);
  });

  it('bridge: the follower cut from the leader stops serving, the bridge keeps following it; after the heal all three serve', async () => {
    const leader = await ensemble.leader();
    const [bridge, cutOff] = ensemble.members.filter((m) => m !== leader) as [Member, Member];
    // Which two are cut depends on the order: make the leader and cutOff the two halves.
    const fault = nemesisFault('bridge', [bridge], ensemble, new DockerNet(ensemble), new SeededRandom(1));
    const detail = await fault.inject();
    try {
      expect(detail).toContain(`${leader.name} -/-> ${cutOff.name}`);
      await stopsServingNow(cutOff, `${cutOff.name} to stop serving, cut from the leader`);
      // The bridge reaches both: it still follows the leader, a quorum of two.
      const modes = await leaderAndFollower([leader, bridge], 'the leader and the bridge to serve');
      expect(modes).toEqual(['leader', 'follower']);
    } finally {
      await fault.heal();
    }
    expect(await allServe()).toHaveLength(3);
  });

  it('node-loss: the member goes with its machine (every process killed) and comes back on its data at the heal', async () => {
    const target = ensemble.members[1]!;
    const fault = dockerFault('node-loss', [target]);
    const detail = await fault.inject();
    try {
      expect(detail).toMatch(/container killed .*exited with 137/);
      expect((await (await ensemble.dockerContainer(target)).inspect()).State.Running).toBe(false);
    } finally {
      await fault.heal();
    }
    expect(await allServe()).toHaveLength(3);
  });

  it('terminate, pod-delete and drain: each shuts its member down (SIGTERM: exit 143, not a kill\'s 137) and its heal brings it back on its data', async () => {
    const target = ensemble.members[2]!;
    const running = async () => (await (await ensemble.dockerContainer(target)).inspect()).State;
    for (const kind of ['terminate', 'pod-delete', 'drain'] as const) {
      const fault = dockerFault(kind, [target]);
      const detail = await fault.inject();
      try {
        if (kind === 'terminate') expect(detail).toBe(`${target.name}: JVM sent SIGTERM (pkill java), container exited with 143`);
        const state = await running();
        expect(state.Running, kind).toBe(false);
        expect(state.ExitCode, kind).toBe(143);
      } finally {
        await fault.heal();
      }
      expect(await allServe()).toHaveLength(3);
    }
  }, 300_000);

  it('rolling-restart: every member is restarted, one at a time, and the ensemble serves after each', async () => {
    const startedAt = async () => Promise.all(ensemble.members.map(async (m) => (await (await ensemble.dockerContainer(m)).inspect()).State.StartedAt));
    const before = await startedAt();
    const fault = dockerFault('rolling-restart', ensemble.members);
    expect(await fault.inject()).toBe('restarted one at a time: zk-2, zk-1, zk-0');
    await fault.heal();
    const after = await startedAt();
    after.forEach((t, i) => expect(t, ensemble.members[i]!.name).not.toBe(before[i]));
    expect(await allServe()).toHaveLength(3);
  }, 300_000);

  it('members keep their network address across a restart, or with withNewAddressOnRestart come back at a new one; the ensemble re-forms either way', async () => {
    const target = ensemble.members[0]!;
    const before = target.address;
    const fault = dockerFault('kill', [target]);
    await fault.inject();
    await fault.heal();
    expect(target.address).toBe(before);

    const moving = await new DockerEnsemble(inject('zkImage')).withNewAddressOnRestart().withLabels({ 'io.zk-chaos.test': 'fault-effects-moving' }).start();
    try {
      const member = moving.members[1]!;
      const old = member.address;
      const kill = nemesisFault('kill', [member], moving, new DockerNet(moving), new SeededRandom(1));
      await kill.inject();
      await kill.heal(); // waits for the quorum
      expect(member.address).not.toBe(old);
      const { output } = await moving.exec(member, ['bash', '-c', "ip -4 -o addr show | awk '{print $4}'"]);
      expect(output).toContain(`${member.address}/`);
    } finally {
      await moving.stop();
    }
  }, 300_000);
});
