import type { SeededRandom } from './random.ts';
import type { RegisterKnowledge } from './operations.ts';

/** The next operation a worker performs; the generator decides, the worker executes and records. */
export type PlannedOperation =
  | { f: 'add'; key: string; element: string }
  | { f: 'read-set'; key: string }
  | { f: 'read'; key: string }
  | { f: 'write'; key: string; value: string }
  | { f: 'cas'; key: string; expected: { value: string; version: number }; value: string };

export interface GeneratorMix {
  /** Share of operations on set keys (the rest go to registers). */
  setShare: number;
  /** Among set operations, the share of read-set (the rest are adds). */
  setReadShare: number;
  /** Among register operations: reads, then writes; the rest are CAS. */
  registerReadShare: number;
  registerWriteShare: number;
}

export const DEFAULT_MIX: GeneratorMix = { setShare: 0.5, setReadShare: 0.1, registerReadShare: 0.4, registerWriteShare: 0.3 };

/**
 * Adds a set key takes before the generator moves on to a fresh key. A read-set returns the whole
 * set, so a set that grew for the whole run would make every read, and the history's lines, grow
 * with it: the harness's cost per operation (and ZooKeeper's, up to its 1 MB reply limit) would
 * rise as the run goes on. Jepsen rotates its keys for the same reason (jepsen.independent).
 */
export const SET_KEY_CAPACITY = 1000;

/**
 * Unique elements and values come from one counter per run, so every add and write in a history
 * is distinguishable (the checker relies on it). All choices come from the worker's seeded stream.
 * Each set slot starts on its key (set-0, set-1, ...) and moves to a fresh one (set-0.1, set-0.2,
 * ...) once `setKeyCapacity` adds went to the current one; `setKeys` lists every key handed out.
 */
export class OperationGenerator {
  private counter = 0;
  readonly registerKeys: string[];
  private readonly mix: GeneratorMix;
  private readonly capacity: number;
  private readonly slots: Array<{ base: string; generation: number; key: string; adds: number }>;
  private readonly used: string[] = [];

  constructor(setKeys: string[], registerKeys: string[], mix: GeneratorMix = DEFAULT_MIX, { setKeyCapacity = SET_KEY_CAPACITY } = {}) {
    if (!(Number.isInteger(setKeyCapacity) && setKeyCapacity > 0)) throw new Error(`setKeyCapacity must be a positive integer (got ${setKeyCapacity})`);
    this.slots = setKeys.map((base) => ({ base, generation: 0, key: base, adds: 0 }));
    this.used.push(...setKeys);
    this.registerKeys = registerKeys;
    this.mix = mix;
    this.capacity = setKeyCapacity;
  }

  /** Every set key handed out so far, in order (the final reads read each). */
  get setKeys(): readonly string[] {
    return this.used;
  }

  nextUnique(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  next(rng: SeededRandom, knowledge: ReadonlyMap<string, RegisterKnowledge>): PlannedOperation {
    const onSet = this.registerKeys.length === 0 || (this.slots.length > 0 && rng.chance(this.mix.setShare));
    if (onSet) {
      const slot = rng.pick(this.slots);
      const key = slot.key;
      if (rng.chance(this.mix.setReadShare)) return { f: 'read-set', key };
      if (++slot.adds >= this.capacity) {
        slot.generation++;
        slot.key = `${slot.base}.${slot.generation}`;
        slot.adds = 0;
        this.used.push(slot.key);
      }
      return { f: 'add', key, element: this.nextUnique('e') };
    }
    const key = rng.pick(this.registerKeys);
    const roll = rng.int(0, 999) / 1000;
    if (roll < this.mix.registerReadShare) return { f: 'read', key };
    const known = knowledge.get(key);
    if (roll < this.mix.registerReadShare + this.mix.registerWriteShare || !known || known.value === null) {
      return { f: 'write', key, value: this.nextUnique('v') };
    }
    return { f: 'cas', key, expected: { value: known.value, version: known.version }, value: this.nextUnique('v') };
  }
}
