/**
 * Seeded writes-only register histories with few distinct values and crashed processes: the
 * linearizability search's hard case (many states look alike, crashed operations may take effect
 * at any later point). Linearizable by construction: every operation takes effect at a point
 * inside its interval, in one order; a cas compares at that point; a crashed operation (info)
 * took effect or not, at random, and its session carries on as a new process.
 */
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import type { HistoryEvent } from '../harness/history/types.ts';

export interface FewValuesOptions {
  seed: number;
  operations: number;
  processes: number;
  values: number;
  /** Probability that an operation crashes (info). */
  crash: number;
}

interface Op {
  process: number;
  f: 'write' | 'cas';
  value: string | [string | null, string];
  invoke: number;
  point: number;
  complete: number;
  crashed: boolean;
  applies: boolean;
  ok: boolean;
}

export function fewValuesWritesOnly(o: FewValuesOptions): HistoryEvent[] {
  const rng = xoroshiro128plus(o.seed);
  const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
  const value = (): string => String(int(0, o.values - 1));
  const ops: Op[] = [];
  const clock = Array.from({ length: o.processes }, () => int(0, 1000));
  const process = Array.from({ length: o.processes }, (_, slot) => slot);
  let nextProcess = o.processes;
  for (let i = 0; i < o.operations; i++) {
    const slot = int(0, o.processes - 1);
    // Distinct times: each slot's times are ≡ slot (mod processes).
    const invoke = (clock[slot]! + int(1, 50)) * o.processes + slot;
    const complete = invoke + int(1, 400) * o.processes;
    const point = int(invoke + 1, complete - 1);
    const crashed = int(0, 999_999) < o.crash * 1_000_000;
    const f = int(0, 1) === 0 ? 'write' : 'cas';
    const expected = int(0, o.values) === o.values ? null : value();
    ops.push({ process: process[slot]!, f, value: f === 'write' ? value() : [expected, value()], invoke, point, complete, crashed, applies: !crashed || int(0, 1) === 0, ok: true });
    clock[slot] = Math.ceil(complete / o.processes) + 1;
    if (crashed) process[slot] = nextProcess++;
  }
  let state: string | null = null;
  for (const op of [...ops].sort((a, b) => a.point - b.point)) {
    if (!op.applies) continue;
    if (op.f === 'write') state = op.value as string;
    else {
      const [expected, next] = op.value as [string | null, string];
      op.ok = state === expected;
      if (op.ok) state = next;
    }
  }
  type Timed = Omit<HistoryEvent, 'index'>;
  const timed: Timed[] = [];
  for (const op of ops) {
    // types.ts types values as string | string[] | null; a cas from absent holds a null.
    const value = op.value as HistoryEvent['value'];
    timed.push({ type: 'invoke', process: op.process, time: op.invoke, f: op.f, key: 'r', value });
    if (op.crashed) timed.push({ type: 'info', process: op.process, time: op.complete, f: op.f, key: 'r', value, error: 'CONNECTION_LOSS' });
    else if (op.ok) timed.push({ type: 'ok', process: op.process, time: op.complete, f: op.f, key: 'r', value });
    else timed.push({ type: 'fail', process: op.process, time: op.complete, f: op.f, key: 'r', value, error: 'BAD_VERSION' });
  }
  return timed.sort((a, b) => a.time - b.time).map((e, index) => ({ index, ...e }) as HistoryEvent);
}
