import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperSession } from '../harness/workload/zk-session.ts';
import type { StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, explain, runSuite, settings, startEnsemble } from './support/suite.ts';

// The tutorial's "Creating a ZooKeeper ensemble" and "Facilitating leader election" checks.
describe('health: the ensemble as the tutorial creates it', () => {
  let ensemble: StartedKubeEnsemble;
  beforeAll(async () => {
    ensemble = await startEnsemble(connectKube());
  });

  it('runs three members on three distinct nodes', async () => {
    const pods = await ensemble.pods();
    expect(pods.map((p) => p.metadata?.name)).toEqual(['zk-0', 'zk-1', 'zk-2']);
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(3);
  });

  it('derives myid = ordinal + 1 and lists the three FQDNs in zoo.cfg', async () => {
    for (const [ordinal, pod] of ['zk-0', 'zk-1', 'zk-2'].entries()) {
      expect((await ensemble.exec(pod, ['cat', '/var/lib/zookeeper/data/myid'])).stdout.trim()).toBe(String(ordinal + 1));
      const cfg = (await ensemble.exec(pod, ['cat', '/etc/zookeeper/conf/zoo.cfg'])).stdout;
      for (let i = 0; i < 3; i++) {
        expect(cfg).toContain(`server.${i + 1}=zk-${i}.zk-hs.${settings.namespace}.svc.cluster.local:2888:3888`);
      }
    }
  });

  it('reads "world" on zk-1 and zk-2 after writing /hello on zk-0', async () => {
    const [zk0, zk1, zk2] = await Promise.all(
      ensemble.endpoints().map((e) => ZooKeeperSession.connect({ address: e.address, serverName: e.name, connectTimeoutMs: 15_000, operationTimeoutMs: 15_000, sessionTimeoutMs: 15_000 })),
    );
    try {
      const created = await zk0!.create('/hello', 'world');
      expect(['ok', 'fail']).toContain(created.type); // fail = NODE_EXISTS from an earlier run
      for (const session of [zk1!, zk2!]) {
        await session.mkdirp(`/seen-by/${session.server}`); // a write first: the read then follows /hello
        const read = await session.getData('/hello');
        expect(read.type === 'ok' && read.value.data).toBe('world');
      }
    } finally {
      [zk0, zk1, zk2].forEach((s) => s?.close());
    }
  });

  it('keeps a checked workload valid when nothing is disrupted', async () => {
    const result = await runSuite({ name: 'health', ensemble });
    expect(result.workload.byOutcome.ok).toBeGreaterThan(100);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});
