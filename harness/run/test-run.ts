import { writeReport } from '../report/write-report.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { check, type Verdict } from '../checker/index.ts';
import { readDigestedOperationsFile } from '../history/read-file.ts';
import type { HistoryDigest } from '../history/types.ts';
import { HISTORY_COMPLETE, RUN_FILES, writeVerdict, writeWorkloadSummary } from './run-folder.ts';
import { EventLog, type ClusterEvent } from '../history/event-log.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { interruptedVerdict } from './interrupted.ts';
import { FaultTimeline, type Fault, type FaultWindow } from '../nemesis/fault.ts';
import { SeededRandom } from '../workload/random.ts';
import { DEFAULT_WORKLOAD, startWorkload, type Endpoint, type WorkloadSummary } from '../workload/runner.ts';
import { readEnvironment, type HoldPhase } from './environment.ts';
import { resolveSeed } from './seed.ts';
import { pause, withinStep } from '../kube/wait.ts';

/**
 * One checked run, Jepsen style: clients run the workload before, during and after the faults;
 * the history and fault windows are written to test-results/<run-id>/ as they happen; then the
 * checker decides. Backends supply the endpoints and the faults; this file knows neither Docker
 * nor Kubernetes.
 */

/** What a watch on the harness's own dependencies reports (see TestRunOptions.dependencies). */
export interface DependencyListener {
  /** The dependency is gone: the run ends as the harness's failure; `fix` says what to do. */
  lost(cause: string, fix: string): void;
  /** A hiccup the run survives, recorded in its events. */
  note(detail: string): void;
}

/** A watch on one thing the harness stands on (see TestRunOptions.dependencies). */
export type DependencyWatch = (listener: DependencyListener) => { stop(): void };

