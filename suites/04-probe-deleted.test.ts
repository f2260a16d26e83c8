import { beforeAll, describe, expect, it } from 'vitest';
import { deleteProbeScript, type RestartFacts } from '../harness/nemesis/kube-faults.ts';
import type { StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, explain, runSuite, startEnsemble } from './support/suite.ts';

// The tutorial's "Testing for liveness": delete zkOk.sh; the failing probe gets the container restarted.
describe('liveness probe script deleted', () => {
  let ensemble: StartedKubeEnsemble;
  beforeAll(async () => {
    ensemble = await startEnsemble(connectKube());
  });

  it('restarts the container through the liveness probe and loses no acknowledged write', async () => {
    const facts: Partial<RestartFacts> = {};
    const result = await runSuite({ name: 'probe-deleted', ensemble, faults: [{ fault: () => deleteProbeScript(ensemble, 'zk-0', facts), holdMs: 1000 }] });
    expect(facts.restartsAfter).toBe((facts.restartsBefore ?? NaN) + 1);
    expect((await ensemble.exec('zk-0', ['test', '-x', '/opt/zookeeper/bin/zkOk.sh'])).exitCode).toBe(0);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});
