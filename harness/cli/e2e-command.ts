import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { finalizeInterruptedRuns } from '../run/interrupted.ts';
import { cacheDir } from './cache-dir.ts';
import { removeStepFilesOfEndedRuns, stepFileFor } from './step-file.ts';
import { stopProcessGroup } from './stop-process-group.ts';
import { atomicWrite } from '../run/atomic-write.ts';
import { junitXml } from '../run/junit.ts';
import { RUN_FILES, runFoldersSince } from '../run/run-folder.ts';
import { resolveSeed } from '../run/seed.ts';
import { readEnvironment } from '../run/environment.ts';
import { wholeNumber } from '../run/whole-number.ts';

export interface E2eOptions {
  context?: string;
  kubeconfig?: string;
  suites?: string;
  seed?: string;
  duration?: string;
  randomTime?: string;
  storage?: string;
  image?: string;
  zkVersion?: string;
  access?: string;
  keep?: boolean;
  offline?: boolean;
  online?: boolean;
}

const SUITES_DIR = 'suites';

/** Suite names from suites/NN-<name>.test.ts, in order. */
export function availableSuites(dir = SUITES_DIR): Array<{ name: string; file: string }> {
  return readdirSync(dir)
    .filter((f) => /^\d+-.+\.test\.ts$/.test(f))
    .sort()
    .map((file) => ({ name: file.replace(/^\d+-/, '').replace(/\.test\.ts$/, ''), file: join(dir, file) }));
}

/** Resolves --suites to files; an unknown name is an error that lists the known ones. */
export function selectSuites(list: string | undefined, dir = SUITES_DIR): string[] {
  const all = availableSuites(dir);
  if (list === undefined) return all.map((s) => s.file);
  // An empty list (a variable that was meant to hold names) is not "all": that would start every suite.
  if (list.trim() === '') throw new Error(`--suites names no suite; give one or more of: ${all.map((s) => s.name).join(', ')} (or leave --suites out for all)`);
  return list.split(',').map((name) => {
    const found = all.find((s) => s.name === name.trim());
    if (!found) throw new Error(`unknown suite "${name}"; suites: ${all.map((s) => s.name).join(', ')}`);
    return found.file;
  });
}

/** The most seconds whose milliseconds are still exact (2^53 - 1 ms). */
const MAX_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** --duration's seconds (to the millisecond at most) in milliseconds, 1 to 2^53 - 1; undefined for any other text. */
function durationMs(seconds: string): number | undefined {
  if (!/^\d+(\.\d{1,3})?$/.test(seconds)) return undefined;
  const ms = Math.round(Number(seconds) * 1000);
  return Number.isSafeInteger(ms) && ms >= 1 ? ms : undefined;
}

/**
 * What is wrong with e2e's options, or undefined: found before anything starts, so that a bad
 * value is a usage error (exit 2) and never surfaces in every suite after the cluster is built.
 * Suite names are checked by selectSuites.
 */
export function e2eOptionProblem(options: E2eOptions): string | undefined {
  if (options.seed !== undefined && wholeNumber(options.seed, 0) === undefined) return `--seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (got "${options.seed}")`;
  // Seconds to the millisecond: the suites take ZK_CHAOS_QUIET_MS and ZK_CHAOS_RANDOM_MS, whole
  // numbers of milliseconds up to 2^53 - 1, and refuse any other after the cluster is built.
  if (options.duration !== undefined && durationMs(options.duration) === undefined) {
    return `--duration must be a number of seconds from 0.001 to ${MAX_SECONDS}, to the millisecond at most (got "${options.duration}")`;
  }
  if (options.randomTime !== undefined && wholeNumber(options.randomTime, 1, MAX_SECONDS) === undefined) {
    return `--random-time must be a whole number of seconds from 1 to ${MAX_SECONDS} (got "${options.randomTime}")`;
  }
  if (options.access && !['nodeport', 'port-forward'].includes(options.access)) return `--access must be nodeport or port-forward (got "${options.access}")`;
  if (options.storage && !['local-path', 'shared'].includes(options.storage)) return `--storage must be local-path or shared (got "${options.storage}")`;
  if (options.image && options.zkVersion) return 'give --image or --zk-version, not both';
  if (options.zkVersion !== undefined && !/^3\.\d+\.\d+(-[a-z]+)?$/.test(options.zkVersion)) {
    return `--zk-version needs a ZooKeeper release number such as 3.4.10 or 3.9.1 (got "${options.zkVersion}")`;
  }
  if (options.offline && options.online) return 'give --offline or --online, not both';
  return undefined;
}

