import { afterAll, describe, expect, inject, it } from 'vitest';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';
import { explain } from '../../harness/run/explain.ts';
import { runTest } from '../../harness/run/test-run.ts';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';

/**
 * The divergence check's negative control: zk-2 is misconfigured to run on its own (its server
 * list names only itself, so it starts standalone with its own data), and clients write through
 * it as through the others. The final reads, made through each member apart, must show that zk-2
 * holds other data: acknowledged writes missing on one side (lost, naming the member whose final
 * read lacks them) or a register whose final value differs (divergent, naming both members).
 */
let ensemble: StartedDockerEnsemble | undefined;
afterAll(async () => {
  await ensemble?.stop();
});

describe('a member that runs on its own', () => {
  it('is reported: the final reads through it lack acknowledged writes and disagree with the others', async () => {
    ensemble = await new DockerEnsemble(inject('zkImage')).withStandaloneMember('zk-2').withLabels({ 'io.zk-chaos.test': 'divergence' }).start();
    const started = ensemble;
    // start() waited for zk-2 to serve standalone; asked again (a single status can miss an answer).
    const mode = await waitFor('zk-2 to answer as standalone', async () => {
      const now = (await started.status(started.member('zk-2'))).mode;
      return now === 'standalone' ? ready(now) : notYet(now);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(mode).toBe('standalone');
    const result = await runTest({ name: 'docker-divergence', endpoints: () => started.endpoints(), quietMs: 8000 });
    expect(result.workload.membersRead).toEqual(['zk-0', 'zk-1', 'zk-2']);
    expect(result.verdict.validity, explain(result)).toBe('invalid');
    const types = new Set(result.verdict.anomalies.map((a) => a.type));
    expect(types.has('lost') || types.has('divergent'), explain(result)).toBe(true);
    // Each anomaly about the final reads names the member whose read it is; zk-2 is among them.
    const finals = result.verdict.anomalies.filter((a) => a.type === 'lost' || a.type === 'divergent');
    expect(finals.length).toBeGreaterThan(0);
    for (const a of finals) expect(a.explanation).toMatch(/through zk-\d/);
    expect(finals.some((a) => a.explanation.includes('through zk-2'))).toBe(true);
  });
});
