import { afterAll, describe, expect, it } from 'vitest';
import { deleteAndRecreateStatefulSet } from '../harness/nemesis/kube-faults.ts';
import { notYet, ready, waitFor } from '../harness/kube/wait.ts';
import type { StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, log, runSuite, settings, startEnsemble } from './support/suite.ts';

/**
 * The harness must be able to fail: the same ensemble with its data in emptyDir loses everything
 * when its StatefulSet is deleted and re-applied, and the checker must list the lost writes.
 * Runs last: it takes the main ensemble's NodePorts, so it removes that ensemble first.
 */
describe('negative control: data in emptyDir', () => {
  const kube = connectKube();
  let ensemble: StartedKubeEnsemble | undefined;

  afterAll(async () => {
    await ensemble?.destroy();
  });

  it('reports the acknowledged writes that the re-created StatefulSet lost', async () => {
    // The main ensemble's namespace goes away in the background; only its NodePort Services must
    // be gone first (their ports are the ones this ensemble takes), which is immediate.
    const nodePorts = ['zk-0-client', 'zk-1-client', 'zk-2-client'];
    await Promise.all(nodePorts.map((name) => kube.core.deleteNamespacedService({ name, namespace: settings.namespace }).catch(() => undefined)));
    await kube.core.deleteNamespace({ name: settings.namespace }).catch(() => undefined);
    await waitFor(
      `the NodePort Services of namespace ${settings.namespace} to be gone`,
      async () => {
        const left = (await kube.core.listNamespacedService({ namespace: settings.namespace })).items.filter((svc) => svc.spec?.type === 'NodePort');
        return left.length > 0 ? notYet(left.map((svc) => svc.metadata?.name).join(', ')) : ready(true);
      },
      { timeoutMs: 120_000, intervalMs: 500, log },
    );
    ensemble = await startEnsemble(kube, { namespace: `${settings.namespace}-negative`, storage: 'ephemeral' });
    const started = ensemble;
    const result = await runSuite({ name: 'negative-control', ensemble: started, faults: [{ fault: (ctx) => deleteAndRecreateStatefulSet(started, ctx.events) }] });
    expect(result.workload.byOutcome.ok).toBeGreaterThan(100);
    expect(result.verdict.validity).toBe('invalid');
    const lost = result.verdict.anomalies.filter((a) => a.type === 'lost');
    expect(lost.length).toBeGreaterThan(10);
  });
});
