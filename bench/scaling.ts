/**
 * Scaling figures of the checker, each printed with its goal (PASS / MISS). Goals are figures to
 * read, never assertions: a loaded machine inflates wall times, and the load is printed.
 */

import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { check, type Verdict } from '../harness/checker/index.ts';
import { toOperations } from '../harness/history/parse.ts';
import { readHistoryFile } from '../harness/history/read-file.ts';
import type { HistoryEvent, Operation } from '../harness/history/types.ts';
import { simulateHistory } from './simulate-history.ts';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const verdictText = (v: Verdict): string =>
  `${v.validity} (${v.stats.explainedKeys} explained, ${v.stats.witnessKeys} by zxid witness, ${v.stats.searchedKeys} searched, ${v.stats.searchStates.toLocaleString('en-US')} states)`;
const goal = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

function timed<T>(f: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = f();
  return { value, ms: performance.now() - t };
}

/** The middle one of an odd number of timed samples: a single run is at the mercy of one GC. */
function median<T extends { ms: number }>(samples: readonly T[]): T {
  return [...samples].sort((a, b) => a.ms - b.ms)[samples.length >> 1]!;
}

/** One register key, 6 sessions, no zxids: the search alone. */
function oneKey(seed: number, operations: number): Operation[] {
  return toOperations(
    simulateHistory({
      seed,
      operations,
      slots: 6,
      setKeys: 1,
      registerKeys: 1,
      mix: { write: 30, read: 40, cas: 30 },
      zxids: false,
      crash: 0.0005,
      failWrite: 0.001,
      maxLagNs: 3_000_000,
      finalReads: false,
      servers: 3,
    }),
  );
}

/** n reads of values nobody wrote, after one write: invalid (phantom values), must stay linear. */
function phantomReads(n: number): Operation[] {
  const ops: Operation[] = [{ id: 0, process: 0, f: 'write', key: 'r', input: 'a', output: 'a', outcome: 'ok', invokeTime: 0, completeTime: 5 }];
  for (let i = 1; i <= n; i++) {
    ops.push({ id: i, process: i % 6, f: 'read', key: 'r', input: null, output: `ghost${i}`, outcome: 'ok', invokeTime: i * 10, completeTime: i * 10 + 5 });
  }
  return ops;
}

/**
 * n final reads of one key, through as many members (a history no harness writes, but the format
 * allows): n / 2 writes of 'b', one of 'a' read by a final read, a last write of 'b', then the other
 * final reads, all of 'b'. Each final read is compared with the last one before it and asked about
 * the writers of its value: valid, and it must stay linear.
 */
function finalReads(n: number): Operation[] {
  const ops: Operation[] = [];
  let t = 0;
  const write = (value: string): void => {
    ops.push({ id: ops.length, process: 0, f: 'write', key: 'r', input: value, output: value, outcome: 'ok', invokeTime: t, completeTime: t + 5 });
    t += 10;
  };
  const read = (value: string, process: number, last: number): void => {
    ops.push({ id: ops.length, process, f: 'read', key: 'r', input: null, output: value, outcome: 'ok', invokeTime: t, completeTime: t + last, final: true });
  };
  for (let i = 0; i < n / 2; i++) write('b');
  write('a');
  read('a', 1, 5);
  t += 10;
  write('b');
  for (let i = 0; i < n / 2; i++) read('b', 2 + i, 1 + i);
  return ops;
}

/** One write, n failed cas (compared: BAD_VERSION) in one session, one read; with or without zxids. */
function failedCas(n: number, zxids: boolean): Operation[] {
  const z = zxids ? { zxid: 0x100000001n } : {};
  const ops: Operation[] = [{ id: 0, process: 0, f: 'write', key: 'r', input: 'a', output: 'a', outcome: 'ok', invokeTime: 0, completeTime: 5, ...z }];
  for (let i = 1; i <= n; i++) {
    ops.push({ id: i, process: 1, f: 'cas', key: 'r', input: [`x${i}`, `y${i}`], output: null, outcome: 'fail', error: 'BAD_VERSION', invokeTime: i * 10, completeTime: i * 10 + 5 });
  }
  ops.push({ id: n + 1, process: 2, f: 'read', key: 'r', input: null, output: 'a', outcome: 'ok', invokeTime: (n + 1) * 10, completeTime: (n + 1) * 10 + 5, ...z });
  return ops;
}

