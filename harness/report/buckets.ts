/**
 * Throughput and latency over time, in fixed-width buckets. Pure.
 *
 * Throughput counts operations by completion time (when the client learned the outcome), so a
 * fault that stalls the ensemble shows as a gap; latency is grouped by invoke time, so the
 * operations that started just as the fault hit are the ones whose latency rises.
 */

import { OUTCOMES, type BucketSeries, type Outcome } from './model.ts';

/** An operation reduced to what the buckets need; completeUs null = never completed. */
export interface TimedOp {
  invokeUs: number;
  completeUs: number | null;
  outcome: Outcome;
}

/** Smallest 1-2-5 width (at least 1 ms) that covers spanUs in at most maxBuckets buckets. */
export function niceBucketWidth(spanUs: number, maxBuckets: number): number {
  for (let scale = 1000; ; scale *= 10) {
    for (const step of [1, 2, 5]) {
      const width = step * scale;
      if (width * maxBuckets >= spanUs) return width;
    }
  }
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/** Buckets [i * width, (i + 1) * width) from 0 to spanUs; the last event falls in the last one. */
export function bucketize(ops: readonly TimedOp[], spanUs: number, maxBuckets = 200): BucketSeries {
  const widthUs = niceBucketWidth(Math.max(spanUs, 1), maxBuckets);
  const count = Math.floor(Math.max(spanUs, 0) / widthUs) + 1;
  const bucketOf = (us: number) => Math.min(count - 1, Math.max(0, Math.floor(us / widthUs)));

  const completions = makeRecord(() => new Array<number>(count).fill(0));
  const latencies = makeRecord(() => Array.from({ length: count }, () => [] as number[]));
  for (const op of ops) {
    if (op.completeUs === null) continue;
    completions[op.outcome][bucketOf(op.completeUs)]!++;
    latencies[op.outcome][bucketOf(op.invokeUs)]!.push(op.completeUs - op.invokeUs);
  }

  const perSecond = 1e6 / widthUs;
  const toMs = (us: number | null) => (us === null ? null : Math.round(us) / 1000);
  return {
    widthUs,
    count,
    throughput: makeRecord((o) => completions[o].map((n) => round3(n * perSecond))),
    latency: makeRecord((o) => {
      const sorted = latencies[o].map((list) => list.sort((a, b) => a - b));
      return {
        p50: sorted.map((list) => toMs(percentile(list, 50))),
        p95: sorted.map((list) => toMs(percentile(list, 95))),
        p99: sorted.map((list) => toMs(percentile(list, 99))),
      };
    }),
  };
}

function makeRecord<T>(make: (outcome: Outcome) => T): Record<Outcome, T> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, make(o)])) as Record<Outcome, T>;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
