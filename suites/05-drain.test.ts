import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainNode, setUnschedulable, type DrainResult } from '../harness/kube/drain.ts';
import { notYet, ready, waitFor } from '../harness/kube/wait.ts';
import { isReady, type StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, explain, log, runSuite, settings, startEnsemble } from './support/suite.ts';

/**
 * The tutorial's "Tolerating node failure": drain zk-0's node, then zk-1's. The budget
 * (minAvailable 2) must block the second drain while a member is unavailable; once the first node
 * is uncordoned the blocked drain goes through. With kind's node-pinned local-path volumes an
 * evicted member cannot move: it stays Pending until its node returns — asserted as it happens.
 */
describe(`sequential drains under the PodDisruptionBudget (storage: ${settings.storage})`, () => {
  let ensemble: StartedKubeEnsemble;
  const touched = new Set<string>();

  beforeAll(async () => {
    ensemble = await startEnsemble(connectKube());
  });
  afterAll(async () => {
    for (const node of touched) await setUnschedulable(ensemble.kube, node, false).catch(() => undefined);
  });

  const nodeOf = async (pod: string) => (await ensemble.pod(pod)).spec?.nodeName ?? '';

  const claim =
    settings.storage === 'local-path'
      ? 'blocks the second drain while the pinned member is Pending, lets it through after uncordon, and loses nothing'
      : 'reschedules the evicted member on another node with its volume, drains both nodes, and loses nothing';
  it(claim, async () => {
    const firstNode = await nodeOf('zk-0');
    const secondNode = await nodeOf('zk-1');
    const facts: { first?: DrainResult; zk0WhileDrained?: string; blockedSecond?: DrainResult; secondAfterUncordon?: DrainResult } = {};

    const result = await runSuite({
      name: `drain-${settings.storage}`,
      rerunCommand: `npm run e2e -- --suites drain --storage ${settings.storage}`,
      ensemble,
      during: async (ctx) => {
        touched.add(firstNode);
        facts.first = await drainNode(ensemble.kube, firstNode, { timeoutMs: 120_000, events: ctx.events });
        // Where does zk-0 go? Pinned volumes: nowhere (Pending). Shared volumes: another node.
        facts.zk0WhileDrained = await waitFor(
          'zk-0 to settle after the drain',
          async () => {
            const pod = await ensemble.pod('zk-0').catch(() => undefined);
            if (!pod) return notYet('zk-0 not recreated yet');
            if (isReady(pod)) return ready(`Ready on ${pod.spec?.nodeName}`);
            const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
            return unschedulable ? ready(`Pending: ${unschedulable.message ?? unschedulable.reason}`) : notYet(pod.status?.phase ?? '?');
          },
          { timeoutMs: 240_000, intervalMs: 2000, log },
        );
        ctx.log(`zk-0 after the first drain: ${facts.zk0WhileDrained}`);
        await ctx.pause(settings.quietMs);

        touched.add(secondNode);
        facts.blockedSecond = await drainNode(ensemble.kube, secondNode, { timeoutMs: 30_000, events: ctx.events });
        await setUnschedulable(ensemble.kube, firstNode, false, ctx.events);
        await ensemble.waitReady();
        facts.secondAfterUncordon = await drainNode(ensemble.kube, secondNode, { timeoutMs: 300_000, events: ctx.events });
        await ctx.pause(settings.quietMs);
        await setUnschedulable(ensemble.kube, secondNode, false, ctx.events);
        await ensemble.waitReady();
      },
    });

    expect(facts.first?.completed).toBe(true);
    expect(facts.first?.evicted).toContain(`${settings.namespace}/zk-0`);
    if (settings.storage === 'local-path') {
      expect(facts.zk0WhileDrained).toMatch(/^Pending: .*(volume node affinity|didn't match|unschedulable)/i);
      expect(facts.blockedSecond?.completed).toBe(false);
      expect(facts.blockedSecond?.blocked).toContain(`${settings.namespace}/zk-1`);
    } else {
      expect(facts.zk0WhileDrained).toMatch(/^Ready on /);
      expect(facts.zk0WhileDrained).not.toContain(firstNode);
    }
    expect(facts.secondAfterUncordon?.completed).toBe(true);
    expect(result.events.some((e) => e.kind === 'evicted')).toBe(true);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});
