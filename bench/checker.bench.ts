/**
 * Checker benchmark: `node bench/checker.bench.ts [--seed N] [--scenario 1|2] [--scaling-only]`.
 *
 * Scenario 1: 1,000,000 operations over many small set keys and register keys, with zxids.
 *             Goal: parse + check in under 3 s.
 * Scenario 2: 10,000 cas/read/write operations over 8 keys and 8 processes, without zxids (every
 *             key goes through the search). Goal: a verdict within 60 s.
 * Then the scaling figures (bench/scaling.ts): one register key at 100k and 1M operations, reads
 * of values nobody wrote, the zxid fast path against the search, a history larger than a
 * JavaScript string, and the start-up of `zk-chaos check`.
 *
 * Every history is valid by construction unless a figure says otherwise; the run exits non-zero if
 * a verdict is not the expected one. Goals are printed as PASS or MISS, never asserted in tests.
 * Each history goes through the real path: a JSON Lines file → readOperationsFile → check.
 */

import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { check, type Verdict } from '../harness/checker/index.ts';
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOperationsFile } from '../harness/history/read-file.ts';
import { scalingFigures } from './scaling.ts';
import { simulateHistory, type SimulationOptions } from './simulate-history.ts';

interface Scenario {
  name: string;
  goalSeconds: number;
  goalText: string;
  options: Omit<SimulationOptions, 'seed'>;
}

const scenarios: Scenario[] = [
  {
    name: '1M mixed operations, zxids',
    goalSeconds: 3,
    goalText: 'parse + check < 3 s and < 1 GB',
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

let peakHeap = 0;
function sample(): void {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}

async function run(scenario: Scenario, seed: number): Promise<boolean> {
  console.log(`\n== ${scenario.name}`);
  peakHeap = 0;
  let t = performance.now();
  let events: ReturnType<typeof simulateHistory> | undefined = simulateHistory({ ...scenario.options, seed });
  const simulateMs = performance.now() - t;
  sample();

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
  t = performance.now();
  const ops = await readOperationsFile(file);
  const parseMs = performance.now() - t;
  rmSync(dir, { recursive: true, force: true });
  sample();

  t = performance.now();
  const cpu = process.cpuUsage();
  const verdict: Verdict = check(ops);
  const checkMs = performance.now() - t;
  const checkCpu = process.cpuUsage(cpu);
  sample();

  const goalMet = (checkMs + parseMs) / 1000 < scenario.goalSeconds && process.resourceUsage().maxRSS * 1024 < 2 ** 30;
  const s = verdict.stats;
  console.log(`operations      ${s.operations.toLocaleString('en-US')} (ok ${s.byOutcome.ok}, fail ${s.byOutcome.fail}, info ${s.byOutcome.info}; ${JSON.stringify(s.byFunction)})`);
  console.log(`history         ${eventCount.toLocaleString('en-US')} events, ${mb(bytes)} of JSON Lines; ${s.keys} keys (${s.setKeys} set, ${s.registerKeys} register)`);
  console.log(`simulate        ${seconds(simulateMs)}`);
  console.log(`read + parse    ${seconds(parseMs)} (streamed from the file)`);
  console.log(`check           ${seconds(checkMs)} wall, ${seconds((checkCpu.user + checkCpu.system) / 1000)} CPU (register keys: ${s.witnessKeys} by zxid witness, ${s.searchedKeys} searched, ${s.searchStates.toLocaleString('en-US')} search states)`);
  console.log(`validity        ${verdict.validity}${verdict.anomalies.length > 0 ? ` (${verdict.anomalies.length} anomalies)` : ''}${verdict.unknownKeys.length > 0 ? ` (${verdict.unknownKeys.length} unknown keys)` : ''}`);
  for (const a of verdict.anomalies.slice(0, 5)) console.log(`  ${a.type}: ${a.explanation}`);
  for (const u of verdict.unknownKeys.slice(0, 5)) console.log(`  unknown: ${u.reason}`);
  console.log(`memory          peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} (process so far), peak heapUsed ${mb(peakHeap)} (sampled)`);
  const load = loadavg()[0] ?? 0;
  console.log(`goal            ${scenario.goalText} (wall, parse + check ${seconds(parseMs + checkMs)}): ${goalMet ? 'PASS' : 'MISS'}${load > cpus().length ? ` (load average ${load.toFixed(1)} on ${cpus().length} CPUs: timings are inflated)` : ''}`);
  return verdict.validity === 'valid';
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
if (!allValid) {
  console.error('\nFAIL: a history was not judged as constructed (see above)');
  process.exit(1);
}
