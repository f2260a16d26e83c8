import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Kube } from '../../harness/kube/client.ts';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';
import { explain } from '../../harness/run/explain.ts';
import { HarnessError, runTest } from '../../harness/run/test-run.ts';
import { watchApiServer } from '../../harness/kube/api-server-watch.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runHistory, waitForHistory } from '../support/run-history.ts';
import { join } from 'node:path';
import { KubeEnsemble, type StartedKubeEnsemble } from '../../harness/zookeeper/kube-ensemble.ts';

/**
 * The harness's own dependency restarting mid-run: the kind control plane's container is
 * restarted while the workload runs. The members are reached through port-forwards, so the
 * workload itself depends on the API server: its connections break and reconnect. The pod watch
 * records the gap and resumes, the workload carries on once the API server is back, and the
 * verdict is ZooKeeper's: valid (an outage of the harness's path is never an anomaly). An exec
 * running in a member when the API server goes, and a status probe made while it is away, are
 * run again once it is back: the drop is recorded, and the member's answer is its own, never
 * "not serving" for want of a path to it — nor is any probe made through the outage and the API
 * server's first, refusing answers. The same restart during a suite of `npm run e2e` (members
 * reached through NodePorts) is survived: the suite passes and its run notes the silence. An API
 * server that stops answering for good (its container paused) ends the run as the harness's
 * failure, naming the API server.
 */
const ROOT = join(import.meta.dirname, '../..');
const cluster = process.env.ZK_CHAOS_CLUSTER ?? 'zk-chaos';
const namespace = 'zk-chaos-api-restart';
const log = (line: string) => console.log(`[cluster-test] ${line}`);
let ensemble: StartedKubeEnsemble | undefined;

afterAll(async () => {
  await ensemble?.destroy();
});

