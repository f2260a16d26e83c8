import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stepFileFor } from '../../harness/cli/step-file.ts';
import { Kube } from '../../harness/kube/client.ts';
import { setUnschedulable } from '../../harness/kube/drain.ts';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';
import { ENSEMBLE_NAMESPACE_LABEL } from '../../harness/zookeeper/ensemble-manifests.ts';
import { runHistory, waitForHistory } from '../support/run-history.ts';

/**
 * `npm run e2e` killed with kill -9 in the middle of a suite (the harness and every process it
 * started, as an out-of-memory killer or a killed CI runner does): the history on disk checks, and
 * the next `npm run e2e` says what the killed run left on the cluster, what it reuses and what it
 * cleans, then runs as usual.
 */
const ROOT = join(import.meta.dirname, '../..');
const cluster = process.env.ZK_CHAOS_CLUSTER ?? 'zk-chaos';
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-killed-'));
const nextResults = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-after-kill-'));
const aloneResults = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-killed-alone-'));
const strayNamespace = 'zk-chaos-killed-run';
const kube = Kube.load({ context: `kind-${cluster}` });
let cordoned: string | undefined;

afterAll(async () => {
  if (cordoned) await setUnschedulable(kube, cordoned, false).catch(() => undefined);
  await kube.core.deleteNamespace({ name: strayNamespace }).catch(() => undefined);
  rmSync(results, { recursive: true, force: true });
  rmSync(nextResults, { recursive: true, force: true });
  rmSync(aloneResults, { recursive: true, force: true });
});

/** The process and all its descendants (a process tree, whatever their process groups). */
function tree(pid: number): number[] {
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  return [pid, ...children.flatMap(tree)];
}

/**
 * Starts `npm run e2e -- --suites pkill-java` with its results in `resultsDir` and resolves once
 * the suite's history has 300 lines: a suite in the middle of its workload.
 */
async function e2eRecording(resultsDir: string, seed: number): Promise<{ child: ChildProcess; output: () => string; history: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'e2e', '--suites', 'pkill-java', '--seed', String(seed)], {
    cwd: ROOT,
    env: { ...process.env, ZK_CHAOS_RESULTS: resultsDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const file = await waitForHistory('the suite to record 300 lines', () => runHistory(resultsDir, 'pkill-java-'), 299, {
    timeoutMs: 400_000,
    intervalMs: 250,
    check: () => {
      if (child.exitCode !== null) throw new Error(`npm run e2e ended before it was killed:\n${output.slice(-3000)}`);
    },
  });
  return { child, output: () => output, history: file };
}

describe('npm run e2e killed with kill -9', () => {
  it('leaves a history that checks, and the next npm run e2e says what it reuses and cleans, then passes', async () => {
    const { child, history } = await e2eRecording(results, 3);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    for (const pid of tree(child.pid as number).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    expect(await exited).toBe('SIGKILL');
    // Killed outright, it could not remove its setup step file.
    const killedStepFile = stepFileFor(child.pid as number).path;
    expect(existsSync(killedStepFile)).toBe(true);
    // What a killed run can leave besides its own ensemble (pkill-java drains nothing, so these are
    // made here, as a run killed elsewhere would leave them): a node it cordoned (a drain killed
    // mid-way) and the namespace of another ensemble of the harness's (zk-chaos run --target kind,
    // the negative control).
    const workers = (await kube.core.listNode()).items.map((n) => n.metadata?.name ?? '').filter((n) => n.includes('worker')).sort();
    cordoned = workers[workers.length - 1] as string;
    await setUnschedulable(kube, cordoned, true);
    await kube.core.createNamespace({ body: { metadata: { name: strayNamespace, labels: { [ENSEMBLE_NAMESPACE_LABEL]: 'true' } } } });

    // What it recorded checks: a verdict (operations in flight are indeterminate), never exit 3.
    const check = spawnSync(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'check', '--json', history], { encoding: 'utf8' });
    expect([0, 1, 2], check.stderr).toContain(check.status);
    expect(JSON.parse(check.stdout).stats.operations).toBeGreaterThan(100);

    // The next run on the same cluster.
    const next = spawnSync(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'e2e', '--suites', 'health', '--seed', '4'], {
      cwd: ROOT,
      env: { ...process.env, ZK_CHAOS_RESULTS: nextResults },
      encoding: 'utf8',
      timeout: 900_000,
    });
    const said = next.stdout + next.stderr;
    expect(next.status, said.slice(-4000)).toBe(0);
    expect(said).toContain(`cluster ${cluster} exists; reusing it`);
    // The killed suite's ensemble, mid-run, is what it finds now.
    expect(said).toContain('namespace zk-chaos is left from an earlier run: the suites re-apply its ensemble and reuse it');
    expect(said).toContain(`keeping cluster ${cluster} (it existed before this run)`);
    // ... and what else the killed run left: uncordoned, deleted, each named.
    expect(said).toContain(`uncordoning nodes an earlier run left cordoned: ${cordoned}`);
    expect(said).toMatch(new RegExp(`deleting namespaces an earlier run left \\([^)]*${strayNamespace}[^)]*\\)`));
    expect((await kube.core.readNode({ name: cordoned })).spec?.unschedulable ?? false).toBe(false);
    cordoned = undefined;
    const stray = await kube.core.readNamespace({ name: strayNamespace }).then(() => 'still there', () => 'gone');
    expect(stray).toBe('gone');
    // The next run removed the killed run's step file.
    expect(existsSync(killedStepFile)).toBe(false);
  }, 1_500_000);

  it('alone (its suites in a process group of their own live on), stops its suites: they record the interruption', async () => {
    const { child, output } = await e2eRecording(aloneResults, 5);
    const started = tree(child.pid as number);
    process.kill(child.pid as number, 'SIGKILL');
    // Its suites notice within seconds and stop as a cancelled job's would.
    await waitFor('the suites to stop by themselves', async () => {
      const alive = started.filter((pid) => spawnSync('kill', ['-0', String(pid)]).status === 0);
      return alive.length === 0 ? ready(true) : notYet(`still running: ${alive.join(' ')}`);
    }, { timeoutMs: 90_000, intervalMs: 1000 });
    expect(output()).toMatch(/npm run e2e \(pid \d+\) is gone: stopping the suites/);
    const junit = readFileSync(join(aloneResults, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="suites\/03-pkill-java\.test\.ts" name="[^"]+" time="[^"]*"><error type="interrupted" message="interrupted by SIGTERM during: /);
    // Its step file stays until the next run sweeps it; the test leaves none.
    stepFileFor(child.pid as number).remove();
  }, 900_000);
});
