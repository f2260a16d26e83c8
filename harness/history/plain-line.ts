/**
 * A faster reader for the lines the recorder writes. JSON.parse takes 1.3-2.7 µs a history line
 * here, most of the time a 1,000,000-operation check takes; the recorder's lines are flat objects
 * of known members with plain ASCII values, which this reads straight from the file's bytes, with
 * the event in one fixed shape (validation and pairing then run faster too: see `npm run bench`).
 * Bytes, not decoded text: V8 reads a byte of a Uint8Array about three times faster than a
 * character of a string, and decoding the chunks and finding each line in the text cost as much
 * again.
 *
 * It never decides what JSON.parse would decide differently: a line it does not fully understand
 * (whitespace between tokens, an escape, a control or non-ASCII character, an unknown member, a
 * number with a sign, fraction, exponent, leading zero or more than 15 digits, a nested object)
 * returns undefined and goes to JSON.parse, which then reads it or names the syntax error. On a
 * line it reads, the result holds the same members with the same values as JSON.parse's (members
 * absent from the line are undefined; a repeated member's last value counts, as in JSON.parse).
 * plain-line.test.ts holds it to that on random and mutated lines.
 *
 * A file reader hands it a line as a range of its chunk (no string per line), and a string table
 * that gives each key, word, server and error one string (see interned-strings.ts).
 */

import { HASH_START, InternedStrings, asciiText, hashStep } from './interned-strings.ts';

/** The members of an event as a line spells them; undefined = not on the line. */
export interface PlainEvent {
  index: unknown;
  type: unknown;
  process: unknown;
  time: unknown;
  f: unknown;
  key: unknown;
  value: unknown;
  zxid: unknown;
  version: unknown;
  server: unknown;
  error: unknown;
  final: unknown;
}

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const ZERO = 48;
const NINE = 57;
const BACKSLASH = 92;
const FIRST_PRINTABLE = 0x20;
/** The first byte that is not ASCII (a UTF-8 sequence, left to JSON.parse after decoding). */
const FIRST_NON_ASCII = 0x80;
const N = 110;
const U = 117;
const L = 108;
const T = 116;
const R = 114;
const E = 101;
const F = 102;
const A = 97;
const S = 115;

/** Longest digit run read as a number: every 15-digit integer is exact in a double. */
const MAX_DIGITS = 15;

type Member = keyof PlainEvent;
const MEMBERS: readonly Member[] = ['index', 'type', 'process', 'time', 'f', 'key', 'value', 'zxid', 'version', 'server', 'error', 'final'];

/**
 * Reads line[from, to) (UTF-8 bytes, no terminator) if it is in the plain form (see above);
 * undefined sends it to JSON.parse. With `strings`, keys, words, servers and errors come from it,
 * so equal texts are one string.
 */
export function readPlainLine(line: Buffer, from = 0, to = line.length, strings?: InternedStrings): PlainEvent | undefined {
  const end = to - 1;
  if (to - from < 2 || line[from] !== OPEN_BRACE || line[end] !== CLOSE_BRACE) return undefined;
  const event: PlainEvent = {
    index: undefined,
    type: undefined,
    process: undefined,
    time: undefined,
    f: undefined,
    key: undefined,
    value: undefined,
    zxid: undefined,
    version: undefined,
    server: undefined,
    error: undefined,
    final: undefined,
  };
  let at = from + 1;
  if (end === from + 1) return event;
  for (;;) {
    if (line[at] !== QUOTE) return undefined;
    const member = memberAt(line, at + 1);
    if (member === -1) return undefined;
    // The name, its closing quote and the colon (memberAt checked all three).
    at += NAME_CODES[member]!.length + 3;
    const c = line[at];
    let value: unknown;
    if (c === QUOTE) {
      const close = stringEnd(line, at + 1, end);
      if (close === -1) return undefined;
      value = strings !== undefined && (SHARED_OF & (1 << member)) !== 0 ? strings.get(line, at + 1, close, stringHash) : asciiText(line, at + 1, close);
      at = close + 1;
    } else if (c === OPEN_BRACKET) {
      const items: (string | null)[] = [];
      at++;
      if (line[at] === CLOSE_BRACKET) at++;
      else {
        for (;;) {
          if (line[at] === QUOTE) {
            const close = stringEnd(line, at + 1, end);
            if (close === -1) return undefined;
            items.push(asciiText(line, at + 1, close));
            at = close + 1;
          } else if (isNull(line, at)) {
            items.push(null);
            at += 4;
          } else return undefined;
          const separator = line[at++];
          if (separator === CLOSE_BRACKET) break;
          if (separator !== COMMA) return undefined;
        }
      }
      value = items;
    } else if (c !== undefined && c >= ZERO && c <= NINE) {
      const start = at;
      let n = 0;
      // The closing brace checked at the line's end stops the run at the latest.
      for (let d: number | undefined = c; d !== undefined && d >= ZERO && d <= NINE; d = line[at]) {
        n = n * 10 + (d - ZERO);
        at++;
      }
      if (at - start > MAX_DIGITS || (c === ZERO && at - start > 1)) return undefined;
      value = n;
    } else if (isNull(line, at)) {
      value = null;
      at += 4;
    } else if (line[at] === T && line[at + 1] === R && line[at + 2] === U && line[at + 3] === E) {
      value = true;
      at += 4;
    } else if (line[at] === F && line[at + 1] === A && line[at + 2] === L && line[at + 3] === S && line[at + 4] === E) {
      value = false;
      at += 5;
    } else return undefined;
    set(event, member, value);
    const separator = line[at++];
    if (separator === CLOSE_BRACE) return at === to ? event : undefined;
    if (separator !== COMMA) return undefined;
  }
}