/** Several watches as one: each reports to the same listener, all stop together. */
export function watchAll(...watches: DependencyWatch[]): DependencyWatch {
  return (listener) => {
    const started: Array<{ stop(): void }> = [];
    const stop = (): void => {
      // Each stops even if another's stop throws; the first error is raised after.
      const errors: unknown[] = [];
      for (const watch of started.splice(0)) {
        try {
          watch.stop();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw errors[0];
    };
    try {
      for (const watch of watches) started.push(watch(listener));
    } catch (error) {
      // A watch that cannot start leaves none of the others running.
      stop();
      throw error;
    }
    return { stop };
  };
}

/** What a scenario can use while the workload runs. */
export interface RunContext {
  events: EventLog;
  timeline: FaultTimeline;
  log: (line: string) => void;
  /** Keeps the workload running for ms. */
  pause: (ms: number) => Promise<void>;
}

export interface TestRunOptions {
  /** Names the run and its folder. */
  name: string;
  endpoints: () => Endpoint[];
  /** Faults applied one after another, each held for holdMs. Built lazily: a fault may pick its target then. */
  faults?: Array<{ fault: (ctx: RunContext) => Fault | Promise<Fault>; holdMs: number }>;
  /** Scenario steps of any shape, run after the faults while the workload continues (e.g. drains). */
  during?: (ctx: RunContext) => Promise<void>;
  /** Started before the workload, stopped after the final reads (e.g. a pod watch). */
  observe?: (ctx: RunContext) => { stop(): void };
  /**
   * Watches what the harness itself stands on (the Docker engine that runs the ensemble). A call
   * to lost(cause, fix) ends the run at once as the harness's failure: ZooKeeper is not blamed,
   * no final read is made, and what was recorded is kept and checked as unknown. note(detail)
   * records a hiccup the run survives (a stream re-established) in the run's events.
   */
  dependencies?: DependencyWatch;
  /** Seed of every random choice; printed, and read from ZK_CHAOS_SEED when not given. */
  seed?: number;
  /** Workload before the first fault, between faults, and after the last one. */
  quietMs?: number;
  resultsDir?: string;
  workers?: number;
  /** Operations per second across the workers (see WorkloadOptions.rate); default: think times. */
  rate?: number;
  /** How long each member's final reads are tried (see WorkloadOptions.finalReadWaitMs). */
  finalReadWaitMs?: number;
  /** Files written to the run's folder before the workload starts (e.g. the planned schedule). */
  files?: Record<string, string>;
  /** The command that reruns this test, shown in the report after ZK_CHAOS_SEED=<seed>. */
  rerunCommand?: string;
  log?: (line: string) => void;
}

/** A scenario step failed; the run's folder still holds its history, verdict and report. */
export class ScenarioError extends Error {
  readonly dir: string;
  readonly verdict: Verdict;
  constructor(message: string, dir: string, verdict: Verdict, cause: unknown) {
    super(message, { cause });
    this.name = 'ScenarioError';
    this.dir = dir;
    this.verdict = verdict;
  }
}

/**
 * The harness itself failed (it could not record its history: a full disk, an I/O error). Nothing
 * about ZooKeeper was concluded; the run's folder keeps every whole event recorded before it.
 */
export class HarnessError extends Error {
  readonly dir: string;
  constructor(message: string, dir: string, cause: unknown) {
    super(message, { cause });
    this.name = 'HarnessError';
    this.dir = dir;
  }
}

export interface TestRunResult {
  runId: string;
  dir: string;
  seed: number;
  verdict: Verdict;
  workload: WorkloadSummary;
  faults: FaultWindow[];
  events: ClusterEvent[];
}

export async function runTest(options: TestRunOptions): Promise<TestRunResult> {
  const log = options.log ?? ((line: string) => console.log(`[${options.name}] ${line}`));
  const environment = readEnvironment();
  const seed = resolveSeed(options.seed);
  const runId = `${options.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const dir = resolve(options.resultsDir ?? environment.resultsDir, runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_FILES.seed), `${seed}\n`);
  if (options.rerunCommand !== undefined) writeFileSync(join(dir, RUN_FILES.rerun), `${options.rerunCommand}\n`);
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
  log(`seed ${seed} (rerun with ZK_CHAOS_SEED=${seed}); results in ${dir}`);

  const recorder = new HistoryRecorder(join(dir, RUN_FILES.history));
  const timeline = new FaultTimeline(join(dir, RUN_FILES.faults), () => recorder.now());
  const events = new EventLog(join(dir, RUN_FILES.events), () => recorder.now());
  // The harness's own failure ends the run at once: a recorder that cannot write would only record
  // nothing, and a backend that is gone would make every operation fail for a reason not ZooKeeper's.
  const harnessFailed = new AbortController();
  let harnessFailure: { cause: string; fix: string; error: unknown } | undefined;
  const failHarness = (cause: string, fix: string, error: unknown): void => {
    if (harnessFailure) return;
    harnessFailure = { cause, fix, error };
    // The same full disk may refuse the event log too; the error below says it all the same.
    events.record('harness', 'failed', cause);
    log(`the harness lost what it runs on: ${cause}; stopping the run`);
    harnessFailed.abort(new Error(`the harness failed: ${cause}`));
  };
  recorder.onFailure((failure) => failHarness(failure.message, 'free disk space', failure));
  // The side logs on the same disk: a run whose faults or events go unrecorded cannot be explained.
  timeline.onFailure((failure) => failHarness(failure.message, 'free disk space', failure));
  events.onFailure((failure) => failHarness(failure.message, 'free disk space', failure));
  // The run's own quiet times and the scenario's pauses end with the harness's failure, as a step's waits do.
  const wait = (ms: number): Promise<void> => withinStep(harnessFailed.signal, () => pause(ms));
  // The harness's failure also ends whatever scenario step is under way: a fault's heal or the
  // schedule's quorum wait would otherwise poll members that went with the engine for minutes.
  // The run moves on at once; the step's waits and pauses end with the abort (withinStep), and
  // whatever it was doing besides (a command to a dead engine) fails on its own, saying nothing new.
  const harnessFailedNow = new Promise<never>((_, reject) => harnessFailed.signal.addEventListener('abort', () => reject(harnessFailed.signal.reason), { once: true }));
  harnessFailedNow.catch(() => undefined);
  const unlessHarnessFails = <T>(run: () => Promise<T>): Promise<T> => {
    const step = withinStep(harnessFailed.signal, run);
    step.catch(() => undefined);
    return Promise.race([step, harnessFailedNow]);
  };
  const ctx: RunContext = { events, timeline, log, pause: wait };
  const quietMs = options.quietMs ?? 5000;
  const observer = options.observe?.(ctx);
  const dependencies = options.dependencies?.({
    lost: (cause, fix) => failHarness(cause, fix, new Error(cause)),
    note: (detail) => {
      events.record('harness', 'gap', detail);
      log(detail);
    },
  });
  let workloadSummary: WorkloadSummary;
  // A scenario step that throws (a fault that never heals, a drain that times out) still leaves
  // the history checked and reported before the error is raised: nothing recorded is lost.
  let scenarioError: unknown;
  try {
    const workload = await startWorkload({
      ...DEFAULT_WORKLOAD,
      workers: options.workers ?? DEFAULT_WORKLOAD.workers,
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      ...(options.finalReadWaitMs === undefined ? {} : { finalReadWaitMs: options.finalReadWaitMs }),
      recorder,
      rng: new SeededRandom(seed),
      endpoints: options.endpoints,
      root: `/zk-chaos/${runId}`,
      log,
      afterMemberRead: () => holdIfAsked('final reads', log),
    });
    try {
      await wait(quietMs);
      for (const { fault, holdMs } of options.faults ?? []) {
        await unlessHarnessFails(async () => timeline.apply(await fault(ctx), holdMs, log));
        await wait(quietMs);
      }
      const { during } = options;
      if (during) {
        await unlessHarnessFails(() => during(ctx));
        await wait(quietMs);
      }
    } catch (error) {
      if (!harnessFailure) {
        scenarioError = error;
        log(`scenario step failed: ${error instanceof Error ? error.message : String(error)}; stopping the workload and checking what was recorded`);
      }
    } finally {
      workloadSummary = await workload.stop({ finalReads: !harnessFailure });
    }
  } finally {
    dependencies?.stop();
    observer?.stop();
    recorder.close();
  }
  try {
    writeWorkloadSummary(dir, workloadSummary);
  } catch (error) {
    // Only figures for people: a disk too full for them must not cost the run its verdict.
    log(`workload.json not written (${error instanceof Error ? error.message : String(error)})`);
  }
  if (harnessFailure) throw await harnessFailedError(options.name, dir, harnessFailure, log);
  // No member answered the final reads: what was recorded is still checked and reported, but
  // acknowledged writes could not be looked for, so the verdict cannot be valid.
  const noFinalReads = workloadSummary.finalReads === 0 ? 'no member of the ensemble answered the final reads' : undefined;
  if (noFinalReads) scenarioError ??= new Error(noFinalReads);
  if (workloadSummary.finalReads > 0) {
    events.record('harness', HISTORY_COMPLETE, `final reads made through ${workloadSummary.membersRead.join(', ')}`);
    // The disk may fill just here: the events file refusing this line is the same harness failure.
    if (harnessFailure) throw await harnessFailedError(options.name, dir, harnessFailure, log);
  }

  await holdIfAsked('check', log);
  const { verdict: checked, digest } = await checkHistoryFile(join(dir, RUN_FILES.history));
  const verdict = noFinalReads ? interruptedVerdict(checked, `${noFinalReads}: no acknowledged write could be checked for loss`) : checked;
  writeVerdict(dir, verdict, digest);
  const { p50, p99, max } = workloadSummary.loopDelayMs;
  log(`verdict ${verdict.validity}: ${workloadSummary.operations} operations, ${verdict.anomalies.length} anomalies; the harness's event loop ran late by p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
  await holdIfAsked('report', log);
  const report = await writeReport(dir, options.rerunCommand === undefined ? {} : { rerunCommand: options.rerunCommand });
  log(`report ${report}`);
  if (scenarioError !== undefined) {
    const reason = scenarioError instanceof Error ? scenarioError.message : String(scenarioError);
    throw new ScenarioError(`${options.name}: ${reason} (verdict of what was recorded: ${verdict.validity}; report ${report})`, dir, verdict, scenarioError);
  }
  return { runId, dir, seed, verdict, workload: workloadSummary, faults: timeline.windows, events: events.events };
}

/**
 * The run cannot be judged: its history stops where the harness failed. The folder still gets a
 * verdict (never valid: the final reads were not recorded) and a report when the disk allows.
 */
async function harnessFailedError(
  name: string,
  dir: string,
  failure: { cause: string; fix: string; error: unknown },
  log: (line: string) => void,
): Promise<HarnessError> {
  const history = join(dir, RUN_FILES.history);
  const message =
    `${name}: the harness failed, not ZooKeeper: ${failure.cause}. Fix the cause (${failure.fix}) and check ` +
    `what was recorded with: npx zk-chaos check ${history}`;
  log(message);
  try {
    const checked = await checkHistoryFile(history);
    writeVerdict(dir, interruptedVerdict(checked.verdict, `the harness stopped (${failure.cause})`), checked.digest);
    await writeReport(dir);
  } catch (error) {
    log(`no verdict or report written for now (${error instanceof Error ? error.message : String(error)}); zk-chaos check gives one later`);
  }
  return new HarnessError(message, dir, failure.error);
}

/**
 * Waits until the process is interrupted when ZK_CHAOS_HOLD_AT names `phase` (for 'final reads':
 * after the first member's final reads). Tests use it to send a real signal in a phase that lasts
 * milliseconds; nothing else sets it.
 */
async function holdIfAsked(phase: HoldPhase, log: (line: string) => void): Promise<void> {
  if (readEnvironment().holdAt !== phase) return;
  log(`holding at ${phase} (ZK_CHAOS_HOLD_AT) until interrupted`);
  await sleep(2 ** 31 - 1);
}

/** The checker's verdict on a history file, and the digest of the bytes it judged (for verdict.json). */
export async function checkHistoryFile(path: string): Promise<{ verdict: Verdict; digest: HistoryDigest }> {
  const { operations, digest } = await readDigestedOperationsFile(path);
  return { verdict: check(operations), digest };
}
