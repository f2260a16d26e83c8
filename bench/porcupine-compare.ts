/**
 * The checker against Porcupine on the same files, in one run. Needs the Go module proxy (or a
 * module cache holding porcupine v1.3.1) and Go >= 1.24, which scripts/ensure-go.sh fetches when
 * the host has none; without them it says so and skips.
 *
 * Histories: Jepsen's etcd register logs that Porcupine's module ships as test data (with
 * Porcupine's own expected answers), converted to zk-chaos's format; the same logs writes-only; and
 * seeded writes-only histories with few values and crashed processes (the search's hard case).
 * Porcupine checks the files through bench/porcupine (Go), the checker through readOperationsFile
 * + check; only the checking is timed on both sides.
 *
 * What must agree: ZooKeeper promises linearizable writes (write, cas) but lets a read be stale
 * (sequential consistency per session), so
 * - a history Porcupine labels linearizable must be valid for zk-chaos (the converse need not
 *   hold: a stale read is no anomaly in ZooKeeper);
 * - without reads, the two models coincide: zk-chaos valid ⇔ Porcupine Ok, exactly.
 * The goal (within 2x of Porcupine's time on the same histories) is printed as PASS or MISS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { check } from '../harness/checker/index.ts';
import { readOperationsFile } from '../harness/history/read-file.ts';
import type { HistoryEvent } from '../harness/history/types.ts';
import { jepsenEtcdLabels, jepsenEtcdLogToHistory } from './jepsen-etcd-log.ts';
import { fewValuesWritesOnly } from './few-values-history.ts';

const PORCUPINE = 'github.com/anishathalye/porcupine@v1.3.1';
const goDir = join(import.meta.dirname, 'porcupine');
const REPEAT = 3;

type Group = 'recorded' | 'writes-only' | 'few values' | 'few values, 16 sessions';

interface Case {
  name: string;
  group: Group;
  file: string;
  /** Porcupine's test label for the recorded etcd logs: linearizable or not. */
  label?: boolean;
}

interface Row extends Case {
  porcupine: { result: string; ms: number; operations: number };
  ours: { validity: string; ms: number; states: number };
}

let goBinary: string | undefined;

/** The host's Go or the one scripts/ensure-go.sh fetched (its progress goes to stderr). */
function findGo(): string {
  if (goBinary !== undefined) return goBinary;
  const script = join(import.meta.dirname, '..', 'scripts', 'ensure-go.sh');
  const found = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (found.status !== 0) throw new Error('no Go >= 1.24 (scripts/ensure-go.sh failed, its reason above)');
  goBinary = found.stdout.trim();
  return goBinary;
}

