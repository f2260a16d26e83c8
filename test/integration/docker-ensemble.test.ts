import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ZooKeeperSession } from '../../harness/workload/zk-session.ts';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';
import { listMemberData } from '../../harness/zookeeper/ensemble.ts';

// The image's contract, checked on a real three-member ensemble: the tutorial's health checks.
describe('ZooKeeper image and Docker ensemble', () => {
  let ensemble: StartedDockerEnsemble;

  beforeAll(async () => {
    ensemble = await new DockerEnsemble(inject('zkImage')).withMembers(3).withLabels({ 'io.zk-chaos.test': 'health' }).start();
  });
  afterAll(async () => {
    await ensemble?.stop();
  });

  it('forms an ensemble with exactly one leader', async () => {
    // Polled, not sampled once: on a loaded host a follower can drop out and resync for a moment
    // right after the quorum first forms; what must hold is that the ensemble settles like this.
    const modes = async () => (await Promise.all(ensemble.members.map(async (m) => (await ensemble.status(m)).mode))).sort();
    await expect.poll(modes, { timeout: 60_000, interval: 500 }).toEqual(['follower', 'follower', 'leader']);
  });

  it('derives myid = ordinal + 1 and lists every member in zoo.cfg', async () => {
    for (const member of ensemble.members) {
      const myid = await ensemble.exec(member, ['cat', '/var/lib/zookeeper/data/myid']);
      expect(myid.output.trim()).toBe(String(member.ordinal + 1));
      const cfg = await ensemble.exec(member, ['cat', '/etc/zookeeper/conf/zoo.cfg']);
      expect(cfg.output).toContain('server.1=zk-0:2888:3888');
      expect(cfg.output).toContain('server.3=zk-2:2888:3888');
      expect(cfg.output).toContain('4lw.commands.whitelist=ruok');
    }
  });

  it('lists each member\'s data for the diagnostics: its myid, its epochs and its snapshots, with sizes', async () => {
    for (const member of ensemble.members) {
      const listing = await listMemberData(ensemble, member);
      expect(listing).toMatch(/\/var\/lib\/zookeeper\/data:\n[^]*\s2 \S+ myid\n/);
      expect(listing).toMatch(/\/var\/lib\/zookeeper\/data\/version-2:\n[^]* currentEpoch\n[^]*\s\d+ \S+ snapshot\.0\n/);
      expect(listing).toMatch(/\/var\/lib\/zookeeper\/log\/version-2:\n/);
    }
  });

  it('answers the liveness probe (zkOk.sh) and runs as uid 1000', async () => {
    const member = ensemble.member('zk-0');
    expect((await ensemble.exec(member, ['zkOk.sh'])).exitCode).toBe(0);
    expect((await ensemble.exec(member, ['id', '-u'])).output.trim()).toBe('1000');
  });

  it('reads on zk-1 and zk-2 what was written on zk-0', async () => {
    const sessions = await Promise.all(
      ensemble.members.map((m) =>
        ZooKeeperSession.connect({ address: m.clientAddress, serverName: m.name, connectTimeoutMs: 10_000, operationTimeoutMs: 10_000, sessionTimeoutMs: 10_000 }),
      ),
    );
    try {
      const [zk0, zk1, zk2] = sessions as [ZooKeeperSession, ZooKeeperSession, ZooKeeperSession];
      const path = `/hello-${Date.now()}`;
      expect((await zk0.create(path, 'world')).type).toBe('ok');
      // A follower may lag: a write through its own session first orders the read after /hello.
      for (const session of [zk1, zk2]) {
        await session.create(`${path}-seen-by-${session.server}`, '');
        const read = await session.getData(path);
        expect(read.type).toBe('ok');
        if (read.type === 'ok') expect(read.value.data).toBe('world');
      }
    } finally {
      sessions.forEach((s) => s.close());
    }
  });
});
