import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';
import { HOLD_PHASES } from '../../harness/run/environment.ts';
import { runHistory, waitForHistory } from '../support/run-history.ts';

/**
 * `zk-chaos run` interrupted in its phases: while its ensemble starts (there is no ensemble to
 * stop yet, only containers and a network halfway made), while its workload runs (the run's
 * folder gets a verdict, never valid, and a report), and in the phases that last milliseconds —
 * final reads, check, report — held there by ZK_CHAOS_HOLD_AT so the signal lands in them. Nothing
 * it started is left behind.
 */
const ROOT = join(import.meta.dirname, '../..');
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-run-interrupted-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const labelled = (kind: 'ps' | 'network', seed: number): string[] =>
  spawnSync('docker', [...(kind === 'ps' ? ['ps', '-a'] : ['network', 'ls']), '-q', '--filter', `label=io.zk-chaos.run=${seed}`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);

function startRun(seed: number, hold?: { at: string; timeLimit: number }) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'docker', '--nemesis', 'none', '--time-limit', String(hold?.timeLimit ?? 120), '--seed', String(seed)],
    { cwd: ROOT, env: { ...process.env, ZK_CHAOS_RESULTS: results, ...(hold ? { ZK_CHAOS_HOLD_AT: hold.at } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('zk-chaos run interrupted', () => {
  it('while its ensemble starts: exits 130 and leaves no container or network', async () => {
    const seed = 910_001;
    const run = startRun(seed);
    // Containers exist, no run folder yet: the start is under way.
    await waitFor('the ensemble to be starting', async () => {
      const folders = existsSync(results) ? readdirSync(results).length : 0;
      const containers = labelled('ps', seed).length;
      if (folders > 0) throw new Error('the run started before it could be interrupted while starting');
      return containers > 0 ? ready(containers) : notYet(`${containers} containers; ${run.stderr().slice(-200)}`);
    }, { timeoutMs: 120_000, intervalMs: 100 });
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr().slice(-2000)).toBe(130);
    expect(labelled('ps', seed)).toEqual([]);
    expect(labelled('network', seed)).toEqual([]);
  }, 300_000);

  it('while its workload runs: the run folder gets an unknown verdict and a report, and no container is left', async () => {
    const seed = 910_002;
    const run = startRun(seed);
    const history = await waitForHistory('the workload to record operations', () => runHistory(results, 'run-docker-'), 200, { timeoutMs: 180_000, detail: () => run.stderr().slice(-200) });
    run.child.kill('SIGTERM');
    expect(await run.exited, run.stderr().slice(-2000)).toBe(130);
    const folder = join(history, '..');
    const verdict = JSON.parse(readFileSync(join(folder, 'verdict.json'), 'utf8'));
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys[0].reason).toContain('the run was interrupted (SIGTERM during npx zk-chaos run)');
    expect(verdict.stats.operations).toBeGreaterThan(50);
    expect(existsSync(join(folder, 'report.html'))).toBe(true);
    expect(run.stderr()).toContain('interrupted run kept');
    // A CI job's test summary says the run was cut short: an error, never a pass.
    const junit = readFileSync(join(results, 'junit-run.xml'), 'utf8');
    expect(junit).toContain(`<testcase classname="zk-chaos run (ZooKeeper default, docker)" name="run 1, seed ${seed}"`);
    expect(junit).toContain('<error type="interrupted" message="interrupted by SIGTERM: no verdict">');
    expect(labelled('ps', seed)).toEqual([]);
    expect(labelled('network', seed)).toEqual([]);
  }, 300_000);

  /** What each phase leaves: the verdict's validity and its first reason (undefined: none names the interruption). */
  const expected: Record<(typeof HOLD_PHASES)[number], { validity: string; interrupted: boolean }> = {
    // Only one member was read: the history is not whole, so no verdict can be valid.
    'final reads': { validity: 'unknown', interrupted: true },
    // The history was whole: the checker's verdict on it is the run's.
    check: { validity: 'valid', interrupted: false },
    // The verdict was written before the signal; only the report was left to make.
    report: { validity: 'valid', interrupted: false },
  };

  it.each(HOLD_PHASES.map((phase, i) => [phase, 910_003 + i] as const))('during %s: exits 130, the folder gets the right verdict and a report, no container is left', async (phase, seed) => {
    const run = startRun(seed, { at: phase, timeLimit: 20 });
    await waitFor(`the run to hold at ${phase}`, async () => {
      if (run.stderr().includes(`holding at ${phase}`) || run.child.exitCode !== null) return ready(true);
      return notYet(run.stderr().slice(-200));
    }, { timeoutMs: 240_000, intervalMs: 200 });
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr().slice(-2000)).toBe(130);
    const folder = readdirSync(results)
      .map((d) => join(results, d))
      .find((d) => existsSync(join(d, 'seed')) && readFileSync(join(d, 'seed'), 'utf8').trim() === String(seed));
    expect(folder, `no run folder with seed ${seed}`).toBeDefined();
    const verdict = JSON.parse(readFileSync(join(folder!, 'verdict.json'), 'utf8'));
    expect(verdict.validity).toBe(expected[phase].validity);
    const named = (verdict.unknownKeys as { reason: string }[]).some((u) => u.reason.includes('the run was interrupted (SIGINT during npx zk-chaos run)'));
    expect(named).toBe(expected[phase].interrupted);
    expect(verdict.stats.operations).toBeGreaterThan(50);
    if (phase === 'final reads') {
      // The final reads of the member read before the hold are in the history.
      const finals = readFileSync(join(folder!, 'history.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"final":true'));
      expect(finals.length).toBeGreaterThan(0);
    }
    expect(existsSync(join(folder!, 'report.html'))).toBe(true);
    expect(run.stderr()).toContain('interrupted run kept');
    expect(labelled('ps', seed)).toEqual([]);
    expect(labelled('network', seed)).toEqual([]);
  }, 300_000);
});
