import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectScript } from '../run/project-scripts.ts';
import { playSchedule } from '../nemesis/run-schedule.ts';
import { DOCKER_HOST_FAULTS, HUNT_FAULTS, KUBELET_FAULTS, parseNemesis, planSchedule, type Schedule } from '../nemesis/schedule.ts';
import { finalizeInterruptedRuns } from '../run/interrupted.ts';
import { RUN_FILES } from '../run/run-folder.ts';
import { runTest, ScenarioError } from '../run/test-run.ts';
import { atomicWrite } from '../run/atomic-write.ts';
import { junitXml, type JUnitCase } from '../run/junit.ts';
import { type CutShortRun, interruptedCase, runCases, type RunSummary } from '../run/runs-junit.ts';
import { writeReport } from '../report/write-report.ts';
import { runTarget, type RunTarget, type StartedTarget } from './run-targets.ts';
import { resolveSeed } from '../run/seed.ts';
import { listMemberData, type Ensemble, type EnsembleMember } from '../zookeeper/ensemble.ts';
import { describeServers, reportServers } from '../zookeeper/server-report.ts';
import { readEnvironment } from '../run/environment.ts';
import { wholeNumber } from '../run/whole-number.ts';

/**
 * `zk-chaos run`: Jepsen's `lein run test` for ZooKeeper. Each run starts a fresh ensemble, plays
 * a seeded fault schedule (written to the run's folder first) while the workload runs, checks the
 * history and writes the report; the command ends with one table row per run. Exit code: 1 when
 * any run is invalid, 2 when none is but some are unknown or failed, 0 when all are valid, 3 for a
 * usage error.
 */
export interface RunOptions {
  target: string;
  nemesis: string;
  timeLimit: string;
  interval: string;
  runs: string;
  seed?: string;
  image?: string;
  zkVersion?: string;
  rate?: string;
  newAddresses?: boolean;
  overlap?: boolean;
  /** MEMBER:MS, e.g. zk-1:200: that member's data on a slow disk (Docker). */
  slowFsync?: string;
}

/**
 * What `zk-chaos hunt` changes in a run: the hunt faults, ZooKeeper settings that make its
 * recovery paths busy (short ticks, frequent snapshots), a restart of every member at the end, and
 * a table of findings.
 */
export interface RunPreset {
  command: 'run' | 'hunt';
  /** ZooKeeper settings (zkGenConfig.sh's environment) for every member. */
  zookeeper: Record<string, string>;
  finalRestart: boolean;
}

const PLAIN_RUN: RunPreset = { command: 'run', zookeeper: {}, finalRestart: false };

/**
 * Hunts: ticks of 500 ms (a follower silent for syncLimit x tickTime = 2 s is dropped, so the
 * faults' windows cross that line often; initLimit leaves 10 s for a sync) and a snapshot every
 * ~100 transactions (so a follower held down catches up by SNAP, and restarts load snapshots).
 */
export const HUNT: RunPreset = {
  command: 'hunt',
  zookeeper: { ZK_TICK_TIME: '500', ZK_SYNC_LIMIT: '4', ZK_INIT_LIMIT: '20', ZK_SNAP_COUNT: '100' },
  finalRestart: true,
};

interface Row extends RunSummary {
  faults: string;
  operations: number | string;
  /** Recorded operations per second, and the harness's own CPU (% of one core) meanwhile. */
  rate: string;
  cpu: string;
  /** When the run ended, since the command started. */
  endedMs: number;
}

const RESULTS = readEnvironment().resultsDir;

