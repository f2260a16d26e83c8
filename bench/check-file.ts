/**
 * `node bench/check-file.ts FILE`: reads and checks one history the way `zk-chaos check` does, in a
 * process of its own, and prints one JSON line of figures (so the memory figure is the check's
 * alone, not the benchmark's that simulated the history).
 */
import { check } from '../harness/checker/index.ts';
import { readOperationsFile } from '../harness/history/read-file.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/check-file.ts HISTORY.jsonl');
  process.exit(2);
}
const t0 = performance.now();
const ops = await readOperationsFile(file);
const t1 = performance.now();
const verdict = check(ops);
const t2 = performance.now();
console.log(
  JSON.stringify({
    readMs: t1 - t0,
    checkMs: t2 - t1,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    validity: verdict.validity,
    anomalies: verdict.anomalies.slice(0, 5).map((a) => `${a.type}: ${a.explanation}`),
    unknown: verdict.unknownKeys.slice(0, 5).map((u) => u.reason),
    stats: verdict.stats,
  }),
);
