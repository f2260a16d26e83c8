import { describe, expect, it } from 'vitest';
import { OperationGenerator } from '../../harness/workload/generator.ts';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { derivedSeed, SeededRandom } from '../../harness/workload/random.ts';
import { parseSrvr } from '../../harness/zookeeper/four-letter-words.ts';

describe('SeededRandom', () => {
  it('replays the same choices from the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const draws = (r: SeededRandom) => Array.from({ length: 20 }, () => r.int(0, 1000));
    expect(draws(a)).toEqual(draws(b));
  });

  it('gives different choices for different seeds', () => {
    const draws = (r: SeededRandom) => Array.from({ length: 20 }, () => r.int(0, 1000));
    expect(draws(new SeededRandom(1))).not.toEqual(draws(new SeededRandom(2)));
  });

  it('uses every bit of a seed up to 2^53 - 1, and keeps the stream of every seed below 2^32', () => {
    const draws = (r: SeededRandom) => Array.from({ length: 20 }, () => r.int(0, 1000));
    // pure-rand keeps a seed's low 32 bits only: seeds 2^32 apart gave the same run.
    const runs = [7, 2 ** 32 + 7, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER].map((seed) => JSON.stringify(draws(new SeededRandom(seed))));
    expect(new Set(runs).size).toBe(runs.length);
    // Runs recorded before keep replaying: the stream of a seed below 2^32 is pure-rand's own.
    for (const seed of [0, 7, 2 ** 31 + 5, 2 ** 32 - 1]) {
      const plain = xoroshiro128plus(seed);
      expect(draws(new SeededRandom(seed))).toEqual(Array.from({ length: 20 }, () => unsafeUniformIntDistribution(0, 1000, plain)));
    }
    expect(() => new SeededRandom(-1)).toThrow(/a seed is a whole number from 0 to 2\^53 - 1 \(got -1\)/);
    expect(() => new SeededRandom(2 ** 53)).toThrow(RangeError);
  });

  it('derives seeds apart for seeds apart, and as before below 2^32', () => {
    expect(derivedSeed(7, 0x6e656d)).toBe((7 ^ 0x6e656d) >>> 0);
    expect(derivedSeed(2 ** 32 - 1, 0x6e656d)).toBe(((2 ** 32 - 1) ^ 0x6e656d) >>> 0);
    expect(derivedSeed(2 ** 32 + 7, 0x6e656d)).toBe(2 ** 32 + ((7 ^ 0x6e656d) >>> 0));
    expect(derivedSeed(Number.MAX_SAFE_INTEGER, 1)).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it('refuses to pick from nothing', () => {
    expect(() => new SeededRandom(1).pick([])).toThrow(/no items/);
  });
});

describe('OperationGenerator', () => {
  it('produces unique elements and values, and CAS only from a known value', () => {
    const generator = new OperationGenerator(['set-0'], ['reg-0']);
    const rng = new SeededRandom(7);
    const seen = new Set<string>();
    const knowledge = new Map([['reg-0', { value: 'v-known', version: 3 }]]);
    let cas = 0;
    for (let i = 0; i < 2000; i++) {
      const op = generator.next(rng, knowledge);
      if (op.f === 'add') {
        expect(seen.has(op.element)).toBe(false);
        seen.add(op.element);
      }
      if (op.f === 'write') {
        expect(seen.has(op.value)).toBe(false);
        seen.add(op.value);
      }
      if (op.f === 'cas') {
        cas++;
        expect(op.expected).toEqual({ value: 'v-known', version: 3 });
      }
    }
    expect(cas).toBeGreaterThan(100);
  });

  it('moves each set slot to a fresh key after its capacity of adds, and lists every key it handed out', () => {
    const generator = new OperationGenerator(['set-0', 'set-1'], ['reg-0'], undefined, { setKeyCapacity: 10 });
    const rng = new SeededRandom(11);
    const adds = new Map<string, number>();
    const readKeys = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const op = generator.next(rng, new Map());
      if (op.f === 'add') adds.set(op.key, (adds.get(op.key) ?? 0) + 1);
      if (op.f === 'read-set') readKeys.add(op.key);
    }
    // No key takes more than its capacity; every slot moved on many times; reads follow the moves.
    expect(Math.max(...adds.values())).toBe(10);
    expect(adds.size).toBeGreaterThan(40);
    expect([...adds.keys()].slice(0, 2).sort()).toEqual(['set-0', 'set-1']);
    expect(adds.has('set-0.1') && adds.has('set-1.1')).toBe(true);
    expect([...readKeys].every((k) => generator.setKeys.includes(k))).toBe(true);
    expect(readKeys.size).toBeGreaterThan(10);
    // The keys handed out: every key added to, plus each slot's current (maybe still unused) key.
    expect(new Set(generator.setKeys).size).toBe(generator.setKeys.length);
    for (const key of adds.keys()) expect(generator.setKeys).toContain(key);
    expect(generator.setKeys.length - adds.size).toBeLessThanOrEqual(2);
    expect(() => new OperationGenerator(['set-0'], [], undefined, { setKeyCapacity: 0 })).toThrow(/setKeyCapacity must be a positive integer/);
  });

  it('writes instead of CAS when the register is unknown or absent', () => {
    const generator = new OperationGenerator([], ['reg-0']);
    const rng = new SeededRandom(3);
    const absent = new Map([['reg-0', { value: null, version: -1 }]]);
    for (let i = 0; i < 500; i++) expect(generator.next(rng, absent).f).not.toBe('cas');
  });
});

describe('parseSrvr', () => {
  it('reads the mode and zxid', () => {
    expect(parseSrvr('Zookeeper version: 3.8.0\nZxid: 0x100000002\nMode: leader\nNode count: 5\n')).toEqual({ mode: 'leader', zxid: '0x100000002' });
  });
  it('treats an answer without a mode as not serving', () => {
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n').mode).toBe('not serving');
  });
});