export async function runCommand(options: RunOptions, preset: RunPreset = PLAIN_RUN): Promise<number> {
  let target: RunTarget;
  let settings: { mix: ReturnType<typeof parseNemesis>; timeLimitMs: number; intervalMs: number; runs: number; seed: number; rate?: number; slowFsync?: SlowFsync };
  try {
    target = runTarget(options.target);
    if (options.image && options.zkVersion) throw new Error('give --image or --zk-version, not both');
    if (options.zkVersion !== undefined && !/^3\.\d+\.\d+(-[a-z]+)?$/.test(options.zkVersion)) {
      throw new Error(`--zk-version needs a ZooKeeper release number such as 3.4.11 or 3.9.1 (got "${options.zkVersion}")`);
    }
    settings = {
      mix: parseNemesis(options.nemesis),
      timeLimitMs: 1000 * wholeFlag('--time-limit', options.timeLimit, 20),
      intervalMs: 1000 * wholeFlag('--interval', options.interval, 1),
      runs: wholeFlag('--runs', options.runs, 1),
      // --seed, else ZK_CHAOS_SEED (what a report's "How to rerun" line sets), else a fresh one.
      seed: resolveSeed(options.seed === undefined ? undefined : wholeFlag('--seed', options.seed, 0)),
      ...(options.rate === undefined ? {} : { rate: wholeFlag('--rate', options.rate, 1) }),
      ...(options.slowFsync === undefined ? {} : { slowFsync: parseSlowFsync(options.slowFsync) }),
    };
    // Run n takes seed + n - 1: the last one must still be a seed (compared so that no sum rounds).
    if (settings.seed > Number.MAX_SAFE_INTEGER - (settings.runs - 1)) {
      throw new Error(`--seed ${settings.seed} with --runs ${settings.runs} reaches past ${Number.MAX_SAFE_INTEGER} (run n takes seed + n - 1): give a smaller seed or fewer runs`);
    }
    const needKubelet = settings.mix.filter((kind) => KUBELET_FAULTS.has(kind));
    if (needKubelet.length > 0 && target.name === 'docker') throw new Error(`--nemesis ${needKubelet.join(',')} needs the kubelet's liveness probe, which Docker has not: use --target kind or context:NAME, or leave it out`);
    const needDockerHost = settings.mix.filter((kind) => DOCKER_HOST_FAULTS.has(kind));
    if (needDockerHost.length > 0 && target.name !== 'docker') throw new Error(`--nemesis ${needDockerHost.join(',')} needs --target docker (a proxy on this host in a member's path to its leader); got --target ${target.name}`);
    if (needDockerHost.length > 0 && (process.platform !== 'linux' || process.getuid?.() !== 0)) throw new Error(`--nemesis ${needDockerHost.join(',')} needs root on a Linux host (iptables in a member's network namespace): run as root, or leave it out`);
    if (settings.slowFsync && target.name !== 'docker') throw new Error(`--slow-fsync needs --target docker (a FUSE mount on this host under a member's container); got --target ${target.name}`);
    if (settings.slowFsync && (process.platform !== 'linux' || process.getuid?.() !== 0)) throw new Error('--slow-fsync needs root on a Linux host (slowfs is a FUSE mount under a member\'s container): run as root, or leave it out');
  } catch (error) {
    console.error(`zk-chaos ${preset.command}: ${(error as Error).message}`);
    return 3;
  }
  // The testcontainers reaper's image cannot be pulled on offline hosts; this command stops its
  // containers itself (also on Ctrl-C), and scripts/clean-docker.sh removes any left behind.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  console.error(`[run] seed ${settings.seed} (replay with --seed ${settings.seed}); ${settings.runs} run(s) of ${settings.timeLimitMs / 1000} s, nemesis ${settings.mix.join(',') || 'none'}`);
  // An earlier command's JUnit file must not pass for this one's if this one stops before its first run ends.
  rmSync(join(RESULTS, `junit-${preset.command}.xml`), { force: true });
  let image: string;
  try {
    if (target.pullsImages) {
      // The cluster pulls the image itself: nothing to build or start here.
      if (!options.image) {
        console.error(`zk-chaos ${preset.command}: --target ${target.name} needs --image: a ZooKeeper image that cluster can pull (build one with npm run zk-image, push it to a registry the cluster reaches)`);
        return 3;
      }
      image = options.image;
    } else {
      execFileSync('bash', [projectScript('docker-engine.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
      image = options.image ?? buildImage(options.zkVersion);
    }
  } catch {
    // The scripts have printed the failed step and its fix.
    console.error(`zk-chaos ${preset.command}: no run started: the Docker engine or the ZooKeeper image is not ready (see above)`);
    return 3;
  }
  try {
    target.prepare(image);
  } catch (error) {
    console.error(`zk-chaos ${preset.command}: no run started: ${(error as Error).message}`);
    return 3;
  }

  const rows: Row[] = [];
  // One JUnit case per run, rewritten after each: a CI job's summary shows every verdict so far.
  const suite = `zk-chaos ${preset.command} (ZooKeeper ${options.zkVersion ?? (options.image ? options.image : 'default')}, ${target.name})`;
  const writeJUnit = (cases: JUnitCase[]): void => {
    try {
      atomicWrite(join(RESULTS, `junit-${preset.command}.xml`), junitXml(cases));
    } catch (error) {
      console.error(`[run] could not write junit-${preset.command}.xml (${(error as Error).message}); the table below still has every verdict`);
    }
  };
  let ensemble: StartedTarget | undefined;
  /** The run under way (no row yet). */
  let current: CutShortRun | undefined;
  let interrupted = false;
  const started = Date.now();
  const owner = `${process.pid}-${started}`;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[run] ${signal}: stopping the ensemble, then giving the interrupted run a verdict and a report`);
    // What had finished, and which run was under way, when the signal came (a run may still end
    // while the ensemble stops below: its row is not this command's to report any more).
    const done = runCases(suite, rows);
    const cut = current;
    const writeCut = (folder?: Pick<CutShortRun, 'report' | 'verdict'>): void => writeJUnit([...done, ...(cut ? [interruptedCase(suite, { ...cut, ...folder }, signal)] : [])]);
    // Written first: a CI runner may kill this process seconds after its signal.
    writeCut();
    void (async () => {
      await ensemble?.stop().catch(() => undefined);
      // A start cut short has no ensemble to stop yet: what it made is found by its label.
      await target.abandon(owner).catch((error: unknown) => console.error(`[run] could not remove what the interrupted start left (${(error as Error).message}); scripts/clean-docker.sh removes it`));
      const finalized = await finalizeInterruptedRuns(RESULTS, started, `${signal} during npx zk-chaos ${preset.command}`).catch(() => []);
      for (const dir of finalized) console.error(`[run] interrupted run kept: ${relative(process.cwd(), dir)}/${RUN_FILES.report}`);
      if (finalized[0]) writeCut(folderOutcome(finalized[0]));
      printTable(rows);
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (let run = 1; run <= settings.runs && !interrupted; run++) {
      const seed = settings.seed + run - 1;
      const schedule = planSchedule({ seed, mix: settings.mix, timeLimitMs: settings.timeLimitMs, intervalMs: settings.intervalMs, finalRestart: preset.finalRestart, overlap: options.overlap === true });
      console.error(`[run] run ${run}/${settings.runs}, seed ${seed}: ${describeSchedule(schedule)}`);
      const rerun = rerunCommand(preset.command, target.name, options, schedule, settings.intervalMs);
      current = { run, seed, rerun };
      rows.push(await oneRun(run, { target, seed, schedule, image, rate: settings.rate, zookeeper: preset.zookeeper, newAddresses: options.newAddresses === true, slowFsync: settings.slowFsync, owner, rerun, name: `${preset.command}-${target.name.replace(/[^A-Za-z0-9._-]/g, '-')}${options.zkVersion ? `-zk${options.zkVersion}` : ''}`, started }, (e) => (ensemble = e)));
      ensemble = undefined;
      current = undefined;
      writeJUnit(runCases(suite, rows));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  printTable(rows);
  if (preset.command === 'hunt') {
    printFindings(rows, `${options.zkVersion ?? 'the default (Debian 3.8.0)'}${options.newAddresses ? ', members restarting at new addresses' : ''}`, settings.timeLimitMs);
  }
  if (rows.some((r) => r.verdict === 'invalid')) return 1;
  return rows.every((r) => r.verdict === 'valid') ? 0 : 2;
}

/** The image of a ZooKeeper release (built once from Maven Central's jars), or the default image. */
function buildImage(zkVersion: string | undefined): string {
  const output = execFileSync('bash', [projectScript('build-zookeeper-image.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...(zkVersion ? { ZK_CHAOS_ZK_VERSION: zkVersion } : {}) },
  });
  return output.toString().trim().split('\n').pop()!;
}

interface OneRun {
  target: RunTarget;
  seed: number;
  schedule: Schedule;
  image: string;
  rate: number | undefined;
  zookeeper: Record<string, string>;
  newAddresses: boolean;
  slowFsync: SlowFsync | undefined;
  /** Labels what this command starts (see StartOptions.owner). */
  owner: string;
  rerun: string;
  /** The run folder's prefix: run-docker, hunt-docker-zk3.4.11, ... */
  name: string;
  /** When the command started (Date.now()), for the time to a finding. */
  started: number;
}

async function oneRun(run: number, { target, seed, schedule, image, rate, zookeeper, newAddresses, slowFsync, owner, rerun, name, started: commandStarted }: OneRun, track: (e: StartedTarget | undefined) => void): Promise<Row> {
  let started: StartedTarget | undefined;
  const log = (line: string) => console.error(`[run ${run}] ${line}`);
  const runStarted = performance.now();
  const seconds = (): number => (performance.now() - runStarted) / 1000;
  try {
    started = await target.start(image, { seed, zookeeper, newAddresses, ...(slowFsync ? { slowFsync } : {}), owner, log });
    track(started);
    const { ensemble, net } = started;
    const endpoints = started.ensemble.endpoints.bind(started.ensemble);
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const result = await runTest({
      name,
      seed,
      // A paced rate needs enough concurrent sessions: about 100 ops/s each keeps latency honest.
      ...(rate === undefined ? {} : { rate, workers: Math.max(6, Math.ceil(rate / 100)) }),
      endpoints,
      quietMs: 0,
      files: { [RUN_FILES.schedule]: JSON.stringify(schedule, null, 2) + '\n' },
      during: (ctx) => playSchedule(schedule, ensemble, net, ctx),
      ...(started.dependencies ? { dependencies: started.dependencies } : {}),
      ...(started.observe ? { observe: started.observe } : {}),
      rerunCommand: rerun,
      log,
    });
    // The servers' side: mode, last zxid and error lines of each member, beside the verdict.
    const servers = await reportServers(ensemble);
    writeFileSync(join(result.dir, RUN_FILES.servers), JSON.stringify(servers, null, 2) + '\n');
    console.error(`[run ${run}] servers: ${describeServers(servers)}`);
    await writeReport(result.dir, { rerunCommand: rerun }); // again, now with the servers' side
    const logFindings = servers.members.some((m) => m.logFindings.length > 0);
    if (result.verdict.validity !== 'valid' || logFindings || !servers.zxidsAgree) await saveMemberLogs(ensemble, result.dir);
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = performance.now() - wallBefore;
    const applied = result.faults.map((f) => f.name);
    return {
      run,
      seed,
      faults: applied.length ? `${applied.length}: ${[...new Set(applied)].join(',')}` : '0',
      operations: result.workload.operations,
      rate: (result.workload.operations / (schedule.timeLimitMs / 1000)).toFixed(0),
      cpu: `${((100 * (cpu.user + cpu.system)) / 1000 / wallMs).toFixed(0)} %`,
      verdict: result.verdict.validity,
      report: relative(process.cwd(), `${result.dir}/${RUN_FILES.report}`),
      anomalies: countBy(result.verdict.anomalies.map((a) => a.type)),
      rerun,
      ...unknownReason(result.verdict.unknownKeys),
      seconds: seconds(),
      endedMs: Date.now() - commandStarted,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[run ${run}] failed: ${message}`);
    const dir = (error as { dir?: string }).dir;
    const report = dir ? relative(process.cwd(), `${dir}/${RUN_FILES.report}`) : '-';
    // A step that failed (a member that never rejoined) is worth its logs too; and what was
    // recorded until then was checked: anomalies found in it are ZooKeeper's all the same.
    if (dir && started) await saveMemberLogs(started.ensemble, dir).catch(() => undefined);
    const recorded = error instanceof ScenarioError && error.verdict.validity === 'invalid' ? error.verdict : undefined;
    return {
      run, seed, faults: '?', operations: '?', rate: '?', cpu: '?',
      verdict: recorded ? 'invalid' : 'error',
      report,
      anomalies: recorded ? countBy(recorded.anomalies.map((a) => a.type)) : {},
      rerun,
      reason: message,
      seconds: seconds(),
      endedMs: Date.now() - commandStarted,
    };
  } finally {
    await started?.stop().catch(() => undefined);
    track(undefined);
  }
}

/**
 * Each member's console log (its whole life, restarts included) and the listing of its data
 * folder (which snapshots and transaction logs it holds), kept with a run worth a look.
 */
async function saveMemberLogs(ensemble: Ensemble<EnsembleMember>, dir: string): Promise<void> {
  const target = join(dir, RUN_FILES.diagnostics);
  mkdirSync(target, { recursive: true });
  for (const member of ensemble.members) {
    writeFileSync(join(target, `${member.name}.log`), await ensemble.logs(member).catch((error: Error) => `(the member's log could not be read: ${error.message})\n`));
    writeFileSync(join(target, `${member.name}.data.txt`), await listMemberData(ensemble, member).catch((error: Error) => `(the member's data could not be listed: ${error.message})\n`));
  }
  console.error(`[run] member logs and data listings saved in ${relative(process.cwd(), target)}`);
}

/** The command line that replays one run: its own seed, its own mix and settings. */
function rerunCommand(command: RunPreset['command'], target: string, options: RunOptions, schedule: Schedule, intervalMs: number): string {
  const flags = `${options.image ? ` --image ${options.image}` : ''}${options.zkVersion ? ` --zk-version ${options.zkVersion}` : ''}${options.newAddresses ? ' --new-addresses' : ''}${options.slowFsync ? ` --slow-fsync ${options.slowFsync}` : ''}${schedule.overlap ? ' --overlap' : ''}`;
  const timing = `--time-limit ${schedule.timeLimitMs / 1000} --interval ${intervalMs / 1000} --seed ${schedule.seed}`;
  // A hunt names its mix only when it is not the hunt's own.
  const huntMix = schedule.mix.join(',') === HUNT_FAULTS.join(',') ? '' : ` --nemesis ${schedule.mix.join(',') || 'none'}`;
  return command === 'hunt'
    ? `npx zk-chaos hunt${target === 'docker' ? '' : ` --target ${target}`}${flags}${huntMix} --runs 1 ${timing}`
    : `npx zk-chaos run --target ${target}${flags} --nemesis ${schedule.mix.join(',') || 'none'} ${timing}`;
}

function describeSchedule(schedule: Schedule): string {
  if (schedule.faults.length === 0) return 'no faults';
  return schedule.faults.map((f) => `${f.kind}(${f.target}) at ${(f.startMs / 1000).toFixed(0)} s for ${(f.durationMs / 1000).toFixed(0)} s`).join(', ');
}

function printTable(rows: Row[]): void {
  const header = ['run', 'seed', 'faults', 'operations', 'ops/s', 'harness cpu', 'verdict', 'report'];
  const cells = rows.map((r) => [String(r.run), String(r.seed), r.faults, String(r.operations), r.rate, r.cpu, r.verdict, r.report]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i] as number)).join('  ').trimEnd();
  console.log(line(header));
  for (const c of cells) console.log(line(c));
}

