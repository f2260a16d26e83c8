import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { notYet, waitFor } from '../../harness/kube/wait.ts';
import { runTest, type DependencyWatch } from '../../harness/run/test-run.ts';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';

/**
 * The harness losing what it stands on (its Docker engine, its disk) while a scenario step is
 * under way — a fault's heal, the schedule's wait for a quorum of members that went with the
 * engine — ends the run at once as the harness's failure: the step is not waited for, and its
 * waits stop polling (a fault held is healed at once).
 */
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-mid-step-'));
let ensemble: StartedDockerEnsemble | undefined;
afterAll(async () => {
  await ensemble?.stop();
  rmSync(results, { recursive: true, force: true });
});

describe('a harness failure in the middle of a scenario step', () => {
  it('ends the run as the harness\'s failure without waiting for the step', async () => {
    ensemble = await new DockerEnsemble(inject('zkImage')).withLabels({ 'io.zk-chaos.test': 'mid-step' }).start();
    const e = ensemble;
    let stepEnded = false;
    const run = runTest({
      name: 'mid-step',
      resultsDir: results,
      quietMs: 1000,
      endpoints: () => e.endpoints(),
      // A step that never ends by itself, as a quorum wait on members that are gone.
      during: () => new Promise<void>(() => undefined).finally(() => (stepEnded = true)),
      dependencies: ({ lost }) => {
        const timer = setTimeout(() => lost('the test took the engine away', 'nothing to fix'), 3000);
        return { stop: () => clearTimeout(timer) };
      },
    });
    await expect(run).rejects.toThrow(/mid-step: the harness failed, not ZooKeeper: the test took the engine away/);
    expect(stepEnded).toBe(false);
  }, 120_000);

  it('stops the abandoned step\'s waits, and heals the fault it held at once', async () => {
    const e = ensemble!;
    let polls = 0;
    let healedAt: number | undefined;
    const lostAfter = (ms: number): DependencyWatch => ({ lost }) => {
      const timer = setTimeout(() => lost('the test took the engine away', 'nothing to fix'), ms);
      return { stop: () => clearTimeout(timer) };
    };
    // A fault held for a minute: the run's failure ends the hold and the heal runs then.
    const held = runTest({
      name: 'mid-hold',
      resultsDir: results,
      quietMs: 500,
      endpoints: () => e.endpoints(),
      faults: [{ fault: () => ({ name: 'held', inject: async () => 'nothing', heal: async () => void (healedAt = Date.now()) }), holdMs: 60_000 }],
      dependencies: lostAfter(2000),
    });
    await expect(held).rejects.toThrow(/mid-hold: the harness failed/);
    expect(healedAt).toBeDefined();
    // A quorum wait on members that are gone: polled until the run fails, never after.
    const waiting = runTest({
      name: 'mid-wait',
      resultsDir: results,
      quietMs: 500,
      endpoints: () => e.endpoints(),
      during: () => waitFor('members that are gone', async () => (polls++, notYet('gone')), { timeoutMs: 120_000, intervalMs: 50 }),
      dependencies: lostAfter(2000),
    });
    await expect(waiting).rejects.toThrow(/mid-wait: the harness failed/);
    const seen = polls;
    expect(seen).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(polls).toBe(seen);
  }, 120_000);
});
