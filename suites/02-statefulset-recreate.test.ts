import { beforeAll, describe, expect, it } from 'vitest';
import { deleteAndRecreateStatefulSet } from '../harness/nemesis/kube-faults.ts';
import { ZooKeeperSession, zxidOf } from '../harness/workload/zk-session.ts';
import type { StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, explain, runSuite, startEnsemble } from './support/suite.ts';

// The tutorial's "Providing durable storage": delete the StatefulSet, apply it again, the data is there.
describe('StatefulSet deleted and re-applied', () => {
  let ensemble: StartedKubeEnsemble;
  beforeAll(async () => {
    ensemble = await startEnsemble(connectKube());
  });

  async function readHello(): Promise<{ data: string; czxid: string }> {
    const endpoint = ensemble.endpoints()[0]!;
    const session = await ZooKeeperSession.connect({ address: endpoint.address, serverName: endpoint.name, connectTimeoutMs: 30_000, operationTimeoutMs: 15_000, sessionTimeoutMs: 15_000 });
    try {
      await session.create('/hello', 'world'); // present from the health suite, or created now
      const read = await session.getData('/hello');
      if (read.type !== 'ok') throw new Error(`reading /hello: ${read.error}`);
      return { data: read.value.data, czxid: zxidOf(read.value.stat.czxid) };
    } finally {
      session.close();
    }
  }

  it('keeps the claims, /hello with its czxid, and every acknowledged write', async () => {
    const before = await readHello();
    const claimsBefore = (await ensemble.kube.core.listNamespacedPersistentVolumeClaim({ namespace: ensemble.namespace })).items;
    const result = await runSuite({ name: 'statefulset-recreate', ensemble, faults: [{ fault: (ctx) => deleteAndRecreateStatefulSet(ensemble, ctx.events) }] });

    const claimsAfter = (await ensemble.kube.core.listNamespacedPersistentVolumeClaim({ namespace: ensemble.namespace })).items;
    expect(claimsAfter.map((c) => c.metadata?.uid).sort()).toEqual(claimsBefore.map((c) => c.metadata?.uid).sort());
    expect(claimsAfter.every((c) => c.status?.phase === 'Bound')).toBe(true);
    expect(await readHello()).toEqual(before);
    expect(result.events.some((e) => e.kind === 'deleted' && e.detail === 'zk-0')).toBe(true);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});
