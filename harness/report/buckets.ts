/**
 * Throughput and latency over time, in fixed-width buckets. Pure.
 *
 * Throughput counts operations by completion time (when the client learned the outcome), so a
 * fault that stalls the ensemble shows as a gap; latency is grouped by invoke time, so the
 * operations that started just as the fault hit are the ones whose latency rises.
 */

import { BUCKET_CATEGORIES, type BucketCategory, type BucketSeries, type Outcome } from './model.ts';

/** An operation reduced to what the buckets need; completeUs null = never completed. */
export interface TimedOp {
  invokeUs: number;
  completeUs: number | null;
  outcome: Outcome;
  /** A cas its version refused (outcome fail): plotted apart from the failures. */
  rejected?: boolean;
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

/**
 * Buckets [i * width, (i + 1) * width) from 0 to spanUs, the last one ending at spanUs (the last
 * event falls in it). A last piece shorter than a quarter width joins the bucket before it: its
 * rate over a sliver would swing wildly, and over a whole width it read as a collapse.
 */
export function bucketize(ops: readonly TimedOp[], spanUs: number, maxBuckets = 200): BucketSeries {
  const endUs = Math.max(spanUs, 0);
  const widthUs = niceBucketWidth(Math.max(endUs, 1), maxBuckets);
  const whole = Math.floor(endUs / widthUs);
  const count = Math.max(1, endUs - whole * widthUs < widthUs / 4 ? whole : whole + 1);
  const bucketOf = (us: number) => Math.min(count - 1, Math.max(0, Math.floor(us / widthUs)));
  // The part of each bucket the run covers (the whole width for an instant-long run).
  const covered = (j: number) => (j < count - 1 || endUs <= j * widthUs ? widthUs : endUs - j * widthUs);

  const completions = makeRecord(() => new Array<number>(count).fill(0));
  const latencies = makeRecord(() => Array.from({ length: count }, () => [] as number[]));
  for (const op of ops) {
    if (op.completeUs === null) continue;
    const category: BucketCategory = op.rejected ? 'rejected' : op.outcome;
    completions[category][bucketOf(op.completeUs)]!++;
    latencies[category][bucketOf(op.invokeUs)]!.push(op.completeUs - op.invokeUs);
  }

  const toMs = (us: number | null) => (us === null ? null : Math.round(us) / 1000);
  return {
    widthUs,
    count,
    endUs: (count - 1) * widthUs + covered(count - 1),
    throughput: makeRecord((o) => completions[o].map((n, j) => round3((n * 1e6) / covered(j)))),
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

function makeRecord<T>(make: (category: BucketCategory) => T): Record<BucketCategory, T> {
  return Object.fromEntries(BUCKET_CATEGORIES.map((o) => [o, make(o)])) as Record<BucketCategory, T>;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
