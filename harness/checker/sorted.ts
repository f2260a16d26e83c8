/** Binary searches over ascending number arrays (times), shared by the set and register checks. */

/** Number of entries of the ascending array strictly below limit. */
export function countBelow(sorted: ArrayLike<number>, limit: number): number {
  return countUpTo(sorted, limit, false);
}

/** Number of entries of the ascending array at or below limit (= the first index above it). */
export function countAtOrBelow(sorted: ArrayLike<number>, limit: number): number {
  return countUpTo(sorted, limit, true);
}

/** The one search behind both: entries below limit, and equal to it too when `inclusive`. */
function countUpTo(sorted: ArrayLike<number>, limit: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const entry = sorted[mid]!;
    if (entry < limit || (inclusive && entry === limit)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
