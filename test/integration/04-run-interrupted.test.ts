import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';

/**
 * `zk-chaos run` interrupted in its phases: while its ensemble starts (there is no ensemble to
 * stop yet, only containers and a network halfway made), and while its workload runs (the run's
 * folder gets a verdict, never valid, and a report). Nothing it started is left behind.
 */
const ROOT = join(import.meta.dirname, '../..');
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-run-interrupted-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const labelled = (kind: 'ps' | 'network', seed: number): string[] =>
  spawnSync('docker', [...(kind === 'ps' ? ['ps', '-a'] : ['network', 'ls']), '-q', '--filter', `label=io.zk-chaos.run=${seed}`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);

function startRun(seed: number) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'docker', '--nemesis', 'none', '--time-limit', '120', '--seed', String(seed)],
    { cwd: ROOT, env: { ...process.env, ZK_CHAOS_RESULTS: results }, stdio: ['ignore', 'pipe', 'pipe'] },
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
    const history = await waitFor('the workload to record operations', async () => {
      const folder = readdirSync(results).find((d) => d.startsWith('run-docker-'));
      const file = folder && join(results, folder, 'history.jsonl');
      const lines = file && existsSync(file) ? readFileSync(file, 'utf8').split('\n').length : 0;
      return lines > 200 ? ready(file as string) : notYet(`${lines} lines; ${run.stderr().slice(-200)}`);
    }, { timeoutMs: 180_000 });
    run.child.kill('SIGTERM');
    expect(await run.exited, run.stderr().slice(-2000)).toBe(130);
    const folder = join(history, '..');
    const verdict = JSON.parse(readFileSync(join(folder, 'verdict.json'), 'utf8'));
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys[0].reason).toContain('the run was interrupted (SIGTERM during npx zk-chaos run)');
    expect(verdict.stats.operations).toBeGreaterThan(50);
    expect(existsSync(join(folder, 'report.html'))).toBe(true);
    expect(run.stderr()).toContain('interrupted run kept');
    expect(labelled('ps', seed)).toEqual([]);
    expect(labelled('network', seed)).toEqual([]);
  }, 300_000);
});