/**
 * The hunt's findings: runs by verdict, anomalies by kind, and the first run that found one (its
 * seed replays it, and how long the hunt had taken by then).
 */
function printFindings(rows: Row[], version: string, timeLimitMs: number): void {
  const verdicts = countBy(rows.map((r) => r.verdict));
  const anomalies: Record<string, number> = {};
  for (const r of rows) for (const [kind, n] of Object.entries(r.anomalies)) anomalies[kind] = (anomalies[kind] ?? 0) + n;
  const first = rows.find((r) => r.verdict === 'invalid');
  console.log(`\nhunt of ZooKeeper ${version}: ${rows.length} run(s) of ${timeLimitMs / 1000} s`);
  console.log(`  verdicts:  ${Object.entries(verdicts).map(([v, n]) => `${v} ${n}`).join(', ')}`);
  console.log(`  anomalies: ${Object.entries(anomalies).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  console.log(first
    ? `  first finding: run ${first.run}, seed ${first.seed}, after ${(first.endedMs / 60_000).toFixed(1)} min of hunting (${first.report})`
    : '  first finding: none');
}

/** An interrupted run's folder as its JUnit case tells it: its report and, when it has one, its verdict. */
function folderOutcome(dir: string): Pick<CutShortRun, 'report' | 'verdict'> {
  const report = `${relative(process.cwd(), dir)}/${RUN_FILES.report}`;
  try {
    const verdict = JSON.parse(readFileSync(join(dir, RUN_FILES.verdict), 'utf8')) as { validity: string; anomalies: { type: string }[] };
    return { report, verdict: { validity: verdict.validity, anomalies: countBy(verdict.anomalies.map((a) => a.type)) } };
  } catch {
    return { report };
  }
}

/** Why a run is unknown: the first key's reason, and how many more there are. */
function unknownReason(unknownKeys: readonly { reason: string }[]): { reason?: string } {
  const [first] = unknownKeys;
  if (!first) return {};
  return { reason: unknownKeys.length > 1 ? `${first.reason} (and ${unknownKeys.length - 1} more undecided)` : first.reason };
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

function wholeFlag(flag: string, text: string, min: number): number {
  const n = wholeNumber(text, min);
  if (n === undefined) throw new Error(`${flag} needs a whole number from ${min} to ${Number.MAX_SAFE_INTEGER} (got "${text}")`);
  return n;
}

/** --slow-fsync MEMBER:MS: which member's data is on a slow disk, and how slow each fsync is. */
export interface SlowFsync {
  member: string;
  delayMs: number;
}

function parseSlowFsync(text: string): SlowFsync {
  const match = /^(zk-\d+):(\d+)$/.exec(text);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 60_000) {
    throw new Error(`--slow-fsync needs MEMBER:MS, a member and the milliseconds each fsync of its data is held (1 to 60000), e.g. zk-1:200 (got "${text}")`);
  }
  return { member: match[1] as string, delayMs: Number(match[2]) };
}
