/**
 * A faster reader for the lines the recorder writes. JSON.parse takes about 1.3 µs a history line
 * here, most of the time a 1,000,000-operation check takes; the recorder's lines are flat objects
 * of known members with plain values, which this reads in about two thirds of that, and with the
 * event in one fixed shape (validation and pairing then run faster too: see `npm run bench`).
 *
 * It never decides what JSON.parse would decide differently: a line it does not fully understand
 * (whitespace between tokens, an escape or control character, an unknown member, a
 * number with a sign, fraction, exponent, leading zero or more than 15 digits, a nested object)
 * returns undefined and goes to JSON.parse, which then reads it or names the syntax error. On a
 * line it reads, the result holds the same members with the same values as JSON.parse's (members
 * absent from the line are undefined; a repeated member's last value counts, as in JSON.parse).
 * plain-line.test.ts holds it to that on random and mutated lines.
 *
 * A file reader hands it a line as a range of its decoded chunk (no string per line), and a string
 * table that gives each key, word, server and error one string (see interned-strings.ts).
 */

import { HASH_START, InternedStrings, detached, hashStep } from './interned-strings.ts';

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

/** Longest digit run read as a number: every 15-digit integer is exact in a double. */
const MAX_DIGITS = 15;

type Member = keyof PlainEvent;
const MEMBERS: readonly Member[] = ['index', 'type', 'process', 'time', 'f', 'key', 'value', 'zxid', 'version', 'server', 'error', 'final'];

/**
 * Reads line[from, to) (no terminator) if it is in the plain form (see above); undefined sends it
 * to JSON.parse. With `strings`, keys, words, servers and errors come from it, so equal texts are
 * one string.
 */
export function readPlainLine(line: string, from = 0, to = line.length, strings?: InternedStrings): PlainEvent | undefined {
  const end = to - 1;
  if (to - from < 2 || line.charCodeAt(from) !== OPEN_BRACE || line.charCodeAt(end) !== CLOSE_BRACE) return undefined;
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
    if (line.charCodeAt(at) !== QUOTE) return undefined;
    const member = memberAt(line, at + 1);
    if (member === -1) return undefined;
    // The name, its closing quote and the colon (memberAt checked all three).
    at += NAME_CODES[member]!.length + 3;
    const c = line.charCodeAt(at);
    let value: unknown;
    if (c === QUOTE) {
      const close = stringEnd(line, at + 1, end);
      if (close === -1) return undefined;
      value = strings !== undefined && (SHARED_OF & (1 << member)) !== 0 ? strings.get(line, at + 1, close, stringHash) : detached(line.slice(at + 1, close));
      at = close + 1;
    } else if (c === OPEN_BRACKET) {
      const items: (string | null)[] = [];
      at++;
      if (line.charCodeAt(at) === CLOSE_BRACKET) at++;
      else {
        for (;;) {
          if (line.charCodeAt(at) === QUOTE) {
            const close = stringEnd(line, at + 1, end);
            if (close === -1) return undefined;
            items.push(detached(line.slice(at + 1, close)));
            at = close + 1;
          } else if (line.startsWith('null', at)) {
            items.push(null);
            at += 4;
          } else return undefined;
          const separator = line.charCodeAt(at++);
          if (separator === CLOSE_BRACKET) break;
          if (separator !== COMMA) return undefined;
        }
      }
      value = items;
    } else if (c >= ZERO && c <= NINE) {
      const start = at;
      let n = 0;
      for (let d = c; d >= ZERO && d <= NINE; d = line.charCodeAt(at)) {
        n = n * 10 + (d - ZERO);
        at++;
      }
      if (at - start > MAX_DIGITS || (c === ZERO && at - start > 1)) return undefined;
      value = n;
    } else if (line.startsWith('null', at)) {
      value = null;
      at += 4;
    } else if (line.startsWith('true', at)) {
      value = true;
      at += 4;
    } else if (line.startsWith('false', at)) {
      value = false;
      at += 5;
    } else return undefined;
    set(event, member, value);
    const separator = line.charCodeAt(at++);
    if (separator === CLOSE_BRACE) return at === to ? event : undefined;
    if (separator !== COMMA) return undefined;
  }
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
 * The closing quote of a string starting at `from`, before `end`; -1 if none, or an escape or a
 * control character comes first (JSON.parse refuses a control character, and reads an escape).
 */
function stringEnd(line: string, from: number, end: number): number {
  let hash = HASH_START;
  for (let at = from; at < end; at++) {
    const c = line.charCodeAt(at);
    if (c === QUOTE) {
      stringHash = hash;
      return at;
    }
    if (c < FIRST_PRINTABLE || c === BACKSLASH) return -1;
    hash = hashStep(hash, c);
  }
  return -1;
}

/** Each member's name as character codes. */
const NAME_CODES: readonly (readonly number[])[] = MEMBERS.map((name) => [...name].map((c) => c.charCodeAt(0)));

/**
 * Which member's name starts at `from` and is followed by its closing quote and a colon, or -1 for
 * any other text. Character by character: the names are short, and a call out of the compiled
 * loop (indexOf, startsWith) costs more than comparing them.
 */
function memberAt(line: string, from: number): number {
  let m: number;
  switch (line.charCodeAt(from)) {
    case 105: m = 0; break; // index
    case 116: m = line.charCodeAt(from + 1) === 121 ? 1 : 3; break; // type, time
    case 112: m = 2; break; // process
    case 102: m = line.charCodeAt(from + 1) === QUOTE ? 4 : 11; break; // f, final
    case 107: m = 5; break; // key
    case 118: m = line.charCodeAt(from + 2) === 108 ? 6 : 8; break; // value, version
    case 122: m = 7; break; // zxid
    case 115: m = 9; break; // server
    case 101: m = 10; break; // error
    default: return -1;
  }
  const name = NAME_CODES[m]!;
  for (let i = 1; i < name.length; i++) if (line.charCodeAt(from + i) !== name[i]) return -1;
  const after = from + name.length;
  return line.charCodeAt(after) === QUOTE && line.charCodeAt(after + 1) === COLON ? m : -1;
}
