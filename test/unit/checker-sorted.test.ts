import { describe, expect, it } from 'vitest';
import { countAtOrBelow, countBelow } from '../../harness/checker/sorted.ts';
import { SeededRandom } from '../../harness/workload/random.ts';

describe('sorted searches', () => {
  it('count what a pass over the array counts, ties and bounds included', () => {
    const seed = 20261203;
    const random = new SeededRandom(seed);
    for (let trial = 0; trial < 2_000; trial++) {
      // Few distinct times, so that runs of equal entries and limits equal to an entry are common.
      const sorted = Array.from({ length: random.int(0, 12) }, () => random.int(0, 6)).sort((a, b) => a - b);
      const limit = random.int(-1, 7);
      const context = `seed ${seed}, ${JSON.stringify(sorted)}, limit ${limit}`;
      expect(countBelow(sorted, limit), context).toBe(sorted.filter((t) => t < limit).length);
      expect(countAtOrBelow(Float64Array.from(sorted), limit), context).toBe(sorted.filter((t) => t <= limit).length);
    }
  });
});
