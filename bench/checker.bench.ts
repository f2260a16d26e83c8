/**
 * Checker benchmark: `node bench/checker.bench.ts [--seed N] [--scenario 1|2] [--scaling-only]`.
 *
 * Scenario 1: 1,000,000 operations over many small set keys and register keys, with zxids.
 *             Goal: parse + check in under 3 s.
 * Scenario 2: 10,000 cas/read/write operations over 8 keys and 8 processes, without zxids (every
 *             key goes through the search). Goal: a verdict within 60 s.
 * Then the scaling figures (bench/scaling.ts): one register key at 100k and 1M operations, reads
 * of values nobody wrote, the zxid fast path against the search, a history larger than a
 * JavaScript string, and the start-up of `zk-chaos check`; and the comparison with Porcupine on
 * the same files (bench/porcupine-compare.ts).
 *
 * Every history is valid by construction unless a figure says otherwise; the run exits non-zero if
 * a verdict is not the expected one. Goals are printed as PASS or MISS, never asserted in tests.
 * Each history goes through the real path: a JSON Lines file → readOperationsFile → check.
 */

import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Verdict } from '../harness/checker/index.ts';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalingFigures } from './scaling.ts';
import { simulateHistory, type SimulationOptions } from './simulate-history.ts';

interface Scenario {
  name: string;
  goalSeconds: number;
  goalText: string;
  /** Peak RSS of the checking process, when the scenario has a memory goal. */
  goalBytes?: number;
  options: Omit<SimulationOptions, 'seed'>;
}

const scenarios: Scenario[] = [
  {
    name: '1M mixed operations, zxids',
    goalSeconds: 3,
    goalText: 'parse + check < 3 s and < 1 GB',
    goalBytes: 2 ** 30,
    options: {
      operations: 1_000_000,
      slots: 64,
      setKeys: 20_000,
      registerKeys: 2_000,
      mix: { add: 50, 'read-set': 8, write: 14, read: 16, cas: 12 },
      zxids: true,
      crash: 0.001,
      failWrite: 0.001,
      maxLagNs: 3_000_000,
      finalReads: true,
      servers: 3,
    },
  },
  {
    name: '10k cas/read/write, 8 keys, 8 processes, no zxids',
    goalSeconds: 60,
    goalText: 'verdict < 60 s',
    options: {
      operations: 10_000,
      slots: 8,
      setKeys: 1,
      registerKeys: 8,
      mix: { cas: 40, read: 35, write: 25 },
      zxids: false,
      crash: 0.002,
      failWrite: 0.002,
      maxLagNs: 3_000_000,
      finalReads: false,
      servers: 3,
    },
  },
];

function parseSeed(argv: readonly string[]): number {
  const i = argv.indexOf('--seed');
  if (i === -1) return Math.floor(Math.random() * 0x7fffffff);
  const seed = Number(argv[i + 1]);
  if (!Number.isSafeInteger(seed)) {
    console.error(`--seed needs an integer (got ${argv[i + 1] ?? 'nothing'})`);
    process.exit(2);
  }
  return seed;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function run(scenario: Scenario, seed: number): Promise<boolean> {
  console.log(`\n== ${scenario.name}`);
  const t = performance.now();
  let events: ReturnType<typeof simulateHistory> | undefined = simulateHistory({ ...scenario.options, seed });
  const simulateMs = performance.now() - t;

  // Written to a file (untimed), then read back the way `zk-chaos check` reads it: streamed, each
  // line validated and paired into operations as it comes.
  const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-bench-'));
  const file = join(dir, `simulated-${seed}.jsonl`);
  const eventCount = events.length;
  writeFileSync(file, '');
  for (let i = 0; i < events.length; i += 50_000) {
    appendFileSync(file, events.slice(i, i + 50_000).map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  const bytes = statSync(file).size;
  events = undefined;
  // Read and checked in a process of its own: its memory is the check's alone.
  const child = spawnSync(process.execPath, [join(import.meta.dirname, 'check-file.ts'), file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  rmSync(dir, { recursive: true, force: true });
  if (child.status !== 0) {
    console.error(`check-file failed: ${child.stderr}`);
    return false;
  }
  const figures = JSON.parse(child.stdout) as {
    readMs: number;
    checkMs: number;
    maxRssBytes: number;
    validity: string;
    anomalies: string[];
    unknown: string[];
    stats: Verdict['stats'];
  };
  const s = figures.stats;
  const totalMs = figures.readMs + figures.checkMs;
  const goalMet = totalMs / 1000 < scenario.goalSeconds && (scenario.goalBytes === undefined || figures.maxRssBytes < scenario.goalBytes);
  console.log(`operations      ${s.operations.toLocaleString('en-US')} (ok ${s.byOutcome.ok}, fail ${s.byOutcome.fail}, info ${s.byOutcome.info}; ${JSON.stringify(s.byFunction)})`);
  console.log(`history         ${eventCount.toLocaleString('en-US')} events, ${mb(bytes)} of JSON Lines; ${s.keys} keys (${s.setKeys} set, ${s.registerKeys} register)`);
  console.log(`simulate        ${seconds(simulateMs)}`);
  console.log(`read + parse    ${seconds(figures.readMs)} (streamed from the file)`);
  console.log(`check           ${seconds(figures.checkMs)} (register keys: ${s.explainedKeys} explained, ${s.witnessKeys} by zxid witness, ${s.searchedKeys} searched, ${s.searchStates.toLocaleString('en-US')} search states)`);
  console.log(`validity        ${figures.validity}`);
  for (const a of figures.anomalies) console.log(`  ${a}`);
  for (const u of figures.unknown) console.log(`  unknown: ${u}`);
  console.log(`memory          peak RSS of the checking process ${mb(figures.maxRssBytes)}`);
  const load = loadavg()[0] ?? 0;
  console.log(`goal            ${scenario.goalText} (read + check ${seconds(totalMs)}): ${goalMet ? 'PASS' : 'MISS'}${load > cpus().length ? ` (load average ${load.toFixed(1)} on ${cpus().length} CPUs: timings are inflated)` : ''}`);
  return figures.validity === 'valid';
}

const argv = process.argv.slice(2);
const seed = parseSeed(argv);
const only = argv.includes('--scenario') ? Number(argv[argv.indexOf('--scenario') + 1]) : undefined;
console.log(`checker benchmark, seed ${seed} (replay with --seed ${seed})`);
let allValid = true;
for (const [i, scenario] of scenarios.entries()) {
  if (argv.includes('--scaling-only') || (only !== undefined && only !== i + 1)) continue;
  if (!(await run(scenario, seed))) allValid = false;
}
if (only === undefined && !(await scalingFigures(seed))) allValid = false;
// In a process of its own, as Porcupine's checks run in theirs: the same conditions on both sides.
// Run in this process after the larger histories, the small sets came out at 2.1-2.2x Porcupine's
// time; alone, on the same days, at 1.5-1.7x.
if (only === undefined && spawnSync(process.execPath, [join(import.meta.dirname, 'porcupine-compare.ts'), '--seed', String(seed)], { stdio: 'inherit' }).status !== 0) allValid = false;
if (!allValid) {
  console.error('\nFAIL: a history was not judged as constructed (see above)');
  process.exit(1);
}
