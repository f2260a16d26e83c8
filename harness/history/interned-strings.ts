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

  /** The string equal to text[from, to), whose hash (see `hashStep`) is `hash`. */
  get(text: string, from: number, to: number, hash: number): string {
    const mask = this.hashes.length - 1;
    const length = to - from;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.strings[slot];
      if (held === undefined) break;
      if (this.hashes[slot] === hash && held.length === length && sameText(held, text, from)) return held;
    }
    const cut = detached(text.slice(from, to));
    this.insert(cut, hash);
    return cut;
  }

  /** The table's string equal to `text` (for a text read some other way, e.g. by JSON.parse). */
  share(text: string): string {
    let hash = HASH_START;
    for (let i = 0; i < text.length; i++) hash = hashStep(hash, text.charCodeAt(i));
    return this.get(text, 0, text.length, hash);
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

/** Whether text[from, from + held.length) is `held`: short texts, compared without a call out of compiled code. */
function sameText(held: string, text: string, from: number): boolean {
  for (let i = 0; i < held.length; i++) if (held.charCodeAt(i) !== text.charCodeAt(from + i)) return false;
  return true;
}

/** The starting hash of a text (FNV-1a over its UTF-16 code units, 32 bits). */
export const HASH_START = 0x811c9dc5 | 0;

/** The hash after one more code unit. */
export function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 16777619);
}

/**
 * `text` as a string of its own. V8 makes a slice of 13 or more characters a view into the string
 * it was cut from, here the reader's 1 MiB chunk, which one kept value would keep alive
 * (concatenating then slicing copies it into a string one character longer).
 */
export function detached(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}
