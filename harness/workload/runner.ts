import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { RecorderError, type HistoryRecorder } from '../history/recorder.ts';
import { OperationGenerator, type GeneratorMix } from './generator.ts';
import * as op from './operations.ts';
import type { SeededRandom } from './random.ts';
import { ZooKeeperSession, type Outcome } from './zk-session.ts';

/** A ZooKeeper server as the clients reach it. Looked up again for every new session. */
export interface Endpoint {
  name: string;
  address: string;
}

export interface WorkloadOptions {
  recorder: HistoryRecorder;
  rng: SeededRandom;
  /** The current client addresses of the members (they may change across restarts). */
  endpoints: () => Endpoint[];
  /** Znode under which this run's keys live; unique per run. */
  root: string;
  workers: number;
  setKeys: number;
  registerKeys: number;
  /** Pause between a worker's operations, drawn uniformly from [min, max] ms. */
  thinkMs: [number, number];
  operationTimeoutMs: number;
  connectTimeoutMs: number;
  sessionTimeoutMs: number;
  mix?: GeneratorMix;
  /** Adds a set key takes before the workload moves to a fresh key (default SET_KEY_CAPACITY). */
  setKeyCapacity?: number;
  /**
   * Operations per second across all workers, paced evenly (each worker waits for the next free
   * slot instead of thinking). Without it each worker thinks thinkMs between operations.
   */
  rate?: number;
  /** How long each member's final reads are tried before it is left out (default 60 s). */
  finalReadWaitMs?: number;
  log?: (line: string) => void;
  /** Called after each member's final reads are made (a test holds the run there to interrupt it). */
  afterMemberRead?: (member: string) => Promise<void>;
}

export interface RunningWorkload {
  /**
   * Stops issuing operations, waits for outstanding ones, then performs the final reads (unless
   * finalReads is false: the harness knows they could not be made or recorded).
   */
  stop(options?: { finalReads?: boolean }): Promise<WorkloadSummary>;
}

