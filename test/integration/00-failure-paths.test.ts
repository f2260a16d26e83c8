import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The failure paths a newcomer meets first, run for real: each step that fails stops the run with
 * its own message and the fix, no failure surfaces as another one, and nothing reports a cluster
 * that does not exist.
 */

const ROOT = join(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-failure-paths-'));
afterAll(() => {
  spawnSync('chmod', ['-R', 'u+w', scratch]); // the Go module cache is read-only
  rmSync(scratch, { recursive: true, force: true });
});

/** An environment with empty caches, the Go module proxy switched off and a cluster name no one uses. */
function offlineEnv(name: string): NodeJS.ProcessEnv {
  const dir = join(scratch, name);
  return {
    ...process.env,
    ZK_CHAOS_CACHE: join(dir, 'cache'),
    GOMODCACHE: join(dir, 'gomod'),
    GOPROXY: 'off',
    ZK_CHAOS_OFFLINE: '1',
    ZK_CHAOS_CLUSTER: 'zk-chaos-never-created',
    ZK_CHAOS_RESULTS: join(dir, 'results'),
  };
}

/** True when the host's own Go is new enough that the scripts use it (go.sh's rule, asked of go.sh). */
function hostHasGo(): boolean {
  return spawnSync('bash', [join(ROOT, 'scripts/ensure-go.sh'), '--check'], { encoding: 'utf8' }).status === 0;
}

const run = (command: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });

describe('a cold toolchain without the Go module proxy', () => {
  it('stops at the download step, naming it, the module and the proxy setting', () => {
    const r = run('bash', ['scripts/kind/toolchain.sh'], offlineEnv('toolchain'));
    expect(r.status).not.toBe(0);
    if (hostHasGo()) {
      expect(r.stderr).toMatch(/FAILED at step "downloading the Go module sigs\.k8s\.io\/kind@v[\d.]+ \(its manifests and base files\)"/);
      expect(r.stderr).toContain('fix: check access to the Go module proxy');
    } else {
      // Without Go the first download is Go's own, and the proxy switched off forbids it.
      expect(r.stderr).toContain('FAILED: Go >= 1.24 is missing and GOPROXY=off names no proxy to fetch it from');
      expect(r.stderr).toContain('fix: install Go >= 1.24, or check access to the Go module proxy');
    }
    expect(r.stderr).toContain('GOPROXY=off');
    expect(r.stdout).toBe(''); // names no kind binary or node image that was never built
  });

  it('makes cluster:up fail with its own message, not an unrelated bash error', () => {
    const r = run('bash', ['scripts/cluster-up.sh'], offlineEnv('cluster-up'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('[cluster] FAILED: building the offline kind toolchain failed (its failing step is named above)');
    expect(r.stderr).not.toMatch(/unbound variable|No such file or directory/);
  });

  it('makes npm run e2e stop before any suite and claim no cluster', () => {
    const r = run(process.execPath, ['harness/cli/zk-chaos.ts', 'e2e', '--offline', '--seed', '1'], offlineEnv('e2e'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('[e2e] cluster up: failed (exit 1)');
    expect(r.stdout).toContain('no cluster zk-chaos-never-created exists: nothing to clean up');
    expect(r.stdout).not.toContain('existed before this run');
    expect(r.stdout).not.toContain('[e2e] suites');
    // The JUnit file says what happened instead of showing an earlier run's results.
    const junit = readFileSync(join(scratch, 'e2e', 'results', 'junit.xml'), 'utf8');
    expect(junit).toContain('<testcase classname="npm run e2e" name="cluster up" time="0.000"><failure message="the kind cluster could not be created');
  });
});

describe('npm run e2e against a cluster it cannot use', () => {
  const kubeconfig = join(scratch, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: dead, context: {cluster: dead, user: u}}]',
      'current-context: dead',
      '',
    ].join('\n'),
  );
  const e2e = (...args: string[]) =>
    run(process.execPath, ['harness/cli/zk-chaos.ts', 'e2e', '--seed', '1', ...args], { ...process.env, ZK_CHAOS_RESULTS: join(scratch, 'e2e-context-results') });

  it('an unknown context is one line naming the contexts there are', () => {
    const r = e2e('--context', 'nope', '--kubeconfig', kubeconfig);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`zk-chaos e2e: context "nope" is not in ${kubeconfig} (it has: dead); pass --context with one of them`]);
    expect(r.stdout).not.toContain('[e2e] suites');
  });

  it('a missing kubeconfig is one line', () => {
    const r = e2e('--context', 'any', '--kubeconfig', join(scratch, 'absent'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`no kubeconfig at ${join(scratch, 'absent')}`);
  });

  it('a kubeconfig that is not YAML is one line naming the file', () => {
    const broken = join(scratch, 'broken-kubeconfig');
    writeFileSync(broken, 'garbage: [\n');
    const r = e2e('--context', 'any', '--kubeconfig', broken);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`zk-chaos e2e: ${broken} is not a readable kubeconfig (`);
  });

  it('an API server that does not answer is one line naming it', () => {
    const r = e2e('--context', 'dead', '--kubeconfig', kubeconfig);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cannot reach the API server https://127.0.0.1:1 (context dead)');
  });

  it('a ZooKeeper version that is not a release number, or given with --image, is refused before anything starts', () => {
    const version = e2e('--context', 'dead', '--zk-version', 'latest');
    expect(version.status).toBe(2);
    expect(version.stderr).toContain('--zk-version needs a ZooKeeper release number such as 3.4.10 or 3.9.1 (got "latest")');
    const both = e2e('--context', 'dead', '--zk-version', '3.4.10', '--image', 'x:y');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('give --image or --zk-version, not both');
  });

  it('the seed is --seed, else ZK_CHAOS_SEED (what a report\'s rerun line sets), for e2e and run alike', () => {
    const env = { ...process.env, ZK_CHAOS_RESULTS: join(scratch, 'seed-results'), ZK_CHAOS_SEED: '424242' };
    const fromEnvironment = run(process.execPath, ['harness/cli/zk-chaos.ts', 'e2e', '--context', 'nope', '--kubeconfig', kubeconfig], env);
    expect(fromEnvironment.stdout).toContain('[e2e] seed 424242 (rerun with: npm run e2e -- --seed 424242)');
    const flagWins = run(process.execPath, ['harness/cli/zk-chaos.ts', 'e2e', '--seed', '5', '--context', 'nope', '--kubeconfig', kubeconfig], env);
    expect(flagWins.stdout).toContain('[e2e] seed 5 ');
    const runCommand = run(process.execPath, ['harness/cli/zk-chaos.ts', 'run', '--target', 'context:nope', '--image', 'x:y'], { ...env, KUBECONFIG: kubeconfig });
    expect(runCommand.stdout + runCommand.stderr).toContain('[run] seed 424242 (replay with --seed 424242)');
  });

  it('an unknown suite is named with the suites there are', () => {
    const r = e2e('--context', 'dead', '--suites', 'health,bogus');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown suite "bogus"; suites: health,');
  });
});
