import { describe, expect, it } from 'vitest';
import { componentCycles } from '../../harness/checker/order-cycles.ts';
import { SeededRandom } from '../../harness/workload/random.ts';

/** Which nodes each node reaches (itself included), by a plain closure. */
function reaches(n: number, from: number[], to: number[]): boolean[][] {
  const r = Array.from({ length: n }, (_, v) => Array.from({ length: n }, (_, w) => v === w));
  for (let changed = true; changed; ) {
    changed = false;
    from.forEach((f, e) => {
      for (let v = 0; v < n; v++) {
        if (r[v]![f] && !r[v]![to[e]!]) {
          r[v]![to[e]!] = true;
          changed = true;
        }
      }
    });
  }
  return r;
}

/** Length of the shortest cycle through `start`, by breadth-first distances; Infinity if none. */
function shortestCycleLength(n: number, from: number[], to: number[], start: number): number {
  const dist = new Array<number>(n).fill(Infinity);
  dist[start] = 0;
  for (let queue = [start], head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    from.forEach((f, e) => {
      if (f === v && dist[to[e]!] === Infinity) {
        dist[to[e]!] = dist[v]! + 1;
        queue.push(to[e]!);
      }
    });
  }
  let best = Infinity;
  from.forEach((f, e) => {
    if (to[e] === start) best = Math.min(best, dist[f]! + 1);
  });
  return best;
}

describe('componentCycles', () => {
  it('gives one shortest cycle through the lowest node of each component of two or more nodes, as a plain closure finds them', () => {
    const seed = 20261204;
    const random = new SeededRandom(seed);
    let cyclic = 0;
    for (let trial = 0; trial < 3_000; trial++) {
      const n = random.int(0, 8);
      const from: number[] = [];
      const to: number[] = [];
      for (let e = random.int(0, 14); e > 0 && n > 1; e--) {
        const f = random.int(0, n - 1);
        const t = random.int(0, n - 1);
        if (f === t) continue; // an order never puts a write before itself
        from.push(f);
        to.push(t);
      }
      const context = `seed ${seed}, trial ${trial}: ${n} nodes, edges ${JSON.stringify(from.map((f, e) => [f, to[e]]))}`;
      const r = reaches(n, from, to);
      const lowest = Array.from({ length: n }, (_, v) => v).filter((v) => {
        const together = Array.from({ length: n }, (_, w) => w).filter((w) => r[v]![w] && r[w]![v]);
        return together.length > 1 && together[0] === v;
      });
      const cycles = componentCycles(n, from, to);
      expect(cycles.map((c) => from[c[0]!]), context).toEqual(lowest);
      for (const cycle of cycles) {
        const start = from[cycle[0]!]!;
        cycle.forEach((e, i) => expect(to[e], context).toBe(from[cycle[(i + 1) % cycle.length]!]));
        expect(cycle.length, context).toBe(shortestCycleLength(n, from, to, start));
      }
      if (cycles.length > 0) cyclic++;
    }
    // Many graphs had cycles, and many had none.
    expect(cyclic).toBeGreaterThan(300);
    expect(cyclic).toBeLessThan(2_700);
  });

  it('follows a chain of a hundred thousand orders without recursion, and closes it into one cycle', () => {
    const n = 100_000;
    const from = Array.from({ length: n }, (_, v) => v);
    const to = from.map((v) => v + 1);
    to[n - 1] = -1;
    expect(componentCycles(n, from.slice(0, n - 1), to.slice(0, n - 1))).toEqual([]);
    to[n - 1] = 0;
    const [cycle] = componentCycles(n, from, to);
    expect(cycle).toHaveLength(n);
  });
});
