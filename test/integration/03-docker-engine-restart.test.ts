import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runHistory, waitForHistory } from '../support/run-history.ts';

/**
 * The Docker engine restarting under `zk-chaos run --target docker`. Every member dies with the
 * engine, so nothing after that moment says anything about ZooKeeper: the run must stop at once,
 * name the engine as the cause, keep what it recorded (checked: unknown, no anomaly) and give it a
 * report — never an invalid verdict, never a ZooKeeper failure.
 *
 * The engine restarted is one of the test's own (scripts/docker-engine.sh with
 * ZK_CHAOS_DOCKERD_DIR), in a network namespace of its own with the run inside it, so the
 * machine's engine and whatever else it runs (a kind cluster) are not touched.
 */
const ROOT = join(import.meta.dirname, '../..');
const namespace = `zk-chaos-engine-${process.pid}`;
// Short: the engine's sockets live under it, and a socket path must stay under 108 bytes.
const dir = `/tmp/zkc-engine-${process.pid}`;
const engineDir = join(dir, 'engine');
const results = join(dir, 'results');
const host = `unix://${engineDir}/docker.sock`;

// nsenter, not ip netns exec: that one mounts a sysfs of its own, which hides the cgroup
// hierarchy dockerd needs.
const inNamespace = (command: string[], env: Record<string, string> = {}) =>
  [`--net=/run/netns/${namespace}`, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command];
const engine = (...args: string[]) =>
  execFileSync('nsenter', inNamespace(['bash', join(ROOT, 'scripts/docker-engine.sh'), ...args], { ZK_CHAOS_DOCKERD_DIR: engineDir }), { stdio: ['ignore', 'ignore', 'inherit'] });

// A network namespace and a dockerd of the test's own need root on Linux: without it this test is
// reported skipped, never passed (CI here runs as root, so it runs).
const asRoot = process.platform === 'linux' && process.getuid?.() === 0;

describe.runIf(asRoot)('the Docker engine restarting during zk-chaos run --target docker', () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    execFileSync('ip', ['netns', 'add', namespace]);
    execFileSync('nsenter', [`--net=/run/netns/${namespace}`, 'ip', 'link', 'set', 'lo', 'up']);
    engine();
    // The image from the machine's engine: nothing is pulled.
    execFileSync('bash', ['-c', `docker save "$1" | docker --host "$2" load -q`, 'load', inject('zkImage'), host], { stdio: ['ignore', 'ignore', 'inherit'] });
  }, 180_000);

  afterAll(() => {
    try {
      engine('stop');
    } finally {
      execFileSync('ip', ['netns', 'delete', namespace], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  // Paused: the harness sleeps through the restart, so the engine answers again by the time it sees
  // its event stream end (what a quick restart does to a busy harness).
  it.each([
    { how: 'while the harness runs', pause: false },
    { how: 'while the harness is paused, so the engine answers again when it looks', pause: true },
  ])("stops the run as the harness's failure, keeps the history and gives it a report, never a ZooKeeper anomaly ($how)", async ({ pause }) => {
    rmSync(results, { recursive: true, force: true });
    const started = Date.now();
    const child = spawn(
      'nsenter',
      inNamespace(
        [process.execPath, join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'docker', '--nemesis', 'none', '--time-limit', '120', '--seed', '5', '--image', inject('zkImage')],
        { DOCKER_HOST: host, ZK_CHAOS_RESULTS: results, TESTCONTAINERS_RYUK_DISABLED: 'true' },
      ),
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const history = await waitForHistory('the run to record operations', () => runHistory(results, 'run-docker-'), 300, { timeoutMs: 120_000, detail: () => stderr.slice(-300) });

    const restartedAt = Date.now();
    if (pause) process.kill(child.pid!, 'SIGSTOP');
    engine('stop');
    engine();
    if (pause) process.kill(child.pid!, 'SIGCONT');
    const code = await exited;
    const folder = join(history, '..');

    // Stopped when the engine went, not after the 120 s the run was meant to last.
    expect(Date.now() - restartedAt, stderr.slice(-3000)).toBeLessThan(90_000);
    expect(Date.now() - started).toBeLessThan(120_000 + 60_000);
    // The harness's failure, named as such, with its cause and the fix; the exit code of an error.
    expect(stderr).toContain('the harness failed, not ZooKeeper');
    expect(stderr).toMatch(/the Docker engine (went away|stopped answering)/);
    expect(stderr).toContain('start the Docker engine again');
    expect(code, stderr.slice(-3000)).toBe(2);
    expect(stdout).toMatch(/\serror\s/);
    // The run's events say when the harness lost its engine.
    const events = readFileSync(join(folder, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.source === 'harness' && e.kind === 'failed')).toHaveLength(1);
    // What was recorded is kept, checked, and judged unknown: no final read was made after the
    // members died with the engine, and no anomaly is made of the engine's restart.
    const verdict = JSON.parse(readFileSync(join(folder, 'verdict.json'), 'utf8'));
    expect(verdict.validity).toBe('unknown');
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.stats.byOutcome.ok).toBeGreaterThan(100);
    expect(verdict.unknownKeys[0].reason).toMatch(/the harness stopped \(the Docker engine/);
    expect(readFileSync(join(folder, 'history.jsonl'), 'utf8').endsWith('\n')).toBe(true);
    expect(existsSync(join(folder, 'report.html'))).toBe(true);
  }, 400_000);
});