/** Writes a history of `bytes` or more (distinct register keys with long values) to `path`. */
async function writeLargeHistory(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  const value = 'v'.repeat(8000);
  let index = 0;
  let written = 0;
  for (let k = 0; written < bytes; k++) {
    for (const e of [
      { type: 'invoke', process: k, time: k * 100, f: 'write', key: `r${k}`, value },
      { type: 'ok', process: k, time: k * 100 + 10, f: 'write', key: `r${k}`, value },
      { type: 'invoke', process: k, time: k * 100 + 20, f: 'read', key: `r${k}`, value: null },
      { type: 'ok', process: k, time: k * 100 + 30, f: 'read', key: `r${k}`, value },
    ]) {
      const line = JSON.stringify({ index: index++, ...e }) + '\n';
      written += line.length;
      if (!out.write(line)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  return index;
}

export async function scalingFigures(seed: number): Promise<boolean> {
  let asExpected = true;
  const expect = (v: Verdict, validity: Verdict['validity'], what: string): void => {
    if (v.validity !== validity) {
      asExpected = false;
      console.error(`  UNEXPECTED: ${what} was judged ${v.validity}, built ${validity}`);
    }
  };

  console.log('\n== The zxid fast path against the search it replaces (80,000 failed cas, one session; median of 11)');
  // The histories are built before the clock starts; both paths are warmed up, then timed in turn
  // eleven times, and the medians compared: a single run of ~0.1 s is at the mercy of one GC, and
  // on this machine medians of five still swung by 40 % between runs of the benchmark. The turns
  // alternate which path runs first (six of the eleven start with the zxid path), so neither always
  // collects the other's garbage. It runs first, in a heap that holds only its own histories, as
  // `zk-chaos check` holds one history: after the 1,000,000-operation search below the heap holds
  // 1.5 GB, and collecting that slowed the zxid path (which allocates more) by up to 60 % while
  // the search was unchanged.
  const withZxids = failedCas(80_000, true);
  const withoutZxids = failedCas(80_000, false);
  check(withZxids);
  check(withoutZxids);
  const turns = Array.from({ length: 11 }, (_, turn) => {
    if (turn % 2 === 0) {
      const withZxidsRun = timed(() => check(withZxids));
      return [withZxidsRun, timed(() => check(withoutZxids))] as const;
    }
    const withoutZxidsRun = timed(() => check(withoutZxids));
    return [timed(() => check(withZxids)), withoutZxidsRun] as const;
  });
  const withZ = median(turns.map((turn) => turn[0]));
  const withoutZ = median(turns.map((turn) => turn[1]));
  console.log(`with zxids      ${seconds(withZ.ms)}: ${verdictText(withZ.value)}`);
  console.log(`without zxids   ${seconds(withoutZ.ms)}: ${verdictText(withoutZ.value)}`);
  expect(withZ.value, 'valid', 'failed cas with zxids');
  expect(withoutZ.value, 'valid', 'failed cas without zxids');
  console.log(`goal            fast path not slower than the search (within 25 %): ${goal(withZ.ms <= withoutZ.ms * 1.25)}`);

  console.log('\n== One register key, 6 sessions, no zxids (the search alone)');
  const small = timed(() => check(oneKey(seed, 100_000)));
  console.log(`100,000 ops     ${seconds(small.ms)}: ${verdictText(small.value)}`);
  expect(small.value, 'valid', '100k one-key history');
  const ops = oneKey(seed, 1_000_000);
  const rssBefore = process.memoryUsage().rss;
  const large = timed(() => check(ops));
  console.log(`1,000,000 ops   ${seconds(large.ms)}: ${verdictText(large.value)}; RSS ${mb(process.memoryUsage().rss)} (${mb(process.memoryUsage().rss - rssBefore)} more)`);
  expect(large.value, 'valid', '1M one-key history');
  const ratio = large.ms / small.ms;
  console.log(`goal            1M < 5 s and time(1M)/time(100k) < 12 (${ratio.toFixed(1)}): ${goal(large.ms < 5000 && ratio < 12)}`);

  console.log('\n== Reads of values nobody wrote (phantom values; median of 5)');
  // Built before the clock, warmed up, medians of five: one run of 20,000 reads takes ~50 ms, and a
  // single sample of it swung the ratio from 2.5 to 6.4 between two runs of the benchmark.
  const medianOfFive = (ops: Operation[]): { value: Verdict; ms: number } => {
    check(ops);
    return median(Array.from({ length: 5 }, () => timed(() => check(ops))));
  };
  const p20 = medianOfFive(phantomReads(20_000));
  const p80 = medianOfFive(phantomReads(80_000));
  console.log(`20,000 reads    ${seconds(p20.ms)}; 80,000 reads ${seconds(p80.ms)}: ${p80.value.anomalies.length} anomalies`);
  expect(p80.value, 'invalid', 'phantom reads');
  console.log(`goal            linear: time(80k)/time(20k) < 6 (${(p80.ms / p20.ms).toFixed(1)}): ${goal(p80.ms / p20.ms < 6)}`);

  console.log('\n== Final reads of one key, one per member, 100,000 of them (median of 5)');
  const f25 = medianOfFive(finalReads(25_000));
  const f100 = medianOfFive(finalReads(100_000));
  console.log(`25,000 reads    ${seconds(f25.ms)}; 100,000 reads ${seconds(f100.ms)}: ${f100.value.validity}`);
  expect(f100.value, 'valid', 'final reads');
  console.log(`goal            linear: time(100k)/time(25k) < 6 (${(f100.ms / f25.ms).toFixed(1)}): ${goal(f100.ms / f25.ms < 6)}`);

  console.log('\n== A history larger than the largest JavaScript string (streamed)');
  const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-bench-'));
  try {
    const path = join(dir, 'large.jsonl');
    const events = await writeLargeHistory(path, 560 * 2 ** 20);
    const t = performance.now();
    const parsed: HistoryEvent[] = await readHistoryFile(path);
    const verdict = check(toOperations(parsed));
    const ms = performance.now() - t;
    console.log(`${mb(statSync(path).size)}, ${events.toLocaleString('en-US')} events: read + check ${seconds(ms)}: ${verdict.validity}`);
    expect(verdict, 'valid', 'the large history');
    console.log(`goal            a verdict, not "Invalid string length": ${goal(verdict.validity === 'valid')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('\n== zk-chaos check start-up (a two-line history)');
  const two = join(mkdtempSync(join(tmpdir(), 'zk-chaos-bench-')), 'two.jsonl');
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(
      two,
      '{"index":0,"type":"invoke","process":0,"time":1,"f":"read","key":"r","value":null}\n' +
        '{"index":1,"type":"ok","process":0,"time":2,"f":"read","key":"r","value":null}\n',
    ),
  );
  const cli = join(import.meta.dirname, '../harness/cli/zk-chaos.ts');
  const startUp = median(Array.from({ length: 5 }, () => timed(() => spawnSync(process.execPath, [cli, 'check', two], { stdio: 'ignore' })))).ms;
  const bare = timed(() => spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' })).ms;
  console.log(`check           median of 5: ${seconds(startUp)} (bare node: ${seconds(bare)})`);
  console.log(`goal            < 0.3 s: ${goal(startUp < 300)}`);
  rmSync(join(two, '..'), { recursive: true, force: true });

  const load = loadavg()[0] ?? 0;
  if (load > cpus().length) console.log(`\n(load average ${load.toFixed(1)} on ${cpus().length} CPUs: wall times are inflated)`);
  return asExpected;
}
