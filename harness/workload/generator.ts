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
 * Unique elements and values come from one counter per run, so every add and write in a history
 * is distinguishable (the checker relies on it). All choices come from the worker's seeded stream.
 */
export class OperationGenerator {
  private counter = 0;
  readonly setKeys: string[];
  readonly registerKeys: string[];
  private readonly mix: GeneratorMix;

  constructor(setKeys: string[], registerKeys: string[], mix: GeneratorMix = DEFAULT_MIX) {
    this.setKeys = setKeys;
    this.registerKeys = registerKeys;
    this.mix = mix;
  }

  nextUnique(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  next(rng: SeededRandom, knowledge: ReadonlyMap<string, RegisterKnowledge>): PlannedOperation {
    const onSet = this.registerKeys.length === 0 || (this.setKeys.length > 0 && rng.chance(this.mix.setShare));
    if (onSet) {
      const key = rng.pick(this.setKeys);
      return rng.chance(this.mix.setReadShare) ? { f: 'read-set', key } : { f: 'add', key, element: this.nextUnique('e') };
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
