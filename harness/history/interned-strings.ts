/**
 * One string per distinct text read from a history's lines. A history repeats a few thousand keys
 * and words millions of times; finding the string the table already holds costs no allocation,
 * where cutting a new one per occurrence made garbage to collect, and the checker's maps by key
 * then hash each key once (V8 keeps a string's hash in the string).
 *
 * Only for texts that repeat (keys, words, servers, errors): a table of mostly distinct texts
 * (values, zxids) would outgrow the CPU's caches and cost more to search than cutting each text as
 * a string of its own. It keeps every text it is given, so that each key has exactly one string.
 */
export class InternedStrings {
  private hashes = new Int32Array(1 << 10);
  private strings: (string | undefined)[] = new Array<string | undefined>(1 << 10).fill(undefined);
  private size = 0;

  /**
   * @param words texts the table starts with, e.g. the format's fixed words as the program spells
   * them: V8 compares two such literals by identity, so `op.f === 'add'` in the checker, run
   * millions of times, is then one pointer comparison instead of a comparison of characters (for
   * lines the fast reader reads; JSON.parse already returns such short texts as the literals).
   */
  constructor(words: readonly string[] = []) {
    for (const word of words) this.share(word);
  }

  /** The string spelt by the ASCII bytes[from, to), whose hash (see `hashStep`) is `hash`. */
  get(bytes: Buffer, from: number, to: number, hash: number): string {
    const mask = this.hashes.length - 1;
    const length = to - from;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.strings[slot];
      if (held === undefined) break;
      if (this.hashes[slot] === hash && held.length === length && spells(bytes, from, held)) return held;
    }
    const cut = asciiText(bytes, from, to);
    this.insert(cut, hash);
    return cut;
  }

  /** The table's string equal to `text` (for a text read some other way, e.g. by JSON.parse). */
  share(text: string): string {
    let hash = HASH_START;
    for (let i = 0; i < text.length; i++) hash = hashStep(hash, text.charCodeAt(i));
    const mask = this.hashes.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.strings[slot];
      if (held === undefined) break;
      if (this.hashes[slot] === hash && held === text) return held;
    }
    this.insert(text, hash);
    return text;
  }

  private insert(text: string, hash: number): void {
    if ((this.size + 1) * 2 > this.hashes.length) this.grow();
    const mask = this.hashes.length - 1;
    let slot = hash & mask;
    while (this.strings[slot] !== undefined) slot = (slot + 1) & mask;
    this.hashes[slot] = hash;
    this.strings[slot] = text;
    this.size++;
  }

  private grow(): void {
    const hashes = this.hashes;
    const strings = this.strings;
    this.hashes = new Int32Array(hashes.length * 2);
    this.strings = new Array<string | undefined>(hashes.length * 2).fill(undefined);
    this.size = 0;
    for (let slot = 0; slot < hashes.length; slot++) {
      const text = strings[slot];
      if (text !== undefined) this.insert(text, hashes[slot]!);
    }
  }
}

/** Whether bytes[from, from + held.length) spell `held`: short texts, compared without a call out of compiled code. */
function spells(bytes: Buffer, from: number, held: string): boolean {
  for (let i = 0; i < held.length; i++) if (held.charCodeAt(i) !== bytes[from + i]) return false;
  return true;
}

/** The starting hash of a text (FNV-1a over its UTF-16 code units, 32 bits). */
export const HASH_START = 0x811c9dc5 | 0;

/** The hash after one more code unit. */
export function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 16777619);
}

/**
 * The string the ASCII bytes[from, to) spell. Up to 12 characters (keys, values and zxids as the
 * recorder writes them) through String.fromCharCode with a fixed count, which compiled code makes
 * in a few nanoseconds; Buffer's toString, a call into C++, takes about five times as long.
 */
export function asciiText(b: Buffer, from: number, to: number): string {
  const c = String.fromCharCode;
  const f = from;
  switch (to - from) {
    case 0: return '';
    case 1: return c(b[f]!);
    case 2: return c(b[f]!, b[f + 1]!);
    case 3: return c(b[f]!, b[f + 1]!, b[f + 2]!);
    case 4: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!);
    case 5: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!);
    case 6: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!, b[f + 5]!);
    case 7: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!, b[f + 5]!, b[f + 6]!);
    case 8: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!, b[f + 5]!, b[f + 6]!, b[f + 7]!);
    case 9: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!, b[f + 5]!, b[f + 6]!, b[f + 7]!, b[f + 8]!);
    case 10: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!, b[f + 5]!, b[f + 6]!, b[f + 7]!, b[f + 8]!, b[f + 9]!);
    case 11: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!, b[f + 5]!, b[f + 6]!, b[f + 7]!, b[f + 8]!, b[f + 9]!, b[f + 10]!);
    case 12: return c(b[f]!, b[f + 1]!, b[f + 2]!, b[f + 3]!, b[f + 4]!, b[f + 5]!, b[f + 6]!, b[f + 7]!, b[f + 8]!, b[f + 9]!, b[f + 10]!, b[f + 11]!);
    default: return b.toString('latin1', from, to);
  }
}
