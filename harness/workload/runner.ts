import { setTimeout as sleep } from 'node:timers/promises';
import { RecorderError, type HistoryRecorder } from '../history/recorder.ts';
import { OperationGenerator, type GeneratorMix } from './generator.ts';
import * as op from './operations.ts';
import type { SeededRandom } from './random.ts';
import { ZooKeeperSession } from './zk-session.ts';

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
  log?: (line: string) => void;
}

export interface RunningWorkload {
  /** Stops issuing operations, waits for outstanding ones, then performs the final reads. */
  stop(): Promise<WorkloadSummary>;
}

export interface WorkloadSummary {
  operations: number;
  byOutcome: Record<op.CompletionType, number>;
  processes: number;
  finalReads: number;
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
  const generator = new OperationGenerator(setKeys, registerKeys, options.mix);
  const counts: Record<op.CompletionType, number> = { ok: 0, fail: 0, info: 0 };
  let nextProcess = 0;
  let stopping = false;
  const log = options.log ?? (() => {});

  const connect = async (preferred: number): Promise<{ session: ZooKeeperSession; process: number }> => {
    for (let attempt = 0; ; attempt++) {
      const endpoints = options.endpoints();
      const endpoint = endpoints[(preferred + attempt) % endpoints.length] as Endpoint;
      try {
        const session = await ZooKeeperSession.connect({
          address: endpoint.address,
          serverName: endpoint.name,
          connectTimeoutMs: options.connectTimeoutMs,
          operationTimeoutMs: options.operationTimeoutMs,
          sessionTimeoutMs: options.sessionTimeoutMs,
        });
        return { session, process: nextProcess++ };
      } catch (error) {
        if (stopping && attempt >= endpoints.length * 3) throw error;
        await sleep(250);
      }
    }
  };

  await prepareRoot(connect, paths, setKeys);

  const worker = async (index: number, rng: SeededRandom) => {
    let current: { session: ZooKeeperSession; process: number } | undefined;
    let home = index;
    const knowledge = new Map<string, op.RegisterKnowledge>();
    while (!stopping) {
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
        stopping = true;
        break;
      }
      counts[type]++;
      if (type === 'info') {
        // The outcome is unknown and the session may still deliver it later: retire the process.
        session.close();
        current = undefined;
        home++;
      }
      await sleep(rng.int(options.thinkMs[0], options.thinkMs[1]));
    }
    current?.session.close();
  };

  const progress = setInterval(() => {
    log(`workload: ${counts.ok + counts.fail + counts.info} operations (ok ${counts.ok}, fail ${counts.fail}, info ${counts.info}), ${nextProcess} sessions`);
  }, 5000);
  const workers = Array.from({ length: options.workers }, (_, i) => worker(i, options.rng.fork()));

  return {
    async stop(): Promise<WorkloadSummary> {
      stopping = true;
      await Promise.all(workers);
      clearInterval(progress);
      // Final reads that cannot be recorded would check nothing.
      const finalReads = options.recorder.failure ? 0 : await readFinalState(options, connect, generator, paths, setKeys, registerKeys, counts).catch((error: unknown) => {
        if (error instanceof RecorderError) return 0;
        throw error;
      });
      return { operations: counts.ok + counts.fail + counts.info, byOutcome: { ...counts }, processes: nextProcess, finalReads };
    },
  };
}

type Connect = (preferred: number) => Promise<{ session: ZooKeeperSession; process: number }>;

/** Creates the run's parent znodes (not part of the history: nothing is checked about them). */
async function prepareRoot(connect: Connect, paths: op.Paths, setKeys: string[]): Promise<void> {
  const { session } = await connect(0);
  try {
    for (const path of [...setKeys.map((k) => paths.setParent(k)), paths.register('x').replace(/\/x$/, '')]) {
      const made = await session.mkdirp(path);
      if (made.type !== 'ok') throw new Error(`could not create ${path}: ${made.error}`);
    }
  } finally {
    session.close();
  }
}

/**
 * The final reads, once the faults have healed. For each set, a fresh session first adds a marker
 * element and then reads the set: ZooKeeper orders the marker after every write acknowledged
 * before it, and a session reads its own writes, so the read reflects every acknowledged add —
 * the no-lost-acknowledged-write check needs no trust in a follower's freshness.
 */
async function readFinalState(
  options: WorkloadOptions,
  connect: Connect,
  generator: OperationGenerator,
  paths: op.Paths,
  setKeys: string[],
  registerKeys: string[],
  counts: Record<op.CompletionType, number>,
): Promise<number> {
  let reads = 0;
  const rec = options.recorder;
  const deadline = Date.now() + 120_000;
  for (const key of setKeys) {
    for (let done = false; !done; ) {
      if (Date.now() > deadline) throw new Error(`final read of ${key}: the ensemble did not answer within 120 s`);
      const { session, process: p } = await connect(reads);
      try {
        // A definite failure (e.g. NO_NODE after data loss) went through the leader too, so the
        // read below still follows every write acknowledged before it; only an unknown outcome
        // leaves the session's position in doubt.
        const marked = await op.add(rec, p, session, paths, key, generator.nextUnique('final-'));
        counts[marked]++;
        if (marked === 'info') continue;
        const result = await op.readSet(rec, p, session, paths, key, true);
        counts[result.type]++;
        done = result.type === 'ok';
        if (done) reads++;
      } finally {
        session.close();
      }
    }
  }
  const endpoints = options.endpoints();
  for (const key of registerKeys) {
    for (let i = 0; i < endpoints.length; i++) {
      try {
        const { session, process: p } = await connect(i);
        const result = await op.read(rec, p, session, paths, key);
        counts[result.type]++;
        session.close();
      } catch {
        // A member that stays unreachable only loses us an extra read; the set reads above are the check.
      }
    }
  }
  return reads;
}