describe('the Kubernetes API server restarting during a run', () => {
  it('is survived: the pod watch resumes, the workload carries on through new port-forwards, the verdict stays valid', async () => {
    const kube = Kube.load({ context: process.env.ZK_CHAOS_CONTEXT ?? `kind-${cluster}` });
    ensemble = await new KubeEnsemble(kube)
      .inNamespace(namespace)
      .withImage(process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local')
      .withAccess('port-forward')
      .withLog(log)
      .start();
    const started = ensemble;
    let restartedAt = 0;
    let backAt = 0;
    let execAnswer = '';
    let modeWhileAway = '';
    const probeAnswers: string[] = [];
    const result = await runTest({
      name: 'api-server-restart',
      rerunCommand: 'npx vitest run --project cluster test/cluster/api-server-restart.test.ts',
      endpoints: () => started.endpoints(),
      observe: (ctx) => started.observe(ctx.events),
      // As the suites watch it: a restart is survived, its silence noted.
      dependencies: watchApiServer(kube),
      quietMs: 10_000,
      log,
      during: async (ctx) => {
        // Through the ensemble, as the faults and probes exec: a drop is recorded by the harness itself.
        const longExec = started.exec('zk-0', ['sh', '-c', 'sleep 20; echo slept'], { repeatable: true });
        longExec.catch(() => undefined); // awaited below, after the restart
        await sleep(2000); // the exec runs when the API server goes
        restartedAt = ctx.events.record('harness', 'api-server-restart', `docker restart ${cluster}-control-plane`).time;
        const restarting = promisify(execFile)('docker', ['restart', `${cluster}-control-plane`]);
        await sleep(3000);
        const statusWhileAway = started.status('zk-1');
        statusWhileAway.catch(() => undefined); // awaited below
        // Probes one after another through the whole outage and the API server's first answers
        // (403, 429, 500 while it starts): each is the member's answer or an error naming the path.
        let probing = true;
        const probes = (async () => {
          while (probing) {
            probeAnswers.push(await started.status('zk-2').then((s) => s.mode, (error: unknown) => `error: ${String(error)}`));
            await sleep(500);
          }
        })();
        await restarting;
        await waitFor('the API server to answer again', async () => ((await kube.ping().then(() => true, () => false)) ? ready(true) : notYet('no answer')), { timeoutMs: 180_000, log });
        backAt = ctx.events.record('harness', 'api-server-back', 'the API server answers').time;
        execAnswer = (await longExec).stdout.trim();
        modeWhileAway = (await statusWhileAway).mode;
        await sleep(5000);
        probing = false;
        await probes;
      },
    });

    const kinds = result.events.map((e) => e.kind);
    expect(kinds).toContain('api-server-restart');
    // The watch dropped with the API server and came back (the gap is in events.jsonl).
    expect(kinds).toContain('gap');
    expect(kinds.lastIndexOf('resumed')).toBeGreaterThan(kinds.indexOf('gap'));
    // The port-forwarded workload lost connections during the restart and worked again after it.
    expect(backAt).toBeGreaterThan(restartedAt);
    const history = (await import('node:fs')).readFileSync(`${result.dir}/history.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; time: number });
    expect(history.filter((e) => e.type === 'ok' && e.time > backAt).length).toBeGreaterThan(100);
    expect(result.workload.finalReads).toBe(3);
    // The API server's watch noted its silence, and did not end the run.
    expect(result.events.some((e) => e.kind === 'gap' && e.detail.includes('did not serve the harness for')), JSON.stringify(result.events)).toBe(true);
    // The exec that dropped ran again and answered; the probe made while the API server was away
    // got the member's own answer.
    expect(kinds).toContain('exec-gap');
    expect(execAnswer).toBe('slept');
    expect(['leader', 'follower']).toContain(modeWhileAway);
    expect(probeAnswers.filter((a) => a === 'leader' || a === 'follower').length, probeAnswers.join('\n')).toBeGreaterThan(0);
    expect(probeAnswers.filter((a) => a === 'not serving'), probeAnswers.join('\n')).toEqual([]);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });
});

describe('the Kubernetes API server that stops answering for good', () => {
  it('ends the run as the harness\'s failure, naming the API server, never as an anomaly', async () => {
    const kube = Kube.load({ context: process.env.ZK_CHAOS_CONTEXT ?? `kind-${cluster}` });
    const gone = await new KubeEnsemble(kube)
      .inNamespace(`${namespace}-gone`)
      .withImage(process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local')
      .withAccess('port-forward')
      .withLog(log)
      .start();
    let paused = false;
    try {
      const outcome = await runTest({
        name: 'api-server-gone',
        rerunCommand: 'npx vitest run --project cluster test/cluster/api-server-restart.test.ts',
        endpoints: () => gone.endpoints(),
        observe: (ctx) => gone.observe(ctx.events),
        // A shorter grace than the suites' two minutes: the test waits through it.
        dependencies: watchApiServer(kube, { graceMs: 20_000 }),
        quietMs: 5_000,
        log,
        during: async (ctx) => {
          // Paused, the API server holds every request without an answer: a wedged server.
          ctx.events.record('harness', 'api-server-pause', `docker pause ${cluster}-control-plane`);
          await promisify(execFile)('docker', ['pause', `${cluster}-control-plane`]);
          paused = true;
          await ctx.pause(180_000); // the watch ends the run long before
        },
      }).then(
        () => new Error('the run ended normally'),
        (error: unknown) => error,
      );
      expect(outcome, String(outcome)).toBeInstanceOf(HarnessError);
      const error = outcome as HarnessError;
      expect(error.message).toMatch(/the harness failed, not ZooKeeper: the Kubernetes API server \(https:\/\/[^)]+\) has not answered for 2\d s/);
      expect(error.message).toContain(`docker start ${cluster}-control-plane`);
      const verdict = JSON.parse(readFileSync(join(error.dir, 'verdict.json'), 'utf8')) as { validity: string; anomalies: unknown[]; unknownKeys: { reason: string }[] };
      expect(verdict.anomalies).toEqual([]);
      expect(verdict.validity).toBe('unknown');
      expect(verdict.unknownKeys[0]?.reason).toContain('the Kubernetes API server');
      expect(readFileSync(join(error.dir, 'events.jsonl'), 'utf8')).toContain('"kind":"failed"');
    } finally {
      if (paused) await promisify(execFile)('docker', ['unpause', `${cluster}-control-plane`]);
      await waitFor('the API server to answer again', async () => ((await kube.ping().then(() => true, () => false)) ? ready(true) : notYet('no answer')), { timeoutMs: 180_000, log });
      await gone.destroy();
    }
  });
});

describe('the Kubernetes API server restarting during a suite of npm run e2e', () => {
  it('is survived: the suite passes, its run notes the silence, JUnit has no failure', async () => {
    const results = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-api-restart-'));
    try {
      const child = spawn(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'e2e', '--suites', 'health', '--seed', '6', '--duration', '60'], {
        cwd: ROOT,
        // A minute of workload (--duration), so the restart falls inside it.
        env: { ...process.env, ZK_CHAOS_RESULTS: results },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const history = await waitForHistory('the suite to record its workload', () => runHistory(results, 'health-'), 300, {
        timeoutMs: 600_000,
        check: () => {
          if (child.exitCode !== null) throw new Error(`npm run e2e ended first:\n${output.slice(-3000)}`);
        },
      });
      log(`restarting ${cluster}-control-plane during the health suite`);
      await promisify(execFile)('docker', ['restart', `${cluster}-control-plane`]);
      expect(await exited, output.slice(-4000)).toBe(0);
      const junit = readFileSync(join(results, 'junit.xml'), 'utf8');
      expect(junit).toContain('classname="suites/01-health.test.ts"');
      expect(junit).not.toMatch(/<failure|<error/);
      const events = readFileSync(join(history, '..', 'events.jsonl'), 'utf8');
      expect(events).toMatch(/"kind":"gap","detail":"the Kubernetes API server \([^)]+\) did not serve the harness for \d+ s/);
      expect(JSON.parse(readFileSync(join(history, '..', 'verdict.json'), 'utf8')).validity).toBe('valid');
    } finally {
      rmSync(results, { recursive: true, force: true });
      await waitFor('the API server to answer again', async () => ((await Kube.load({ context: `kind-${cluster}` }).ping().then(() => true, () => false)) ? ready(true) : notYet('no answer')), { timeoutMs: 180_000, log });
    }
  });
});