/** Why the suites could not reach the cluster (kubeconfig, context, API server), or undefined. */
async function preflight(context: string, kubeconfig: string | undefined): Promise<string | undefined> {
  const { Kube, describeError } = await import('../kube/client.ts');
  try {
    const kube = Kube.load({ context, ...(kubeconfig ? { kubeconfig } : {}) });
    await kube.ping({ timeoutMs: 20_000 });
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/**
 * Whether kind lists the cluster (the kind binary cluster:up used, else the PATH's): 'unknown'
 * when kind cannot tell (no Docker engine), which is never taken for "no cluster".
 */
function clusterExists(name: string, cache: string): 'yes' | 'no' | 'unknown' {
  const recorded = join(cache, 'kind-binary');
  const kind = existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : 'kind';
  const listed = spawnSync(kind, ['get', 'clusters'], { encoding: 'utf8' });
  // No kind at all: no kind cluster can have been made with it.
  if ((listed.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return 'no';
  if (listed.status !== 0) return 'unknown';
  return listed.stdout.split('\n').includes(name) ? 'yes' : 'no';
}

/**
 * `npm run e2e`: the cluster (unless --context names one), the ZooKeeper image loaded into it,
 * the suites in order, test-results/ (JUnit, and per suite its history, verdict and report),
 * teardown of a cluster it created unless --keep. Ctrl-C stops the suites and still tears down.
 */
export async function e2eCommand(options: E2eOptions): Promise<number> {
  const timings: Record<string, number> = {};
  let files: string[];
  try {
    files = selectSuites(options.suites);
  } catch (error) {
    console.error(`zk-chaos e2e: ${(error as Error).message}`);
    return 2;
  }
  const problem = e2eOptionProblem(options);
  if (problem !== undefined) {
    console.error(`zk-chaos e2e: ${problem}`);
    return 2;
  }
  // A release's image is built from Maven Central's jars and loaded into kind by cluster-up.sh.
  const image = options.image ?? (options.zkVersion ? `zk-chaos/zookeeper:${options.zkVersion}` : undefined);
  // --seed, else ZK_CHAOS_SEED (what a report's "How to rerun" line sets), else a fresh one.
  const seed = options.seed ?? String(resolveSeed());
  console.log(`[e2e] seed ${seed} (rerun with: npm run e2e -- --seed ${seed})`);
  const cluster = readEnvironment().cluster;
  const cache = cacheDir();
  const started = Date.now();
  // Only a cluster this run created is deleted afterwards; one that was there before is kept.
  const existedBefore = !options.context && clusterExists(cluster, cache) === 'yes';
  let phase = 'start';
  let interruptedBy: NodeJS.Signals | undefined;
  let interruptedPhase: string | undefined;
  let child: ChildProcess | undefined;
  // Children run in their own process group, so a Ctrl-C reaches them once, from here: the
  // suites then record the test in progress as interrupted and stop (vitest force-quits on a
  // second signal, before anything is written).
  // The step's process group while it runs: a finished step's number may be another's by now.
  const runningChild = (): number | undefined => (child?.pid !== undefined && child.exitCode === null && child.signalCode === null ? child.pid : undefined);
  const stopChild = (signal: NodeJS.Signals): void => {
    const running = runningChild();
    if (running !== undefined) {
      try {
        process.kill(-running, signal);
      } catch {
        // already gone
      }
    }
  };
  // Set by a second signal: the run stops, so no child's end may lead on to the next step.
  let stopping = false;
  let exitCode = 1;
  let interruptedStep: string | undefined;
  // The step the setup scripts are in, to name it if they are interrupted or fail.
  const stepFile = stepFileFor(process.pid);
  removeStepFilesOfEndedRuns();
  const finalized: string[] = [];
  /** e2e-timings.json: where the run got to (also when a second Ctrl-C stops the clean-up). */
  const writeTimings = (): RunLine[] => {
    const runs = runSummary(RESULTS, started);
    const interrupted = interruptedBy ? { signal: interruptedBy, phase: interruptedPhase, ...(interruptedStep ? { step: interruptedStep } : {}), ...interruptedTests(), finalized } : undefined;
    atomicWrite(join(RESULTS, 'e2e-timings.json'), JSON.stringify({ seed, totalSeconds: Math.round((Date.now() - started) / 1000), timings, exitCode: interruptedBy ? 130 : exitCode, runs, ...(interrupted ? { interrupted } : {}) }, null, 2) + '\n');
    return runs;
  };
  let cleaning = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cleaning && interruptedBy === undefined) {
      // A first signal during clean-up does not stop it: it is what the user wants done. After an
      // interruption, the next signal stops it, as the interruption's message said.
      interruptedBy = signal;
      interruptedPhase = phase;
      console.error(`[e2e] cleaning up (${phase}); press Ctrl-C again to stop and leave it as it is`);
      return;
    }
    if (interruptedBy === undefined) {
      interruptedBy = signal;
      interruptedPhase = phase;
      console.error(`[e2e] interrupted (${signal}) during ${phase}: stopping, keeping what was recorded, then cleaning up${options.keep ? '' : ' (--keep keeps the cluster)'}; press Ctrl-C again to stop cleaning up`);
      stopChild(signal);
      return;
    }
    if (stopping) return;
    stopping = true;
    console.error(`[e2e] stopped during ${phase}. ${leftovers(cluster, options, existedBefore)}`);
    const running = runningChild();
    const stopped = running === undefined ? Promise.resolve() : stopProcessGroup(running);
    void stopped.finally(() => {
      try {
        // Stopped before anything wrote this run's JUnit (during cluster up, say): an earlier run's
        // file must not stay to pass for this one.
        interruptedUnlessReported(started, interruptedPhase ?? phase, `interrupted by ${interruptedBy} during ${interruptedPhase ?? phase}, then stopped during ${phase}; no suite ran`);
        writeTimings();
      } catch (error) {
        console.error(`[e2e] could not write the results (${error instanceof Error ? error.message : String(error)})`);
      }
      stepFile.remove();
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const run = (what: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> =>
    new Promise((resolve) => {
      // Stopping: nothing new starts, and this never settles (the process exits).
      if (stopping) return;
      const t0 = Date.now();
      phase = what;
      console.log(`[e2e] ${what} ...`);
      child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env }, detached: true });
      child.on('exit', (code, signal) => {
        if (stopping) return;
        timings[what] = Math.round((Date.now() - t0) / 1000);
        console.log(`[e2e] ${what}: ${code === 0 ? 'done' : `failed (${signal ?? `exit ${code}`})`} in ${timings[what]} s`);
        resolve(code ?? 1);
      });
    });

  stepFile.prepare();
  try {
    const context = options.context ?? `kind-${cluster}`;
    if (!options.context) {
      const env: NodeJS.ProcessEnv = {
        ...(options.offline ? { ZK_CHAOS_OFFLINE: '1' } : options.online ? { ZK_CHAOS_OFFLINE: '0' } : {}),
        ...(options.zkVersion ? { ZK_CHAOS_ZK_VERSION: options.zkVersion } : {}),
      };
      if ((await run('cluster up', 'bash', ['scripts/cluster-up.sh'], { ...env, ZK_CHAOS_STEP_FILE: stepFile.path })) !== 0) {
        if (interruptedBy) {
          interruptedStep = stepFile.read();
          return (exitCode = setupJUnit('cluster up', 'error', `interrupted by ${interruptedBy} during cluster up${interruptedStep ? ` (step: ${interruptedStep})` : ''}; no suite ran`, 130));
        }
        console.error('[e2e] the cluster could not be created; see the step that failed above');
        const failedStep = stepFile.read();
        return (exitCode = setupJUnit('cluster up', 'failure', `the kind cluster could not be created (scripts/cluster-up.sh failed${failedStep ? ` at step "${failedStep}"` : ''}; its output says why); no suite ran`, 1));
      }
    }
    if (interruptedBy) return (exitCode = setupJUnit('cluster up', 'error', `interrupted by ${interruptedBy} after cluster up; no suite ran`, 130));
    // A wrong context or kubeconfig is one line here, not a stack trace inside every suite.
    phase = 'checking the cluster';
    const unreachable = await preflight(context, options.kubeconfig);
    if (interruptedBy) return (exitCode = setupJUnit('checking the cluster', 'error', `interrupted by ${interruptedBy} while checking the cluster; no suite ran`, 130));
    if (unreachable) {
      console.error(`zk-chaos e2e: ${unreachable}`);
      return (exitCode = setupJUnit('checking the cluster', 'failure', `${unreachable}; no suite ran`, 2));
    }
    mkdirSync(RESULTS, { recursive: true });
    // An earlier run's interruption record must not be read as this run's.
    rmSync(join(RESULTS, 'interrupted.json'), { force: true });
    const suitesStarted = Date.now();
    exitCode = await run('suites', 'vitest', ['run', '--project', 'e2e', ...files], {
      // The suites stop by themselves if this process is killed outright (parent-watch-reporter.ts).
      ZK_CHAOS_E2E_PID: String(process.pid),
      ZK_CHAOS_SEED: seed,
      ZK_CHAOS_CONTEXT: context,
      ...(options.kubeconfig ? { ZK_CHAOS_KUBECONFIG: options.kubeconfig } : {}),
      ...(options.duration ? { ZK_CHAOS_QUIET_MS: String(durationMs(options.duration)) } : {}),
      ...(options.randomTime ? { ZK_CHAOS_RANDOM_MS: String(Number(options.randomTime) * 1000) } : {}),
      ...(options.storage ? { ZK_CHAOS_STORAGE: options.storage } : {}),
      ...(image ? { ZK_CHAOS_ZK_IMAGE: image } : {}),
      // NodePorts on 127.0.0.1 are what kind-config.yaml maps; any other cluster is reached
      // through the API server.
      ZK_CHAOS_ACCESS: options.access ?? (options.context ? 'port-forward' : 'nodeport'),
    });
    // Interrupted before the JUnit reporter wrote anything: the file there is an earlier run's.
    if (interruptedBy) interruptedUnlessReported(suitesStarted, 'suites', `interrupted by ${interruptedBy} while the suites started; no suite ran`);
    // A suite cut short (or a killed test worker) left a run folder without a verdict.
    phase = 'checking what interrupted runs recorded';
    const why = interruptedBy ? `${interruptedBy} during the suites` : 'its test stopped before the run finished';
    finalized.push(...(await finalizeInterruptedRuns(RESULTS, started, why)));
    for (const dir of finalized) console.log(`[e2e] ${dir}: interrupted run, verdict and report written from what it recorded`);
    return interruptedBy ? 130 : exitCode;
  } finally {
    // A second signal during a step that is not a child's (checking the cluster, say): the
    // process exits once the signal's handler has written the results; no clean-up starts.
    if (stopping) await new Promise(() => {});
    phase = 'cleaning up';
    cleaning = true;
    const exists = options.context ? 'no' : clusterExists(cluster, cache);
    if (exists === 'yes' && !existedBefore && !options.keep) {
      await run('cluster down', 'bash', ['scripts/cluster-down.sh']);
    } else if (exists === 'yes') {
      console.log(`[e2e] keeping cluster ${cluster} (${options.keep ? '--keep' : 'it existed before this run'}); delete it with: npm run cluster:down`);
    } else if (exists === 'unknown') {
      console.log(`[e2e] could not list the kind clusters (is the Docker engine up?); if cluster ${cluster} is left, delete it with: npm run cluster:down`);
    } else if (!options.context) {
      console.log(`[e2e] no cluster ${cluster} exists: nothing to clean up`);
    }
    stepFile.remove();
    printSummary(writeTimings(), timings, Date.now() - started);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Where e2e writes its timings and, when no suite ran, its JUnit file (ZK_CHAOS_RESULTS for tests). */
const RESULTS = readEnvironment().resultsDir;

/**
 * A step before the suites failed or was interrupted: junit.xml says so (one case), so that a CI
 * job never publishes an earlier run's results as this run's. Returns the exit code.
 */
function setupJUnit(step: string, kind: 'failure' | 'error', message: string, exitCode: number): number {
  atomicWrite(join(RESULTS, 'junit.xml'), junitXml([{ suite: 'npm run e2e', name: step, seconds: 0, outcome: { kind, message, ...(kind === 'error' ? { type: 'interrupted' } : {}) } }]));
  return exitCode;
}

/** What a stop during clean-up leaves behind, and how to remove it. */
function leftovers(cluster: string, options: E2eOptions, existedBefore: boolean): string {
  if (options.context) return `Left behind: the namespaces zk-chaos and zk-chaos-negative in context ${options.context} (kubectl delete namespace zk-chaos zk-chaos-negative).`;
  if (existedBefore || options.keep) return `The cluster ${cluster} stays, as it would have, with what the interrupted suite left in it (its namespace, nodes a drain cordoned): the next npm run e2e (or npm run cluster:up) cleans those.`;
  return `Left behind: the kind cluster ${cluster} (npm run cluster:down deletes it), and the Docker engine if setup started it (bash scripts/docker-engine.sh stop).`;
}

/**
 * An interruption's JUnit case for `step`, unless junit.xml was written since `since` (ms): the
 * suites' reporter then named what was interrupted; else the file there is an earlier run's.
 */
function interruptedUnlessReported(since: number, step: string, message: string): void {
  const junit = join(RESULTS, 'junit.xml');
  if (existsSync(junit) && statSync(junit).mtimeMs >= since) return;
  setupJUnit(step, 'error', message, 130);
}

/** The suites interrupted.json names (written by the JUnit reporter on a signal). */
function interruptedTests(): { tests?: unknown } {
  try {
    return { tests: (JSON.parse(readFileSync(join(RESULTS, 'interrupted.json'), 'utf8')) as { tests: unknown }).tests };
  } catch {
    return {};
  }
}

interface RunLine {
  run: string;
  validity: string;
  operations: number;
  seconds: number;
  report: string;
}

/** One line per run folder this e2e wrote: verdict, operations, duration, report. */
function runSummary(resultsDir: string, since: number): RunLine[] {
  const lines: RunLine[] = [];
  for (const dir of runFoldersSince(resultsDir, since)) {
    const verdictFile = join(dir, RUN_FILES.verdict);
    if (!existsSync(verdictFile)) continue;
    try {
      const verdict = JSON.parse(readFileSync(verdictFile, 'utf8')) as { validity: string; stats?: { operations?: number } };
      // The seed file is written when the run starts, the history last appended when it ends.
      const seconds = (statSync(join(dir, RUN_FILES.history)).mtimeMs - statSync(join(dir, RUN_FILES.seed)).mtimeMs) / 1000;
      lines.push({
        run: basename(dir),
        validity: verdict.validity,
        operations: verdict.stats?.operations ?? 0,
        seconds: Math.round(seconds),
        report: join(dir, RUN_FILES.report),
      });
    } catch {
      // a folder without a readable verdict or seed is not a finished run
    }
  }
  return lines;
}

function printSummary(runs: readonly RunLine[], timings: Record<string, number>, totalMs: number): void {
  if (runs.length > 0) {
    console.log('[e2e] runs:');
    for (const r of runs) {
      console.log(`[e2e]   ${r.validity.padEnd(8)} ${String(r.operations).padStart(7)} ops ${String(r.seconds).padStart(5)} s  ${r.run}  ${r.report}`);
    }
  }
  const steps = Object.entries(timings).map(([what, s]) => `${what} ${s} s`).join(', ');
  console.log(`[e2e] total ${Math.round(totalMs / 1000)} s${steps ? ` (${steps})` : ''}; timings in ${join(RESULTS, 'e2e-timings.json')}`);
}