export interface WorkloadSummary {
  operations: number;
  byOutcome: Record<op.CompletionType, number>;
  processes: number;
  /** Members whose final reads were all made (see readFinalState). */
  finalReads: number;
  membersRead: string[];
  /**
   * How late the harness's own event loop ran while the workers ran (ms): a timestamp the client
   * library takes late puts the harness's CPU into the latency it records, so a high p99 here says
   * the run's load was more than this host's harness could measure faithfully.
   */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export const DEFAULT_WORKLOAD = {
  workers: 6,
  setKeys: 2,
  registerKeys: 3,
  thinkMs: [5, 25] as [number, number],
  operationTimeoutMs: 4000,
  connectTimeoutMs: 4000,
  sessionTimeoutMs: 8000,
};

/**
 * Runs workers that each hold one session to one server (worker i starts on member i mod n, so
 * writes through one member are read through another, as in the tutorial). After an
 * indeterminate outcome a worker closes its session and opens a new one, on the next member, as a
 * new history process.
 */
export async function startWorkload(options: WorkloadOptions): Promise<RunningWorkload> {
  const paths: op.Paths = {
    setParent: (key) => `${options.root}/sets/${key}`,
    register: (key) => `${options.root}/registers/${key}`,
  };
  const setKeys = Array.from({ length: options.setKeys }, (_, i) => `set-${i}`);
  const registerKeys = Array.from({ length: options.registerKeys }, (_, i) => `reg-${i}`);
  const generator = new OperationGenerator(setKeys, registerKeys, options.mix, options.setKeyCapacity === undefined ? {} : { setKeyCapacity: options.setKeyCapacity });
  const parents = new SetParents(paths);
  const counts: Record<op.CompletionType, number> = { ok: 0, fail: 0, info: 0 };
  let nextProcess = 0;
  const log = options.log ?? (() => {});

  // A member that does not answer is passed over for the next one, 250 ms later, until the
  // workload stops: then a worker still connecting gives up at once (it would only issue one
  // more operation; the final reads open sessions of their own), so a stop never waits on
  // members that are down.
  const stopped = new AbortController();
  const connect = (preferred: number): Promise<{ session: ZooKeeperSession; process: number }> =>
    pRetry(
      async (attemptNumber) => {
        const endpoints = options.endpoints();
        const endpoint = endpoints[(preferred + attemptNumber - 1) % endpoints.length] as Endpoint;
        const session = await ZooKeeperSession.connect({
          address: endpoint.address,
          serverName: endpoint.name,
          connectTimeoutMs: options.connectTimeoutMs,
          operationTimeoutMs: options.operationTimeoutMs,
          sessionTimeoutMs: options.sessionTimeoutMs,
          signal: stopped.signal,
        });
        return { session, process: nextProcess++ };
      },
      { retries: Infinity, factor: 1, minTimeout: 250, randomize: false, signal: stopped.signal },
    );

  await prepareRoot(connect, paths, parents, setKeys);

  // With a rate, one shared clock of slots 1000/rate ms apart: a worker takes the next free slot.
  let nextSlot = performance.now();
  const pace = async (rng: SeededRandom): Promise<void> => {
    if (options.rate === undefined) return void (await sleep(rng.int(options.thinkMs[0], options.thinkMs[1])));
    const now = performance.now();
    nextSlot = Math.max(nextSlot + 1000 / options.rate, now);
    if (nextSlot > now) await sleep(nextSlot - now);
  };

  const worker = async (index: number, rng: SeededRandom) => {
    let current: { session: ZooKeeperSession; process: number } | undefined;
    let home = index;
    const knowledge = new Map<string, op.RegisterKnowledge>();
    while (!stopped.signal.aborted) {
      if (!current) {
        try {
          current = await connect(home);
        } catch {
          break;
        }
      }
      const { session, process: p } = current;
      const planned = generator.next(rng, knowledge);
      const rec = options.recorder;
      // A set key the generator has just moved to gets its parent znode first (not recorded; if
      // that fails, the add fails NO_NODE, a definite failure the history records as such).
      if (planned.f === 'add' || planned.f === 'read-set') await parents.ensure(session, planned.key);
      let type: op.CompletionType;
      try {
        switch (planned.f) {
          case 'add':
            type = await op.add(rec, p, session, paths, planned.key, planned.element);
            break;
          case 'read-set':
            type = (await op.readSet(rec, p, session, paths, planned.key)).type;
            break;
          case 'read':
          case 'write':
          case 'cas': {
            const result =
              planned.f === 'read'
                ? await op.read(rec, p, session, paths, planned.key)
                : planned.f === 'write'
                  ? await op.write(rec, p, session, paths, planned.key, planned.value)
                  : await op.cas(rec, p, session, paths, planned.key, planned.expected, planned.value);
            type = result.type;
            if (result.knowledge) knowledge.set(planned.key, result.knowledge);
            break;
          }
        }
      } catch (error) {
        // What cannot be recorded cannot be checked: the whole workload stops (runTest says why).
        if (!(error instanceof RecorderError)) throw error;
        stopped.abort(error);
        break;
      }
      counts[type]++;
      if (type === 'info') {
        // The outcome is unknown and the session may still deliver it later: retire the process.
        session.close();
        current = undefined;
        home++;
      }
      await pace(rng);
    }
    current?.session.close();
  };

  const progress = setInterval(() => {
    log(`workload: ${counts.ok + counts.fail + counts.info} operations (ok ${counts.ok}, fail ${counts.fail}, info ${counts.info}), ${nextProcess} sessions`);
  }, 5000);
  const LOOP_SAMPLE_MS = 10;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loopDelay.enable();
  const workers = Array.from({ length: options.workers }, (_, i) => worker(i, options.rng.fork()));

  return {
    async stop({ finalReads = true } = {}): Promise<WorkloadSummary> {
      stopped.abort(new Error('the workload stopped'));
      await Promise.all(workers);
      clearInterval(progress);
      loopDelay.disable();
      // The histogram holds the time between samples (ns), the sampling interval included: the delay is what is over it.
      const ms = (ns: number): number => (loopDelay.count > 0 ? Math.max(0, Math.round((ns / 1e6 - LOOP_SAMPLE_MS) * 10) / 10) : 0);
      const loopDelayMs = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
      // Final reads that cannot be recorded would check nothing.
      const members = options.recorder.failure || !finalReads
        ? []
        : await readFinalState(options, generator, paths, parents, registerKeys, counts, () => nextProcess++).catch((error: unknown) => {
            if (error instanceof RecorderError) return [];
            throw error;
          });
      return { operations: counts.ok + counts.fail + counts.info, byOutcome: { ...counts }, processes: nextProcess, finalReads: members.length, membersRead: members, loopDelayMs };
    },
  };
}

type Connect = (preferred: number) => Promise<{ session: ZooKeeperSession; process: number }>;

/**
 * The set keys whose parent znode exists: each is created once, by the first session that needs
 * it, while the others wait for that creation; a creation that failed is tried again next time.
 */
class SetParents {
  private readonly creations = new Map<string, Promise<Outcome<string>>>();
  private readonly paths: op.Paths;
  constructor(paths: op.Paths) {
    this.paths = paths;
  }

