import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

/**
 * The one source of random choices in a run. Every choice flows from the printed seed, so a run
 * can be replayed with `--seed`. Forked streams keep workers independent of each other's pace.
 */
export class SeededRandom {
  readonly seed: number;
  private readonly generator: RandomGenerator;

  constructor(seed: number) {
    this.seed = seed;
    this.generator = xoroshiro128plus(seed);
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
