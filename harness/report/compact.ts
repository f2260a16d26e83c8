/**
 * Compaction of per-operation columns for the embedded JSON. Pure. The client script
 * (assets/report-client.js) mirrors decodeDeltas; keep the two in step.
 */

/** [10, 12, 15] → [10, 2, 3]: growing sequences become small numbers, which JSON writes short. */
export function encodeDeltas(values: readonly number[]): number[] {
  const out = new Array<number>(values.length);
  let previous = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    out[i] = value - previous;
    previous = value;
  }
  return out;
}

export function decodeDeltas(deltas: readonly number[]): number[] {
  const out = new Array<number>(deltas.length);
  let sum = 0;
  for (let i = 0; i < deltas.length; i++) {
    sum += deltas[i]!;
    out[i] = sum;
  }
  return out;
}

/** Interns strings: each distinct string is written once in `values`, columns hold its index. */
export class StringTable {
  readonly values: string[] = [];
  private readonly indices = new Map<string, number>();

  indexOf(value: string): number {
    let index = this.indices.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indices.set(value, index);
    }
    return index;
  }

  /** 0 for undefined, else 1 + index: lets a column say "none" without a separate flag. */
  optional(value: string | undefined): number {
    return value === undefined ? 0 : 1 + this.indexOf(value);
  }
}

/** Clips a string for display: at most max characters, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
