import { describe, expect, it } from 'vitest';
import { OperationGenerator } from '../../harness/workload/generator.ts';
import { SeededRandom } from '../../harness/workload/random.ts';
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
