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
 */

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

/** Longest digit run read as a number: every 15-digit integer is exact in a double. */
const MAX_DIGITS = 15;

type Member = keyof PlainEvent;
const MEMBERS: readonly Member[] = ['index', 'type', 'process', 'time', 'f', 'key', 'value', 'zxid', 'version', 'server', 'error', 'final'];

/** Reads `line` if it is in the plain form (see above); undefined sends it to JSON.parse. */
export function readPlainLine(line: string): PlainEvent | undefined {
  const end = line.length - 1;
  // An escape sends the line to JSON.parse (a string's end is then the next quote).
  if (line.charCodeAt(0) !== OPEN_BRACE || line.charCodeAt(end) !== CLOSE_BRACE || line.includes('\\')) return undefined;
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
  let at = 1;
  if (end === 1) return event;
  for (;;) {
    if (line.charCodeAt(at) !== QUOTE) return undefined;
    // A name is compared whole with the members' names below: no need to look for control characters.
    const nameEnd = line.indexOf('"', at + 1);
    if (nameEnd === -1 || line.charCodeAt(nameEnd + 1) !== COLON) return undefined;
    const member = memberAt(line, at + 1, nameEnd);
    if (member === -1) return undefined;
    at = nameEnd + 2;
    const c = line.charCodeAt(at);
    let value: unknown;
    if (c === QUOTE) {
      const close = stringEnd(line, at + 1);
      if (close === -1) return undefined;
      if ((WORDS_OF & (1 << member)) !== 0) value = wordAt(line, at + 1, close);
      if (value === undefined) value = detached(line.slice(at + 1, close));
      at = close + 1;
    } else if (c === OPEN_BRACKET) {
      const items: (string | null)[] = [];
      at++;
      if (line.charCodeAt(at) === CLOSE_BRACKET) at++;
      else {
        for (;;) {
          if (line.charCodeAt(at) === QUOTE) {
            const close = stringEnd(line, at + 1);
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
    if (separator === CLOSE_BRACE) return at === end + 1 ? event : undefined;
    if (separator !== COMMA) return undefined;
  }
}

/** The members whose value is one of a few words: read without cutting a string. */
const WORDS_OF = (1 << MEMBERS.indexOf('type')) | (1 << MEMBERS.indexOf('f'));
const WORDS = ['invoke', 'ok', 'fail', 'info', 'add', 'read-set', 'write', 'read', 'cas'] as const;

function wordAt(line: string, from: number, to: number): string | undefined {
  const length = to - from;
  for (const word of WORDS) if (word.length === length && line.startsWith(word, from)) return word;
  return undefined;
}

/**
 * `text` as a string of its own. V8 makes a slice of 13 or more characters a view into the string
 * it was cut from, here the reader's 1 MiB chunk, which one kept value would keep alive
 * (concatenating then slicing copies it into a string one character longer).
 */
function detached(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

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

/** The closing quote of a string starting at `from`; -1 if none or a control character comes first (JSON.parse refuses one). */
function stringEnd(line: string, from: number): number {
  const close = line.indexOf('"', from);
  for (let at = from; at < close; at++) if (line.charCodeAt(at) < 0x20) return -1;
  return close;
}

/** Which member's name lies between `from` and `to` (exclusive), or -1 for any other name. */
function memberAt(line: string, from: number, to: number): number {
  const length = to - from;
  let m: number;
  switch (line.charCodeAt(from)) {
    case 105: m = 0; break; // index
    case 116: m = length === 4 && line.charCodeAt(from + 1) === 121 ? 1 : 3; break; // type, time
    case 112: m = 2; break; // process
    case 102: m = length === 1 ? 4 : 11; break; // f, final
    case 107: m = 5; break; // key
    case 118: m = length === 5 ? 6 : 8; break; // value, version
    case 122: m = 7; break; // zxid
    case 115: m = 9; break; // server
    case 101: m = 10; break; // error
    default: return -1;
  }
  const name = MEMBERS[m]!;
  return name.length === length && line.startsWith(name, from) ? m : -1;
}
