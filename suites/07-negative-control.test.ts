import { afterAll, describe, expect, it } from 'vitest';
import { deleteAndRecreateStatefulSet } from '../harness/nemesis/kube-faults.ts';
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
    // The main ensemble goes away in the background; its NodePorts, which this ensemble takes, are
    // released first by the start (KubeEnsemble takes node ports from the harness's own namespaces).
    await kube.core.deleteNamespace({ name: settings.namespace }).catch(() => undefined);
    ensemble = await startEnsemble(kube, { namespace: `${settings.namespace}-negative`, storage: 'ephemeral' });
    const started = ensemble;
    const result = await runSuite({ name: 'negative-control', ensemble: started, faults: [{ fault: (ctx) => deleteAndRecreateStatefulSet(started, ctx.events) }] });
    expect(result.workload.byOutcome.ok).toBeGreaterThan(100);
    expect(result.verdict.validity).toBe('invalid');
    const lost = result.verdict.anomalies.filter((a) => a.type === 'lost');
    expect(lost.length).toBeGreaterThan(10);
  });
});
