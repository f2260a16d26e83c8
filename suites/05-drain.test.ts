import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainNode, setUnschedulable, type DrainResult } from '../harness/kube/drain.ts';
import { notYet, ready, waitFor } from '../harness/kube/wait.ts';
import { ZooKeeperSession } from '../harness/workload/zk-session.ts';
import { isReady, type StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, explain, log, runSuite, settings, startEnsemble } from './support/suite.ts';

/**
 * The tutorial's "Tolerating node failure", under the PodDisruptionBudget (minAvailable 2).
 * - shared storage (volumes follow pods), the tutorial's whole sequence: drain zk-0's node (zk-0
 *   moves), zk-1's node (zk-1 Pending: anti-affinity leaves it no node), zk-2's node (refused by the
 *   budget, HTTP 429), /hello still reads, uncordon the first node (zk-1 comes back there), the
 *   third drain now goes through, uncordon all (zk-2 comes back);
 * - kind's node-pinned local-path volumes: an evicted member cannot move, so it stays Pending until
 *   its node returns, and the budget blocks the next drain meanwhile.
 * Each step is asserted as it happens; the checked workload runs throughout.
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

  /** Where a member settles after an eviction: Ready on a node, or Pending with the scheduler's reason. */
  const settle = (member: string) =>
    waitFor(
      `${member} to settle after the drain`,
      async () => {
        const pod = await ensemble.pod(member).catch(() => undefined);
        if (!pod) return notYet(`${member} not recreated yet`);
        if (isReady(pod)) return ready(`Ready on ${pod.spec?.nodeName}`);
        const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
        return unschedulable ? ready(`Pending: ${unschedulable.message ?? unschedulable.reason}`) : notYet(pod.status?.phase ?? '?');
      },
      { timeoutMs: 240_000, intervalMs: 2000, log },
    );

  const readyOn = (member: string) =>
    waitFor(`${member} Ready`, async () => {
      const pod = await ensemble.pod(member).catch(() => undefined);
      return pod && isReady(pod) ? ready(pod.spec?.nodeName ?? '') : notYet(pod?.status?.phase ?? 'not recreated yet');
    }, { timeoutMs: 240_000, intervalMs: 2000, log });

  /** The tutorial's sanity check: /hello reads through a member that serves. */
  const readHello = async (): Promise<string> => {
    for (const endpoint of ensemble.endpoints()) {
      const session = await ZooKeeperSession.connect({ address: endpoint.address, serverName: endpoint.name, connectTimeoutMs: 5000, operationTimeoutMs: 5000, sessionTimeoutMs: 10_000 }).catch(() => undefined);
      if (!session) continue;
      try {
        await session.create('/hello', 'world'); // present from the health suite, or created now
        const read = await session.getData('/hello');
        if (read.type === 'ok') return read.value.data;
      } finally {
        session.close();
      }
    }
    throw new Error('no member answered a read of /hello');
  };

  if (settings.storage === 'shared') {
    it('follows the tutorial: zk-0 moves, zk-1 is Pending, the third drain is refused until the first node returns, /hello reads throughout', async () => {
      const [nodeA, nodeB, nodeC] = [await nodeOf('zk-0'), await nodeOf('zk-1'), await nodeOf('zk-2')];
      const facts: {
        first?: DrainResult;
        zk0?: string;
        second?: DrainResult;
        zk1?: string;
        refused?: DrainResult;
        hello?: string;
        zk1Back?: string;
        third?: DrainResult;
        zk2?: string;
        zk2Back?: string;
      } = {};
      const result = await runSuite({
        name: 'drain-shared',
        rerunCommand: 'npm run e2e -- --suites drain --storage shared',
        ensemble,
        during: async (ctx) => {
          touched.add(nodeA);
          facts.first = await drainNode(ensemble.kube, nodeA, { timeoutMs: 120_000, events: ctx.events });
          facts.zk0 = await settle('zk-0');
          ctx.log(`zk-0 after draining ${nodeA}: ${facts.zk0}`);
          await ctx.pause(settings.quietMs);

          touched.add(nodeB);
          facts.second = await drainNode(ensemble.kube, nodeB, { timeoutMs: 120_000, events: ctx.events });
          facts.zk1 = await settle('zk-1');
          ctx.log(`zk-1 after draining ${nodeB}: ${facts.zk1}`);

          touched.add(nodeC);
          facts.refused = await drainNode(ensemble.kube, nodeC, { timeoutMs: 20_000, events: ctx.events });
          facts.hello = await readHello();

          await setUnschedulable(ensemble.kube, nodeA, false, ctx.events);
          facts.zk1Back = await readyOn('zk-1');
          facts.third = await drainNode(ensemble.kube, nodeC, { timeoutMs: 300_000, events: ctx.events });
          facts.zk2 = await settle('zk-2');
          await ctx.pause(settings.quietMs);

          for (const node of [nodeB, nodeC]) await setUnschedulable(ensemble.kube, node, false, ctx.events);
          facts.zk2Back = await readyOn('zk-2');
          await ensemble.waitReady();
        },
      });

      expect(facts.first?.completed).toBe(true);
      expect(facts.zk0).toMatch(/^Ready on /);
      expect(facts.zk0).not.toContain(nodeA);
      expect(facts.second?.completed).toBe(true);
      expect(facts.second?.evicted).toContain(`${settings.namespace}/zk-1`);
      // No node is left that anti-affinity allows: A and B cordoned, C and the fourth worker taken.
      expect(facts.zk1).toMatch(/^Pending: .*(anti-affinity|didn't match pod anti-affinity|unschedulable)/i);
      expect(facts.refused?.completed).toBe(false);
      expect(facts.refused?.blocked).toContain(`${settings.namespace}/zk-2`);
      expect(result.events.some((e) => e.kind === 'blocked-by-budget' && e.detail.includes('/zk-2'))).toBe(true);
      expect(facts.hello).toBe('world');
      expect(facts.zk1Back).toBe(nodeA);
      expect(facts.third?.completed).toBe(true);
      expect(facts.third?.evicted).toContain(`${settings.namespace}/zk-2`);
      expect(facts.zk2Back).not.toBe('');
      expect(result.verdict.validity, explain(result)).toBe('valid');
    });
    return;
  }

  it('blocks the second drain while the pinned member is Pending, lets it through after uncordon, and loses nothing', async () => {
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
        // Pinned volumes: zk-0 cannot go anywhere else (Pending).
        facts.zk0WhileDrained = await settle('zk-0');
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
    expect(facts.zk0WhileDrained).toMatch(/^Pending: .*(volume node affinity|didn't match|unschedulable)/i);
    expect(facts.blockedSecond?.completed).toBe(false);
    expect(facts.blockedSecond?.blocked).toContain(`${settings.namespace}/zk-1`);
    expect(facts.secondAfterUncordon?.completed).toBe(true);
    expect(result.events.some((e) => e.kind === 'evicted')).toBe(true);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});
