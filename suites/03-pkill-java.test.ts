import { beforeAll, describe, expect, it } from 'vitest';
import { restartingFault, type RestartFacts } from '../harness/nemesis/kube-faults.ts';
import type { StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, explain, runSuite, startEnsemble } from './support/suite.ts';

// The tutorial's "Surviving maintenance / process failure": pkill java, the container restarts.
describe('pkill java in one member', () => {
  let ensemble: StartedKubeEnsemble;
  beforeAll(async () => {
    ensemble = await startEnsemble(connectKube());
  });

  it('restarts the container once, keeps a quorum and loses no acknowledged write', async () => {
    const facts: Partial<RestartFacts> = {};
    const result = await runSuite({ name: 'pkill-java', ensemble, faults: [{ fault: () => restartingFault('terminate', ensemble, 'zk-1', facts) }] });
    expect(facts.restartsAfter).toBe((facts.restartsBefore ?? NaN) + 1);
    expect(result.events.some((e) => e.kind === 'restart' && e.detail.startsWith('zk-1'))).toBe(true);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});