function go(args: string[]): string {
  const run = spawnSync(findGo(), args, { cwd: goDir, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.error) throw new Error(`go ${args[0]}: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`go ${args.join(' ')} failed:\n${run.stderr.trim()}`);
  return run.stdout;
}

function writeHistory(file: string, events: readonly HistoryEvent[]): string {
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return file;
}

/** The history without its reads, renumbered. */
function withoutReads(events: readonly HistoryEvent[]): HistoryEvent[] {
  return events.filter((e) => e.f !== 'read').map((e, index) => ({ ...e, index }));
}

export async function porcupineComparison(seed: number): Promise<boolean> {
  console.log(`\n== against Porcupine v1.3.1: the same files, one run (seed ${seed})`);
  let module: { Dir: string };
  try {
    module = JSON.parse(go(['mod', 'download', '-json', PORCUPINE])) as { Dir: string };
  } catch (error) {
    console.log(`skipped: ${(error as Error).message}`);
    return true;
  }
  const work = mkdtempSync(join(tmpdir(), 'zk-chaos-porcupine-'));
  try {
    const binary = join(work, 'porcupine-check');
    go(['build', '-o', binary, '.']);
    const labels = jepsenEtcdLabels(readFileSync(join(module.Dir, 'porcupine_test.go'), 'utf8'));
    const logDir = join(module.Dir, 'test_data', 'jepsen');
    const cases: Case[] = readdirSync(logDir)
      .filter((f) => /^etcd_\d+\.log$/.test(f))
      .sort()
      .flatMap((log) => {
        const events = jepsenEtcdLogToHistory(readFileSync(join(logDir, log), 'utf8'));
        const name = log.replace(/\.log$/, '');
        const label = labels.get(Number(/\d+/.exec(log)![0]));
        return [
          { name, group: 'recorded' as const, file: writeHistory(join(work, `${name}.jsonl`), events), ...(label === undefined ? {} : { label }) },
          { name, group: 'writes-only' as const, file: writeHistory(join(work, `${name}-writes.jsonl`), withoutReads(events)) },
        ];
      });
    for (let i = 0; i < 20; i++) {
      const events = fewValuesWritesOnly({ seed: seed + i, operations: 800, processes: 6, values: 4, crash: 0.05 });
      cases.push({ name: `few-values-${seed + i}`, group: 'few values', file: writeHistory(join(work, `few-${i}.jsonl`), events) });
      // Harder: more concurrency, more crashed operations that may take effect at any later point.
      const crowded = fewValuesWritesOnly({ seed: seed + i, operations: 800, processes: 16, values: 4, crash: 0.1 });
      cases.push({ name: `crowded-${seed + i}`, group: 'few values, 16 sessions', file: writeHistory(join(work, `crowded-${i}.jsonl`), crowded) });
    }
    const run = spawnSync(binary, ['-timeout', '120s', '-repeat', String(REPEAT), ...cases.map((c) => c.file)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`porcupine-check failed: ${run.stderr}`);
    const porcupine = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Row['porcupine']);
    const rows: Row[] = [];
    for (const [i, c] of cases.entries()) {
      const ops = await readOperationsFile(c.file);
      // Best of three on both sides: the first run of a file pays for JIT warm-up and GC.
      let ms = Infinity;
      let verdict = check(ops);
      for (let run = 0; run < REPEAT; run++) {
        const t = performance.now();
        verdict = check(ops);
        ms = Math.min(ms, performance.now() - t);
      }
      rows.push({ ...c, porcupine: porcupine[i]!, ours: { validity: verdict.validity, ms, states: verdict.stats.searchStates } });
    }
    return summarize(rows);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Why a row's answers contradict each other, or undefined when they agree. */
function disagreement(r: Row): string | undefined {
  // A history without operations (etcd_095: the cluster never started) checks nothing: unknown.
  if (r.porcupine.operations === 0) return r.ours.validity === 'unknown' ? undefined : `no operations, zk-chaos ${r.ours.validity}`;
  if (r.group === 'recorded') {
    if (r.label === true && r.ours.validity !== 'valid') return `labelled linearizable, zk-chaos ${r.ours.validity}`;
    if (r.label !== undefined && r.porcupine.result !== (r.label ? 'Ok' : 'Illegal')) return `Porcupine ${r.porcupine.result} against its own label`;
    return undefined;
  }
  const expected = r.porcupine.result === 'Ok' ? 'valid' : r.porcupine.result === 'Illegal' ? 'invalid' : undefined;
  if (expected === undefined) return `Porcupine ${r.porcupine.result}`;
  return r.ours.validity === expected ? undefined : `Porcupine ${r.porcupine.result}, zk-chaos ${r.ours.validity}`;
}

function summarize(rows: Row[]): boolean {
  let allAgree = true;
  let allWithin = true;
  for (const group of ['recorded', 'writes-only', 'few values', 'few values, 16 sessions'] as const) {
    const g = rows.filter((r) => r.group === group);
    const oursMs = g.reduce((s, r) => s + r.ours.ms, 0);
    const porcupineMs = g.reduce((s, r) => s + r.porcupine.ms, 0);
    const wrong = g.map((r) => ({ r, why: disagreement(r) })).filter((x) => x.why !== undefined);
    const verdicts = (pick: (r: Row) => string): string => {
      const counts = new Map<string, number>();
      for (const r of g) counts.set(pick(r), (counts.get(pick(r)) ?? 0) + 1);
      return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
    };
    console.log(`${group}: ${g.length} histories; zk-chaos: ${verdicts((r) => r.ours.validity)}; Porcupine: ${verdicts((r) => r.porcupine.result)}`);
    if (group === 'recorded') {
      const linearizable = g.filter((r) => r.label === true);
      const flagged = g.filter((r) => r.label === false && r.ours.validity === 'invalid').length;
      console.log(`              ${linearizable.length} labelled linearizable, all must be valid; of ${g.filter((r) => r.label === false).length} labelled not, zk-chaos flags ${flagged} (the rest only read stale values, which ZooKeeper allows)`);
    } else {
      console.log(`              without reads both models are linearizability: the answers must be identical`);
    }
    for (const { r, why } of wrong) console.log(`  DISAGREES ${r.name}: ${why}`);
    const slowest = [...g].sort((a, b) => b.ours.ms - a.ours.ms)[0]!;
    const within = oursMs <= 2 * porcupineMs;
    console.log(
      `              time: zk-chaos ${oursMs.toFixed(0)} ms, Porcupine ${porcupineMs.toFixed(0)} ms (ratio ${(oursMs / Math.max(porcupineMs, 0.001)).toFixed(2)}; ` +
        `slowest ${slowest.name} ${slowest.ours.ms.toFixed(0)} ms, ${slowest.ours.states.toLocaleString('en-US')} states, Porcupine ${slowest.porcupine.ms.toFixed(0)} ms); ` +
        `goal within 2x: ${within ? 'PASS' : 'MISS'}`,
    );
    if (wrong.length > 0) allAgree = false;
    if (!within) allWithin = false;
  }
  console.log(`goal            same answers and within 2x of Porcupine: ${allAgree && allWithin ? 'PASS' : 'MISS'}`);
  return allAgree;
}

if (import.meta.main) {
  const i = process.argv.indexOf('--seed');
  if (!(await porcupineComparison(i === -1 ? 1 : Number(process.argv[i + 1])))) process.exit(1);
}
