import type { Operation } from '../history/types.ts';

/** A value as it appears in explanations: 'v7', or "absent" for null. */
export function q(value: string | null): string {
  if (value === null) return 'absent (null)';
  const s = value.length > 40 ? value.slice(0, 37) + '...' : value;
  return `'${s}'`;
}

export function keyName(key: string): string {
  return JSON.stringify(key);
}

/** "add 12 (process 3, ok)" */
export function opName(op: Operation): string {
  return `${op.f} ${op.id} (process ${op.process}, ${op.outcome})`;
}

/** Sorted, de-duplicated ids. One array argument, never spread: it may hold 100,000s of ids. */
export function ids(list: readonly (number | undefined)[]): number[] {
  const out = [...new Set(list.filter((x): x is number => x !== undefined))];
  return out.sort((a, b) => a - b);
}

export function byInvoke(a: Operation, b: Operation): number {
  return a.invokeTime - b.invokeTime || a.id - b.id;
}
