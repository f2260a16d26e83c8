import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Ctrl-C while `npm run e2e` creates its cluster (the phase before any suite): e2e stops the
 * creation, deletes the half-made cluster, and leaves a JUnit file and e2e-timings.json that say
 * the run was interrupted during cluster up. A second kind cluster, without port mappings, so it
 * does not collide with the one the other cluster tests use.
 */
const ROOT = join(import.meta.dirname, '../..');
const name = 'zk-chaos-interrupt';
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-e2e-interrupt-'));
const cache = process.env.ZK_CHAOS_CACHE ?? join(homedir(), '.cache', 'zk-chaos');
const kind = (): string => readFileSync(join(cache, 'kind-binary'), 'utf8').trim();
const nodes = (): string[] =>
  spawnSync('docker', ['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${name}`, '--format', '{{.Names}}'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

afterAll(() => {
  // Whatever happens above, no second cluster is left running.
  if (nodes().length > 0) spawnSync(kind(), ['delete', 'cluster', '--name', name], { stdio: 'ignore' });
  rmSync(results, { recursive: true, force: true });
});

describe('npm run e2e interrupted while it creates the cluster', () => {
  it('removes the half-made cluster and records the interruption in JUnit and e2e-timings.json', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'e2e', '--seed', '1'], {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, ZK_CHAOS_CLUSTER: name, ZK_CHAOS_PORT_MAPPINGS: '0', ZK_CHAOS_RESULTS: results },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once kind has made the node containers (Ctrl-C reaches the whole process group).
    const deadline = Date.now() + 300_000;
    while (nodes().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(nodes().length, output.slice(-3000)).toBeGreaterThan(0);
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited, output.slice(-3000)).toBe(130);

    expect(output).toContain('[e2e] interrupted (SIGINT) during cluster up');
    expect(nodes(), output.slice(-3000)).toEqual([]);
    const junit = readFileSync(join(results, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="cluster up"');
    expect(junit).toMatch(/<error type="interrupted" message="interrupted by SIGINT during cluster up; no suite ran"/);
    const timings = JSON.parse(readFileSync(join(results, 'e2e-timings.json'), 'utf8'));
    expect(timings.exitCode).toBe(130);
    expect(timings.interrupted).toMatchObject({ signal: 'SIGINT', phase: 'cluster up' });
    expect(existsSync(join(cache, `cluster-created-${name}`))).toBe(false);
  });
});
