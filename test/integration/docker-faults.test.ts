import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Fault } from '../../harness/nemesis/fault.ts';
import { nemesisFault } from '../../harness/nemesis/faults.ts';
import type { FaultKind } from '../../harness/nemesis/schedule.ts';
import { SeededRandom } from '../../harness/workload/random.ts';
import { DockerNet } from '../../harness/zookeeper/docker-net.ts';
import { runTest, type TestRunResult } from '../../harness/run/test-run.ts';
import { DockerEnsemble, type Member, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';
import { explain } from '../../harness/run/explain.ts';

/**
 * The tutorial's disruptions on a Docker ensemble: the workload runs before, during and after each
 * fault, and the checker's verdict on the recorded history is the result.
 */

let ensemble: StartedDockerEnsemble | undefined;
afterEach(async () => {
  await ensemble?.stop();
  ensemble = undefined;
});

async function scenario(name: string, fault: (e: StartedDockerEnsemble) => Promise<Fault>, ephemeralData = false): Promise<TestRunResult> {
  ensemble = await new DockerEnsemble(inject('zkImage')).withEphemeralData(ephemeralData).withLabels({ 'io.zk-chaos.test': name }).start();
  const started = ensemble;
  return runTest({ name: `docker-${name}`, endpoints: () => started.endpoints(), faults: [{ fault: () => fault(started), holdMs: 5000 }] });
}

/** A fault of the given kind on the members `targets` picks (the leader is asked when the fault starts). */
const fault = (kind: FaultKind, targets: (e: StartedDockerEnsemble) => Member[] | Promise<Member[]>) =>
  async (e: StartedDockerEnsemble): Promise<Fault> => nemesisFault(kind, await targets(e), e, new DockerNet(e), new SeededRandom(1));

/** The run really exercised the ensemble: operations before and after the fault, final reads done. */
function expectExercised(result: TestRunResult) {
  expect(result.workload.byOutcome.ok).toBeGreaterThan(100);
  expect(result.workload.finalReads).toBe(3);
  expect(result.faults).toHaveLength(1);
  expect(result.faults[0]?.end).toBeGreaterThan(result.faults[0]?.start ?? Infinity);
}

describe('faults on a Docker ensemble', () => {
  it('survives kill -9 of one member’s JVM and its restart', async () => {
    const result = await scenario('kill-jvm', fault('kill', (e) => [e.member('zk-1')]));
    expectExercised(result);
    expect(result.faults[0]?.detail).toMatch(/exited with 137/);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });

  it('keeps every acknowledged write when all members stop and start on the same data', async () => {
    const result = await scenario('restart-all', fault('restart-all', (e) => e.members));
    expectExercised(result);
    // While all members were down, operations could not succeed: some were indeterminate or failed.
    expect(result.workload.byOutcome.info).toBeGreaterThan(0);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });

  it('survives SIGSTOP of the leader and its resumption', async () => {
    const result = await scenario('pause-leader', fault('pause', async (e) => [await e.leader()]));
    expectExercised(result);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });

  it('survives a member cut off from the network and reconnected', async () => {
    const result = await scenario('isolate-member', fault('isolate', (e) => [e.member('zk-2')]));
    expectExercised(result);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });

  it('negative control: an ensemble whose data does not survive a restart is caught losing writes', async () => {
    const result = await scenario('negative-control', fault('restart-all', (e) => e.members), true);
    expectExercised(result);
    expect(result.verdict.validity).toBe('invalid');
    const lost = result.verdict.anomalies.filter((a) => a.type === 'lost');
    expect(lost.length).toBeGreaterThan(10);
    expect(lost[0]?.explanation).toMatch(/acknowledged/i);
  });
});
