import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dockerFault } from '../nemesis/docker-faults.ts';
import { playSchedule, type NemesisBackend } from '../nemesis/run-schedule.ts';
import { parseNemesis, planSchedule, type Schedule } from '../nemesis/schedule.ts';
import { finalizeInterruptedRuns } from '../run/interrupted.ts';
import { RUN_FILES } from '../run/run-folder.ts';
import { runTest } from '../run/test-run.ts';
import { SeededRandom } from '../workload/random.ts';
import { DockerEnsemble, type Member, type StartedDockerEnsemble } from '../zookeeper/docker-ensemble.ts';

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
  rate?: string;
}

interface Row {
  run: number;
  seed: number;
  faults: string;
  operations: number | string;
  /** Recorded operations per second, and the harness's own CPU (% of one core) meanwhile. */
  rate: string;
  cpu: string;
  verdict: string;
  report: string;
}

const RESULTS = process.env.ZK_CHAOS_RESULTS ?? 'test-results';
/** The project's scripts, wherever the command is run from. */
const SCRIPTS = join(import.meta.dirname, '../../scripts');

export async function runCommand(options: RunOptions): Promise<number> {
  let settings: { mix: ReturnType<typeof parseNemesis>; timeLimitMs: number; intervalMs: number; runs: number; seed: number; rate?: number };
  try {
    if (options.target !== 'docker') {
      throw new Error(
        `--target ${options.target}: only docker is built so far; Kubernetes runs the tutorial's scenarios through npm run e2e (--context NAME for any cluster)`,
      );
    }
    settings = {
      mix: parseNemesis(options.nemesis),
      timeLimitMs: 1000 * wholeNumber('--time-limit', options.timeLimit, 20),
      intervalMs: 1000 * wholeNumber('--interval', options.interval, 1),
      runs: wholeNumber('--runs', options.runs, 1),
      seed: options.seed === undefined ? SeededRandom.freshSeed() : wholeNumber('--seed', options.seed, 0),
      ...(options.rate === undefined ? {} : { rate: wholeNumber('--rate', options.rate, 1) }),
    };
  } catch (error) {
    console.error(`zk-chaos run: ${(error as Error).message}`);
    return 3;
  }
  // The testcontainers reaper's image cannot be pulled on offline hosts; this command stops its
  // containers itself (also on Ctrl-C), and scripts/clean-docker.sh removes any left behind.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  console.error(`[run] seed ${settings.seed} (replay with --seed ${settings.seed}); ${settings.runs} run(s) of ${settings.timeLimitMs / 1000} s, nemesis ${settings.mix.join(',') || 'none'}`);
  let image: string;
  try {
    execFileSync('bash', [join(SCRIPTS, 'docker-engine.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    image = options.image ?? execFileSync('bash', [join(SCRIPTS, 'build-zookeeper-image.sh')], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim().split('\n').pop()!;
  } catch {
    // The scripts have printed the failed step and its fix.
    console.error('zk-chaos run: no run started: the Docker engine or the ZooKeeper image is not ready (see above)');
    return 3;
  }

  const rows: Row[] = [];
  let ensemble: StartedDockerEnsemble | undefined;
  let interrupted = false;
  const started = Date.now();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[run] ${signal}: stopping the ensemble, then giving the interrupted run a verdict and a report`);
    void (async () => {
      await ensemble?.stop().catch(() => undefined);
      const finalized = await finalizeInterruptedRuns(RESULTS, started, `${signal} during npx zk-chaos run`).catch(() => []);
      for (const dir of finalized) console.error(`[run] interrupted run kept: ${relative(process.cwd(), dir)}/${RUN_FILES.report}`);
      printTable(rows);
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (let run = 1; run <= settings.runs && !interrupted; run++) {
      const seed = settings.seed + run - 1;
      const schedule = planSchedule({ seed, mix: settings.mix, timeLimitMs: settings.timeLimitMs, intervalMs: settings.intervalMs });
      console.error(`[run] run ${run}/${settings.runs}, seed ${seed}: ${describeSchedule(schedule)}`);
      rows.push(await oneRun(run, seed, schedule, image, settings.rate, (e) => (ensemble = e)));
      ensemble = undefined;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  printTable(rows);
  if (rows.some((r) => r.verdict === 'invalid')) return 1;
  return rows.every((r) => r.verdict === 'valid') ? 0 : 2;
}

async function oneRun(run: number, seed: number, schedule: Schedule, image: string, rate: number | undefined, track: (e: StartedDockerEnsemble | undefined) => void): Promise<Row> {
  let ensemble: StartedDockerEnsemble | undefined;
  try {
    ensemble = await new DockerEnsemble(image).withLabels({ 'io.zk-chaos.run': String(seed) }).start();
    track(ensemble);
    const started = ensemble;
    const backend: NemesisBackend<Member> = {
      members: () => started.members,
      leader: () => started.leader(10_000).catch(() => undefined),
      fault: (kind, targets) => dockerFault(started, kind, targets),
    };
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const result = await runTest({
      name: 'run-docker',
      seed,
      // A paced rate needs enough concurrent sessions: about 100 ops/s each keeps latency honest.
      ...(rate === undefined ? {} : { rate, workers: Math.max(6, Math.ceil(rate / 100)) }),
      endpoints: () => started.endpoints(),
      quietMs: 0,
      files: { [RUN_FILES.schedule]: JSON.stringify(schedule, null, 2) + '\n' },
      during: (ctx) => playSchedule(schedule, backend, ctx),
      rerunCommand: `npx zk-chaos run --target docker --nemesis ${schedule.mix.join(',') || 'none'} --time-limit ${schedule.timeLimitMs / 1000} --seed ${seed}`,
      log: (line) => console.error(`[run ${run}] ${line}`),
    });
    if (result.verdict.validity !== 'valid') saveMemberLogs(started, result.dir);
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
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[run ${run}] failed: ${message}`);
    const dir = (error as { dir?: string }).dir;
    return { run, seed, faults: '?', operations: '?', rate: '?', cpu: '?', verdict: 'error', report: dir ? relative(process.cwd(), `${dir}/${RUN_FILES.report}`) : '-' };
  } finally {
    await ensemble?.stop().catch(() => undefined);
    track(undefined);
  }
}

/** Each member's console log (its whole life, restarts included), kept with a run that was not valid. */
function saveMemberLogs(ensemble: StartedDockerEnsemble, dir: string): void {
  const target = join(dir, 'diagnostics');
  mkdirSync(target, { recursive: true });
  for (const member of ensemble.members) {
    const logs = spawnSync('docker', ['logs', '--timestamps', member.container.getId()], { encoding: 'utf8', maxBuffer: 1 << 28 });
    writeFileSync(join(target, `${member.name}.log`), `${logs.stdout}${logs.stderr}`);
  }
  console.error(`[run] member logs saved in ${relative(process.cwd(), target)}`);
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

function wholeNumber(flag: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${flag} needs a whole number of at least ${min} (got "${text}")`);
  }
  return Number(text);
}
