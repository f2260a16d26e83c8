import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../harness/cli/cache-dir.ts';
import { Kube } from '../../harness/kube/client.ts';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';
import { linesOf, runHistory } from '../support/run-history.ts';

/**
 * Ctrl-C in five phases of `npm run e2e`. While it creates its cluster, and while it loads the
 * ZooKeeper image into the new cluster's workers (before any suite): e2e stops that step, deletes
 * the half-made cluster, and leaves a JUnit file and e2e-timings.json that say the run was
 * interrupted during cluster up, and at which step (a second kind cluster, without port mappings,
 * so it does not collide with the one the other cluster tests use). While
 * a suite starts its ensemble, in the middle of a suite's workload, and while a suite checks its
 * history: on the cluster the other cluster tests use, which existed before and so is kept.
 */
const ROOT = join(import.meta.dirname, '../..');
const name = 'zk-chaos-interrupt';
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-interrupt-'));
const suiteResults = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-interrupt-suite-'));
const startResults = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-interrupt-start-'));
const cache = cacheDir();
const kind = (): string => readFileSync(join(cache, 'kind-binary'), 'utf8').trim();
const nodes = (): string[] =>
  spawnSync('docker', ['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${name}`, '--format', '{{.Names}}'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

afterAll(() => {
  // Whatever happens above, no second cluster is left running, and no marker: a clean-up stopped
  // mid-way (the second Ctrl-C) is finished here by the same script.
  if (nodes().length > 0 || existsSync(join(cache, `cluster-created-${name}`))) {
    spawnSync('bash', ['scripts/cluster-down.sh'], { cwd: ROOT, env: { ...process.env, ZK_CHAOS_CLUSTER: name }, stdio: 'ignore' });
  }
  rmSync(results, { recursive: true, force: true });
  rmSync(suiteResults, { recursive: true, force: true });
  rmSync(startResults, { recursive: true, force: true });
});

/**
 * Starts `npm run e2e` with the given arguments and environment, sends Ctrl-C (to the whole
 * process group, as a terminal does) once `ready(output so far)` says so, and returns its exit code
 * and output. `ready` answering 'signal' sends an earlier Ctrl-C and keeps watching.
 */
async function interruptE2e(args: string[], env: Record<string, string>, ready: (output: string) => boolean | 'signal' | Promise<boolean>): Promise<{ code: number | null; output: string; interruptedInTime: boolean }> {
  const child = spawn(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'e2e', ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 400_000;
  let interruptedInTime = false;
  while (child.exitCode === null && Date.now() < deadline) {
    const now = await ready(output);
    if (now === 'signal') {
      // a Ctrl-C before the last one; keep watching
      process.kill(-(child.pid as number), 'SIGINT');
    } else if (now) {
      interruptedInTime = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    process.kill(-(child.pid as number), 'SIGINT');
  } catch {
    // it had already ended: interruptedInTime says so
  }
  return { code: await exited, output, interruptedInTime };
}

describe('npm run e2e interrupted while it creates the cluster', () => {
  it('removes the half-made cluster and records the interruption in JUnit and e2e-timings.json', async () => {
    // Interrupt once kind has made the node containers.
    const { code, output, interruptedInTime } = await interruptE2e(['--seed', '1'], { ZK_CHAOS_CLUSTER: name, ZK_CHAOS_PORT_MAPPINGS: '0', ZK_CHAOS_RESULTS: results }, () => nodes().length > 0);
    expect(interruptedInTime, output.slice(-3000)).toBe(true);
    expect(code, output.slice(-3000)).toBe(130);

    expect(output).toContain('[e2e] interrupted (SIGINT) during cluster up');
    expect(nodes(), output.slice(-3000)).toEqual([]);
    expect(existsSync(join(cache, `cluster-created-${name}`))).toBe(false);
    const junit = readFileSync(join(results, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="cluster up"');
    expect(junit).toMatch(/<error type="interrupted" message="interrupted by SIGINT during cluster up \(step: creating cluster zk-chaos-interrupt [^"]*\); no suite ran"/);
    const timings = JSON.parse(readFileSync(join(results, 'e2e-timings.json'), 'utf8'));
    expect(timings.exitCode).toBe(130);
    expect(timings.interrupted).toMatchObject({ signal: 'SIGINT', phase: 'cluster up' });
    expect(timings.interrupted.step).toMatch(/^creating cluster zk-chaos-interrupt /);
  });

  it('stops the image load too, removes the cluster and names the step', async () => {
    // A new cluster's workers have none of the image: `kind load` copies it whole into each (seconds,
    // against the 0.25 s between looks at the output).
    const loading = /loading \S+ into the workers [^\n]* \.\.\.\n/;
    const { code, output, interruptedInTime } = await interruptE2e(['--seed', '1'], { ZK_CHAOS_CLUSTER: name, ZK_CHAOS_PORT_MAPPINGS: '0', ZK_CHAOS_RESULTS: results }, (sofar) => loading.test(sofar));
    expect(interruptedInTime, output.slice(-3000)).toBe(true);
    expect(code, output.slice(-3000)).toBe(130);
    // Interrupted before the load finished: its step never said done.
    expect(output).not.toMatch(/into the workers [^\n]*: done in/);

    expect(output).toContain('[e2e] interrupted (SIGINT) during cluster up');
    expect(nodes(), output.slice(-3000)).toEqual([]);
    // The cluster was made and then deleted: cluster-up.sh's "created here" note went with it.
    expect(existsSync(join(cache, `cluster-created-${name}`))).toBe(false);
    const junit = readFileSync(join(results, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<error type="interrupted" message="interrupted by SIGINT during cluster up \(step: loading \S+ into the workers [^"]*\); no suite ran"/);
    const timings = JSON.parse(readFileSync(join(results, 'e2e-timings.json'), 'utf8'));
    expect(timings.interrupted).toMatchObject({ signal: 'SIGINT', phase: 'cluster up' });
    expect(timings.interrupted.step).toMatch(/^loading \S+ into the workers /);
  });
});

describe('npm run e2e interrupted twice', () => {
  it('stops the clean-up at the second Ctrl-C and says what is left and how to remove it', async () => {
    // The first Ctrl-C once kind has made the node containers, the second once the clean-up runs.
    let first = false;
    const { code, output, interruptedInTime } = await interruptE2e(['--seed', '1'], { ZK_CHAOS_CLUSTER: name, ZK_CHAOS_PORT_MAPPINGS: '0', ZK_CHAOS_RESULTS: results }, (sofar) => {
      if (!first && nodes().length > 0) {
        first = true;
        return 'signal';
      }
      return sofar.includes('[e2e] cluster down ...');
    });
    expect(interruptedInTime, output.slice(-3000)).toBe(true);
    expect(code, output.slice(-3000)).toBe(130);
    expect(output).toContain('[e2e] interrupted (SIGINT) during cluster up');
    expect(output).toContain(`[e2e] stopped during cluster down. Left behind: the kind cluster ${name} (npm run cluster:down deletes it)`);
    expect(output).not.toMatch(/\[e2e\] cluster down: done/);
    const timings = JSON.parse(readFileSync(join(results, 'e2e-timings.json'), 'utf8'));
    expect(timings.exitCode).toBe(130);
    expect(timings.interrupted).toMatchObject({ signal: 'SIGINT', phase: 'cluster up' });
    // afterAll removes what the stopped clean-up left.
  });
});

const mainCluster = process.env.ZK_CHAOS_CLUSTER ?? 'zk-chaos';

describe('npm run e2e interrupted while a suite starts its ensemble', () => {
  it('marks that suite interrupted in its beforeAll, with the phase, in JUnit and e2e-timings.json', async () => {
    const kube = Kube.load({ context: `kind-${mainCluster}` });
    // No ensemble to reuse: the suite has to start one. The namespace is gone before e2e starts:
    // while it goes away its old StatefulSet would look like the new one.
    await kube.core.deleteNamespace({ name: 'zk-chaos' }).catch(() => undefined);
    await waitFor('namespace zk-chaos to be gone', async () => ((await kube.core.readNamespace({ name: 'zk-chaos' }).then(() => true, () => false)) ? notYet('terminating') : ready(true)), { timeoutMs: 300_000, intervalMs: 1000 });
    const statefulSet = () => kube.apps.readNamespacedStatefulSet({ name: 'zk', namespace: 'zk-chaos' }).then((sts) => sts.metadata?.deletionTimestamp === undefined, () => false);
    const { code, output, interruptedInTime } = await interruptE2e(['--suites', 'health', '--seed', '2'], { ZK_CHAOS_RESULTS: startResults }, statefulSet);
    expect(interruptedInTime, output.slice(-3000)).toBe(true);
    expect(code, output.slice(-3000)).toBe(130);
    const junit = readFileSync(join(startResults, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="suites\/01-health\.test\.ts" name="[^"]+" time="[^"]*"><error type="interrupted" message="interrupted by SIGINT during: beforeAll/);
    const timings = JSON.parse(readFileSync(join(startResults, 'e2e-timings.json'), 'utf8'));
    expect(timings.exitCode).toBe(130);
    expect(timings.interrupted).toMatchObject({ signal: 'SIGINT', phase: 'suites' });
    expect(timings.interrupted.tests[0]).toMatchObject({ file: 'suites/01-health.test.ts' });
    expect(timings.interrupted.tests[0].phase).toMatch(/^beforeAll/);
  });
});

describe('npm run e2e interrupted in the middle of a suite', () => {
  it('keeps a JUnit file naming the interrupted suite, and gives its run a verdict (unknown) and a report; the cluster that existed stays', async () => {
    // Interrupt once the suite's workload has recorded a few hundred events.
    const history = (): string | undefined => runHistory(suiteResults, 'pkill-java-');
    const lines = (): number => linesOf(history());
    // ... and its fault has begun, so the folder has faults to keep as well.
    const faultBegun = (): boolean => {
      const file = history();
      return file !== undefined && existsSync(join(file, '..', 'faults.jsonl')) && readFileSync(join(file, '..', 'faults.jsonl'), 'utf8').length > 0;
    };
    const { code, output, interruptedInTime } = await interruptE2e(['--suites', 'pkill-java', '--seed', '2'], { ZK_CHAOS_RESULTS: suiteResults }, () => lines() >= 300 && faultBegun());
    expect(interruptedInTime, output.slice(-3000)).toBe(true);
    expect(code, output.slice(-3000)).toBe(130);

    const junit = readFileSync(join(suiteResults, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="suites\/03-pkill-java\.test\.ts" name="[^"]+" time="[^"]*"><error type="interrupted" message="interrupted by SIGINT during: \[e2e\] /);
    const timings = JSON.parse(readFileSync(join(suiteResults, 'e2e-timings.json'), 'utf8'));
    expect(timings.exitCode).toBe(130);
    expect(timings.interrupted).toMatchObject({ signal: 'SIGINT' });
    const folder = join(history()!, '..');
    const verdict = JSON.parse(readFileSync(join(folder, 'verdict.json'), 'utf8'));
    if (verdict.validity !== 'unknown') {
      // The temporary results go in afterAll: a run that surprises is kept where its report can be read.
      const kept = join(ROOT, 'test-results', `e2e-interrupted-${basename(folder)}`);
      cpSync(folder, kept, { recursive: true });
      expect.fail(`verdict ${verdict.validity}, not unknown (the run is kept in ${kept}): ${JSON.stringify(verdict.anomalies).slice(0, 3000)}`);
    }
    expect(verdict.unknownKeys[0].reason).toContain('the run was interrupted (SIGINT during the suites)');
    expect(readFileSync(join(folder, 'report.html'), 'utf8')).toContain('<p>The run was interrupted (SIGINT during the suites)');
    // What was recorded stays: the fault begun and the pods seen (the pod watch's first listing).
    expect(readFileSync(join(folder, 'faults.jsonl'), 'utf8')).toContain('pkill');
    expect(readFileSync(join(folder, 'events.jsonl'), 'utf8')).toContain('"source":"pod-watch"');
    // The cluster existed before this run: it is kept (and with it the suite's ensemble, whose node
    // ports the next run on the cluster takes back: kind-faults.test.ts).
    expect(spawnSync(kind(), ['get', 'clusters'], { encoding: 'utf8' }).stdout.split('\n')).toContain(mainCluster);
  });
});

describe('npm run e2e interrupted while a suite checks its history', () => {
  it('names the suite interrupted in JUnit; its run, whose history was whole, keeps the checker\'s verdict and gets a report', async () => {
    const checkResults = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-interrupt-check-'));
    // The cluster the other tests use is listed by kind before e2e looks for it (a listing made
    // while the engine is busy can come back without it, and e2e would then try to create it).
    await waitFor(`kind to list cluster ${mainCluster}`, async () => {
      const listed = spawnSync(kind(), ['get', 'clusters'], { encoding: 'utf8' });
      return listed.status === 0 && listed.stdout.split('\n').includes(mainCluster) ? ready(true) : notYet(`${listed.status}: ${listed.stdout.trim()} ${listed.stderr.trim()}`);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    try {
      // The check of a short history takes milliseconds: the run is held there (ZK_CHAOS_HOLD_AT) to be interrupted in it.
      const { code, output, interruptedInTime } = await interruptE2e(['--suites', 'health', '--seed', '3'], { ZK_CHAOS_RESULTS: checkResults, ZK_CHAOS_HOLD_AT: 'check' }, (out) => out.includes('holding at check'));
      expect(interruptedInTime, output.slice(-3000)).toBe(true);
      expect(code, output.slice(-3000)).toBe(130);
      const junit = readFileSync(join(checkResults, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testcase classname="suites\/01-health\.test\.ts" name="[^"]+" time="[^"]*"><error type="interrupted" message="interrupted by SIGINT during: [^"]*holding at check/);
      const run = readdirSync(checkResults).find((d) => d.startsWith('health-'));
      expect(run, readdirSync(checkResults).join(', ')).toBeDefined();
      const folder = join(checkResults, run!);
      expect(readFileSync(join(folder, 'events.jsonl'), 'utf8')).toContain('"kind":"history-complete"');
      const verdict = JSON.parse(readFileSync(join(folder, 'verdict.json'), 'utf8'));
      expect(verdict.validity).toBe('valid');
      expect(verdict.stats.operations).toBeGreaterThan(50);
      expect(existsSync(join(folder, 'report.html'))).toBe(true);
    } finally {
      rmSync(checkResults, { recursive: true, force: true });
    }
  });
});
