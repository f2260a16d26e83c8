import { beforeAll, describe, expect, it } from 'vitest';
import { playSchedule } from '../harness/nemesis/run-schedule.ts';
import { GENERAL_FAULTS, planSchedule } from '../harness/nemesis/schedule.ts';
import { RUN_FILES } from '../harness/run/run-folder.ts';
import { resolveSeed } from '../harness/run/seed.ts';
import { NodeHelpers } from '../harness/kube/node-helper.ts';
import { PodNet, throughHelperPods, throughKindNodes } from '../harness/zookeeper/pod-net.ts';
import type { StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { KubeMembers } from '../harness/zookeeper/kube-members.ts';
import { connectKube, explain, log, runSuite, settings, startEnsemble } from './support/suite.ts';

// Beyond the tutorial's four: a seeded schedule of the general faults under the workload (kill,
// pause, partition, isolate, restart of every member), the same pieces `zk-chaos run` plays.
// Partitions are made inside kind's nodes, or through a privileged helper pod on any other cluster.
describe('random: a seeded schedule of faults', () => {
  let ensemble: StartedKubeEnsemble;
  beforeAll(async () => {
    ensemble = await startEnsemble(connectKube());
  });

  it('plays every planned fault and loses no acknowledged write', async () => {
    const seed = resolveSeed();
    const onKind = settings.context.startsWith('kind-');
    const schedule = planSchedule({ seed, mix: [...GENERAL_FAULTS], timeLimitMs: settings.randomMs, intervalMs: 10_000 });
    log(`random: ${schedule.faults.map((f) => `${f.kind}(${f.target}) at ${Math.round(f.startMs / 1000)} s`).join(', ') || 'no faults fit'}`);
    const helpers = onKind ? undefined : new NodeHelpers(ensemble.kube, ensemble.namespace, () => ensemble.memberImage(), log);
    const net = new PodNet(ensemble, helpers ? throughHelperPods(helpers) : throughKindNodes);
    const result = await runSuite({
      name: 'random',
      ensemble,
      files: { [RUN_FILES.schedule]: JSON.stringify(schedule, null, 2) + '\n' },
      during: (ctx) => playSchedule(schedule, new KubeMembers(ensemble), net, ctx),
    }).finally(() => helpers?.close());
    // Every planned fault was injected and healed, in order.
    expect(result.faults.map((f) => f.name)).toEqual(schedule.faults.map((f) => f.kind));
    expect(result.faults.every((f) => f.end !== undefined)).toBe(true);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});