function isNull(line: Buffer, at: number): boolean {
  return line[at] === N && line[at + 1] === U && line[at + 2] === L && line[at + 3] === L;
}

/** The members whose texts repeat (keys, a few words, servers, errors): kept in the interned strings. */
const SHARED_OF = (['type', 'f', 'key', 'server', 'error'] as const).reduce((bits, name) => bits | (1 << MEMBERS.indexOf(name)), 0);

/** event[MEMBERS[member]] = value, as named stores (a keyed store with changing names is slow). */
function set(event: PlainEvent, member: number, value: unknown): void {
  switch (member) {
    case 0: event.index = value; break;
    case 1: event.type = value; break;
    case 2: event.process = value; break;
    case 3: event.time = value; break;
    case 4: event.f = value; break;
    case 5: event.key = value; break;
    case 6: event.value = value; break;
    case 7: event.zxid = value; break;
    case 8: event.version = value; break;
    case 9: event.server = value; break;
    case 10: event.error = value; break;
    default: event.final = value;
  }
}

/** The hash of the text stringEnd last passed over (a second result, without an allocation). */
let stringHash = HASH_START;

/**
 * The closing quote of a string starting at `from`, before `end`; -1 if none, or an escape, a
 * control character or a byte of a UTF-8 sequence comes first (JSON.parse refuses a control
 * character, and reads an escape; a non-ASCII text is decoded first, and only for such a line).
 */
function stringEnd(line: Buffer, from: number, end: number): number {
  let hash = HASH_START;
  for (let at = from; at < end; at++) {
    const c = line[at]!;
    if (c === QUOTE) {
      stringHash = hash;
      return at;
    }
    if (c < FIRST_PRINTABLE || c === BACKSLASH || c >= FIRST_NON_ASCII) return -1;
    hash = hashStep(hash, c);
  }
  return -1;
}

/** Each member's name as character codes. */
const NAME_CODES: readonly (readonly number[])[] = MEMBERS.map((name) => [...name].map((c) => c.charCodeAt(0)));

/**
 * Which member's name starts at `from` and is followed by its closing quote and a colon, or -1 for
 * any other text. Character by character: the names are short, and a call out of the compiled
 * loop (indexOf, equals) costs more than comparing them.
 */
function memberAt(line: Buffer, from: number): number {
  let m: number;
  switch (line[from]) {
    case 105: m = 0; break; // index
    case 116: m = line[from + 1] === 121 ? 1 : 3; break; // type, time
    case 112: m = 2; break; // process
    case 102: m = line[from + 1] === QUOTE ? 4 : 11; break; // f, final
    case 107: m = 5; break; // key
    case 118: m = line[from + 2] === 108 ? 6 : 8; break; // value, version
    case 122: m = 7; break; // zxid
    case 115: m = 9; break; // server
    case 101: m = 10; break; // error
    default: return -1;
  }
  const name = NAME_CODES[m]!;
  for (let i = 1; i < name.length; i++) if (line[from + i] !== name[i]) return -1;
  const after = from + name.length;
  return line[after] === QUOTE && line[after + 1] === COLON ? m : -1;
}
