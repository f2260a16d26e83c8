/** Binary searches over ascending number arrays (times), shared by the set and register checks. */

/** Number of entries of the ascending array strictly below limit. */
export function countBelow(sorted: readonly number[], limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Number of entries at or below limit (= the first index above it). History times are integer
 * nanoseconds (the parser rejects others), so "at or below t" is "below t + 1".
 */
export function countAtOrBelow(sorted: readonly number[], limit: number): number {
  return countBelow(sorted, limit + 1);
}
