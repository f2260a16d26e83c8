import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERAL_FAULTS, HUNT_FAULTS, planSchedule, type FaultKind } from '../../harness/nemesis/schedule.ts';

/**
 * `npx zk-chaos run` end to end on Docker: a fresh ensemble, the seeded schedule written before
 * the workload starts and played under it (targets resolved and recorded), the verdict, the
 * report, and one table row; the exit code follows the verdict.
 */
const ROOT = join(import.meta.dirname, '../..');
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-run-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

describe('zk-chaos run --target docker', () => {
  it('plays the seeded schedule under the workload and ends with a table row per run', () => {
    const seed = 54; // restart-all, isolate, pause, kill and partition all fall in 60 s at a 4 s interval
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'docker', '--nemesis', 'all', '--time-limit', '60', '--interval', '4', '--seed', String(seed)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results }, timeout: 400_000 },
    );
    // The run decides: valid, or invalid when ZooKeeper 3.8.0 really loses data under these faults
    // (see the README's "What zk-chaos finds"); the exit code follows the verdict.
    const [header, row, ...rest] = run.stdout.trim().split('\n');
    expect(header, run.stderr.slice(-3000)).toMatch(/^run\s+seed\s+faults\s+operations\s+ops\/s\s+harness cpu\s+verdict\s+report$/);
    expect(rest).toEqual([]);
    const verdict = new RegExp(`^1\\s+${seed}\\s+\\d+: \\S+\\s+\\d+\\s+\\d+\\s+\\d+ %\\s+(valid|invalid)\\s+\\S+report\\.html$`).exec(row ?? '')?.[1];
    expect(verdict, row).toBeDefined();
    expect(run.status, run.stderr.slice(-3000)).toBe(verdict === 'valid' ? 0 : 1);

    const [dir] = readdirSync(results).filter((d) => d.startsWith('run-docker-')).map((d) => join(results, d));
    // The schedule on disk is the one the seed gives, and it was played: one window per fault.
    const schedule = JSON.parse(readFileSync(join(dir!, 'schedule.json'), 'utf8'));
    expect(schedule).toEqual(planSchedule({ seed, mix: [...GENERAL_FAULTS], timeLimitMs: 60_000, intervalMs: 4_000 }));
    expect(new Set(schedule.faults.map((f: { kind: string }) => f.kind)).size).toBe(5);
    const windows = readFileSync(join(dir!, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((w) => w.event === 'end');
    expect(windows.map((w) => w.name)).toEqual(schedule.faults.map((f: { kind: string }) => f.kind));
    // Each window names its target spec and the members it resolved to.
    windows.forEach((w, i) => expect(w.detail).toMatch(new RegExp(`^${schedule.faults[i].target}: .*zk-\\d`)));
    expect(existsSync(join(dir!, 'report.html'))).toBe(true);
    // What the workload did and how late the harness's loop ran are kept and shown, not only logged.
    const workload = JSON.parse(readFileSync(join(dir!, 'workload.json'), 'utf8'));
    expect(workload.operations).toBeGreaterThan(1_000);
    expect(workload.loopDelayMs.max).toBeGreaterThanOrEqual(workload.loopDelayMs.p99);
    expect(readFileSync(join(dir!, 'report.html'), 'utf8')).toContain(`<dd id="loop-delay">late by p50 ${workload.loopDelayMs.p50} ms, p99 ${workload.loopDelayMs.p99} ms`);
    expect(JSON.parse(readFileSync(join(dir!, 'verdict.json'), 'utf8')).validity).toBe(verdict);
    if (verdict === 'invalid') expect(existsSync(join(dir!, 'diagnostics', 'zk-0.log'))).toBe(true);
  });

  it('--rate paces the workload: the operations recorded per second follow the rate asked (unpaced, six clients make several hundred)', () => {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'docker', '--nemesis', 'none', '--time-limit', '20', '--rate', '40', '--seed', '5'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results }, timeout: 300_000 },
    );
    const row = run.stdout.trim().split('\n')[1] ?? '';
    const [, operations, perSecond] = /^1\s+5\s+0\s+(\d+)\s+(\d+)\s+\d+ %\s+valid\s/.exec(row) ?? [];
    expect(perSecond, `${row}\n${run.stderr.slice(-3000)}`).toBeDefined();
    expect(Number(perSecond)).toBeGreaterThanOrEqual(30);
    expect(Number(perSecond)).toBeLessThanOrEqual(46);
    expect(Number(operations)).toBeLessThan(1_000);
    // How late the harness's own event loop ran under that load: measured and said.
    expect(run.stderr).toMatch(/the harness's event loop ran late by p50 \d+(\.\d)? ms, p99 \d+(\.\d)? ms, max \d+(\.\d)? ms/);
    const zero = spawnSync(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--rate', '0'], { cwd: ROOT, encoding: 'utf8' });
    expect(zero.status).toBe(3);
    expect(zero.stderr).toContain('--rate');
  });

  it('refuses an unknown fault or target with a message naming the known ones, before starting anything', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', ...args], { cwd: ROOT, encoding: 'utf8' });
    const fault = cli('--nemesis', 'kill,partitoin');
    expect(fault.status).toBe(3);
    expect(fault.stderr).toContain('unknown fault "partitoin": use none, or a comma list of the groups all, ops, hunt, tutorial and the faults kill, pause, isolate, partition, restart-all, bridge');
    const version = cli('--zk-version', '3.4');
    expect(version.status).toBe(3);
    expect(version.stderr).toContain('--zk-version needs a ZooKeeper release number such as 3.4.11 or 3.9.1 (got "3.4")');
    const target = cli('--target', 'kube');
    expect(target.status).toBe(3);
    expect(target.stderr).toContain('unknown --target "kube": use docker, kind, or context:NAME');
    const image = cli('--target', 'context:somewhere', '--nemesis', 'kill,partition');
    expect(image.status).toBe(3);
    expect(image.stderr).toContain('--target context:somewhere needs --image');
    const probe = cli('--target', 'docker', '--nemesis', 'tutorial,probe-delete');
    expect(probe.status).toBe(3);
    expect(probe.stderr).toContain('--nemesis probe-delete needs the kubelet\'s liveness probe, which Docker has not: use --target kind or context:NAME');
    const cut = cli('--target', 'kind', '--nemesis', 'snap-sync-cut');
    expect(cut.status).toBe(3);
    expect(cut.stderr).toContain('--nemesis snap-sync-cut needs --target docker (a proxy on this host in a member\'s path to its leader); got --target kind');
    const limit = cli('--time-limit', '5');
    expect(limit.status).toBe(3);
    expect(limit.stderr).toContain(`--time-limit needs a whole number from 20 to ${Number.MAX_SAFE_INTEGER} (got "5")`);
    // Run n takes seed + n - 1: refused before the first run, not as a crash at the third.
    const seeds = cli('--seed', String(Number.MAX_SAFE_INTEGER - 1), '--runs', '3');
    expect(seeds.status).toBe(3);
    expect(seeds.stderr).toContain(`--seed ${Number.MAX_SAFE_INTEGER - 1} with --runs 3 reaches past ${Number.MAX_SAFE_INTEGER} (run n takes seed + n - 1): give a smaller seed or fewer runs`);
  });

  it('--overlap plays network faults beside the others; the ops faults (rolling restart, node loss, bridge) play like any other', () => {
    // pause(leader) with bridge(one) at 10 s, rolling-restart, node-loss(minority) with partition(leader), kill(followers)
    const seed = 3;
    const mix = ['kill', 'pause', 'node-loss', 'rolling-restart', 'partition', 'bridge'];
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'docker', '--nemesis', mix.join(','), '--overlap', '--time-limit', '60', '--interval', '5', '--seed', String(seed)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results }, timeout: 500_000 },
    );
    const row = run.stdout.trim().split('\n')[1] ?? '';
    const verdict = /\s(valid|invalid|error)\s/.exec(row)?.[1];
    expect(verdict, run.stderr.slice(-3000)).toBeDefined();
    // After these faults Debian's 3.8.0 now and then leaves a member out of the quorum past the
    // harness's 120 s wait (in 2 of 6 full test runs, 2026-12-02: once after the final heal, once
    // mid-schedule). The run then ends as an error that says so, never as a verdict; the planned
    // schedule is checked, and the windows that ended are the schedule's own, but the rest of the
    // schedule was never played.
    if (verdict === 'error') expect(run.stderr).toContain('waiting for the ensemble to form a quorum');
    expect(run.status).toBe(verdict === 'valid' ? 0 : verdict === 'invalid' ? 1 : 2);
    const dir = readdirSync(results).filter((d) => d.startsWith('run-docker-')).map((d) => join(results, d)).find((d) => JSON.parse(readFileSync(join(d, 'schedule.json'), 'utf8')).seed === seed);
    const schedule = JSON.parse(readFileSync(join(dir!, 'schedule.json'), 'utf8'));
    expect(schedule).toEqual(planSchedule({ seed, mix: mix as FaultKind[], timeLimitMs: 60_000, intervalMs: 5_000, overlap: true }));
    const lines = readFileSync(join(dir!, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const ends = lines.filter((w) => w.event === 'end');
    const planned = schedule.faults.map((f: { kind: string }) => f.kind).sort();
    if (verdict === 'error' && ends.length < planned.length) {
      expect(ends.length).toBeGreaterThan(0);
      for (const w of ends) expect(planned).toContain(w.name);
      return;
    }
    expect(ends.map((w) => w.name).sort()).toEqual(planned);
    // Windows really overlapped: a network fault was on while another fault was.
    const network = ends.filter((w) => ['partition', 'bridge'].includes(w.name));
    const others = ends.filter((w) => !['partition', 'bridge'].includes(w.name));
    const overlapped = network.filter((n) => others.some((o) => n.start < o.end && o.start < n.end));
    expect(overlapped.length).toBeGreaterThanOrEqual(1);
    expect(ends.find((w) => w.name === 'bridge').detail).toMatch(/bridges the halves: zk-\d -\/-> zk-\d; zk-\d -\/-> zk-\d/);
    expect(ends.find((w) => w.name === 'rolling-restart').detail).toContain('restarted one at a time: zk-2, zk-1, zk-0');
    expect(ends.find((w) => w.name === 'node-loss').detail).toMatch(/container killed .*exited with 137/);
    expect(readFileSync(join(dir!, 'report.html'), 'utf8')).toContain(`--overlap --nemesis ${mix.join(',')} --time-limit 60 --interval 5 --seed ${seed}`);
  });

  it('hunt: plays the hunt faults with hunt settings, restarts every member at the end, and ends with the findings', () => {
    const seed = 26; // lose-followers, crash-majority, partition(leader), kill(leader), then restart-all
    const hunt = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'hunt', '--runs', '1', '--time-limit', '60', '--interval', '5', '--seed', String(seed)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results }, timeout: 500_000 },
    );
    const out = hunt.stdout;
    expect(out, hunt.stderr.slice(-3000)).toMatch(/^hunt of ZooKeeper the default \(Debian 3\.8\.0\): 1 run\(s\) of 60 s$/m);
    // This seed was valid on the default version (hunts exist to find bugs; a finding would show here).
    expect(out).toMatch(/^ {2}verdicts: {2}valid 1$/m);
    expect(out).toMatch(/^ {2}anomalies: none$/m);
    expect(out).toMatch(/^ {2}first finding: none$/m);
    expect(hunt.status, hunt.stderr.slice(-3000)).toBe(0);

    const [dir] = readdirSync(results).filter((d) => d.startsWith('hunt-docker-')).map((d) => join(results, d));
    const schedule = JSON.parse(readFileSync(join(dir!, 'schedule.json'), 'utf8'));
    expect(schedule).toEqual(planSchedule({ seed, mix: [...HUNT_FAULTS], timeLimitMs: 60_000, intervalMs: 5_000, finalRestart: true }));
    const windows = readFileSync(join(dir!, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((w) => w.event === 'end');
    expect(windows.map((w) => w.name)).toEqual(['lose-followers', 'crash-majority', 'partition', 'kill', 'restart-all']);
    // Each hunt says what it did, its heal included.
    expect(windows[0].detail).toMatch(/frozen \(SIGSTOP\); leader zk-\d took writes alone for \d+ ms, then JVM killed .*; heal: old leader zk-\d restarted from its disk/);
    expect(windows[1].detail).toMatch(/ms later.*; heal: zk-\d started, \d+ ms later, zk-\d started/);
    // The report says how to replay this very run.
    expect(readFileSync(join(dir!, 'report.html'), 'utf8')).toContain(`npx zk-chaos hunt --runs 1 --time-limit 60 --interval 5 --seed ${seed}`);
    // One JUnit case per run, for a CI job's test summary.
    const junit = readFileSync(join(results, 'junit-hunt.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`<testsuite name="zk-chaos hunt \\(ZooKeeper default, docker\\)" tests="1" failures="0" errors="0" skipped="0">\\s*<testcase classname="[^"]+" name="run 1, seed ${seed}" time="\\d+\\.\\d{3}"/>`));
  });
});
