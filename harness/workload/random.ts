import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

/**
 * The one source of random choices in a run. Every choice flows from the printed seed, so a run
 * can be replayed with `--seed`. Forked streams keep workers independent of each other's pace.
 */
export class SeededRandom {
  readonly seed: number;
  private readonly generator: RandomGenerator;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a seed is a whole number from 0 to 2^53 - 1 (got ${seed})`);
    this.seed = seed;
    // xoroshiro128plus(seed) keeps only the seed's low 32 bits (seed | 0), so seeds 2^32 apart
    // replayed the same run; the high bits go into the state word it leaves 0, so that a seed
    // below 2^32 gives the stream it always gave.
    const low = seed % 2 ** 32;
    this.generator = xoroshiro128plus.fromState([-1, ~low, low | 0, (seed - low) / 2 ** 32]);
  }

  /** A fresh seed when the user gave none (printed by the caller so it can be passed back). */
  static freshSeed(): number {
    return Math.floor(Math.random() * 0x7fffffff);
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.generator);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.int(0, 999_999) < p * 1_000_000;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SeededRandom.pick: no items to pick from');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** An independent stream derived from this one (e.g. one per worker). */
  fork(): SeededRandom {
    return new SeededRandom(this.int(0, 0x7fffffff));
  }
}

/**
 * A seed derived from `seed` for a stream of its own (the nemesis's, a fault lane's): `salt` mixed
 * into the low 32 bits, the high bits kept, so that runs whose seeds differ still differ here.
 */
export function derivedSeed(seed: number, salt: number): number {
  const low = seed % 2 ** 32;
  return seed - low + ((low ^ salt) >>> 0);
}