  /** The creation's outcome (its error says why when it failed). */
  ensure(session: ZooKeeperSession, key: string): Promise<Outcome<string>> {
    let creation = this.creations.get(key);
    if (!creation) {
      creation = session.mkdirp(this.paths.setParent(key));
      this.creations.set(key, creation);
      void creation.then((made) => {
        if (made.type !== 'ok') this.creations.delete(key);
      });
    }
    return creation;
  }
}

/**
 * Creates the run's parent znodes before the first operation (not part of the history: nothing is
 * checked about them), so a run that cannot even set up stops here with the reason. The set keys'
 * parents go through `parents`, which creates every later key's parent too.
 */
async function prepareRoot(connect: Connect, paths: op.Paths, parents: SetParents, setKeys: string[]): Promise<void> {
  const { session } = await connect(0);
  try {
    const registers = paths.register('x').replace(/\/x$/, '');
    const made = await session.mkdirp(registers);
    if (made.type !== 'ok') throw new Error(`could not create ${registers}: ${made.error}`);
    for (const key of setKeys) {
      const parent = await parents.ensure(session, key);
      if (parent.type !== 'ok') throw new Error(`could not create ${paths.setParent(key)}: ${parent.error}`);
    }
  } finally {
    session.close();
  }
}

/**
 * The final reads, once the faults have healed: every member is read on its own, through a
 * session pinned to it. For each set, that session first adds a marker element and then reads the
 * set: ZooKeeper orders the marker after every write acknowledged before it, and a session reads
 * its own writes, so the read reflects every acknowledged add — the no-lost-acknowledged-write
 * check needs no trust in a follower's freshness. The registers are read last on the same session,
 * after its markers. Reading each member apart lets the checker compare them (a member that
 * diverged from the others is reported, with its name). Returns the members read in full.
 */
async function readFinalState(
  options: WorkloadOptions,
  generator: OperationGenerator,
  paths: op.Paths,
  parents: SetParents,
  registerKeys: string[],
  counts: Record<op.CompletionType, number>,
  nextProcess: () => number,
): Promise<string[]> {
  const rec = options.recorder;
  const log = options.log ?? (() => {});
  const read: string[] = [];
  for (const member of options.endpoints()) {
    const waitMs = options.finalReadWaitMs ?? 60_000;
    const deadline = Date.now() + waitMs;
    let done = false;
    while (!done && Date.now() < deadline) {
      let session: ZooKeeperSession | undefined;
      try {
        session = await ZooKeeperSession.connect({
          address: member.address,
          serverName: member.name,
          connectTimeoutMs: options.connectTimeoutMs,
          operationTimeoutMs: options.operationTimeoutMs,
          sessionTimeoutMs: options.sessionTimeoutMs,
        });
      } catch {
        await sleep(500);
        continue;
      }
      const p = nextProcess();
      try {
        done = await readMember(rec, p, session, generator, paths, parents, registerKeys, counts);
      } finally {
        session.close();
      }
    }
    if (done) {
      read.push(member.name);
      await options.afterMemberRead?.(member.name);
    } else log(`final reads through ${member.name}: it did not answer within ${waitMs / 1000} s; the other members are compared without it`);
  }
  // None read: the summary says so (finalReads 0), and the run decides what that makes its verdict.
  return read;
}

/** One member's final reads on one session; false when an outcome was not ok (retry on a new session). */
async function readMember(
  rec: HistoryRecorder,
  p: number,
  session: ZooKeeperSession,
  generator: OperationGenerator,
  paths: op.Paths,
  parents: SetParents,
  registerKeys: string[],
  counts: Record<op.CompletionType, number>,
): Promise<boolean> {
  // Every set key the run used: the slots' current keys and the ones they moved on from.
  const setKeys = generator.setKeys;
  for (const key of setKeys) {
    await parents.ensure(session, key);
    // A definite failure (e.g. NO_NODE after data loss) went through the leader too, so the read
    // below still follows every write acknowledged before it; only an unknown outcome leaves the
    // session's position in doubt.
    const marked = await op.add(rec, p, session, paths, key, generator.nextUnique('final-'));
    counts[marked]++;
    if (marked === 'info') return false;
    const result = await op.readSet(rec, p, session, paths, key, true);
    counts[result.type]++;
    if (result.type !== 'ok') return false;
  }
  // Final only after a marker through this session: without sets there is none.
  const final = setKeys.length > 0;
  for (const key of registerKeys) {
    const result = await op.read(rec, p, session, paths, key, final);
    counts[result.type]++;
    if (result.type !== 'ok') return false;
  }
  return true;
}
