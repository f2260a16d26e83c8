import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PlainEvent, readPlainLine } from '../../harness/history/plain-line.ts';
import { HistoryRecorder } from '../../harness/history/recorder.ts';
import { HASH_START, InternedStrings, asciiText, hashStep } from '../../harness/history/interned-strings.ts';
import { SeededRandom } from '../../harness/workload/random.ts';

/** The fast reader on the UTF-8 bytes of `line`, as a file reader hands them. */
const readLine = (line: string): PlainEvent | undefined => readPlainLine(Buffer.from(line));

const MEMBERS: readonly (keyof PlainEvent)[] = ['index', 'type', 'process', 'time', 'f', 'key', 'value', 'zxid', 'version', 'server', 'error', 'final'];
const trials = (n: number): number => Math.ceil(n * Number(process.env.ZK_CHAOS_TRIALS_SCALE ?? 1));

/** What JSON.parse makes of `line`, or the reason it refuses it. */
function jsonParse(line: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(line) as unknown };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * The fast reader's promise: when it reads a line, JSON.parse reads it too, to an object with
 * exactly the members it found and the same values. (When it declines, JSON.parse decides alone.)
 */
function disagreement(line: string): string | undefined {
  const plain = readLine(line);
  if (plain === undefined) return undefined;
  const parsed = jsonParse(line);
  if ('error' in parsed) return `read a line JSON.parse refuses (${parsed.error})`;
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `read a line that is not an object`;
  const object = value as Record<string, unknown>;
  for (const name of Object.keys(object)) {
    if (!(MEMBERS as readonly string[]).includes(name)) return `read a line with member ${JSON.stringify(name)}, which it does not know`;
  }
  for (const name of MEMBERS) {
    // Same type and same JSON text: for these values (no objects, no -0), the same value.
    const a = JSON.stringify(plain[name]) ?? 'undefined';
    const b = JSON.stringify(object[name]) ?? 'undefined';
    if (a !== b || typeof plain[name] !== typeof object[name]) return `member ${name}: read ${a}, JSON.parse ${b}`;
  }
  return undefined;
}

// Pieces the mutations draw from: JSON's own characters, escapes, controls, spaces, digits, letters.
const PIECES = ['{', '}', '[', ']', '"', ':', ',', '\\', '\\"', '\\u0041', '\u0000', '\u001f', '\t', ' ', '\n', '-', '+', '.', 'e', 'E', '0', '00', '1', '9', '12345678901234567', 'null', 'true', 'false', 'nul', 'x', 'é', '\u2028', '\ud800'];
const NAMES = [...MEMBERS, 'extra', 'Index', 'indexx', 'ty', '__proto__'];

function randomValue(random: SeededRandom): unknown {
  switch (random.int(0, 7)) {
    case 0: return null;
    case 1: return random.int(0, 1) === 0;
    case 2: return random.int(0, 10 ** random.int(0, 6));
    case 3: return random.pick([-1, 0.5, 1e21, 2 ** 53, 2 ** 53 + 2, 123456789012345, 1234567890123456, 99999999999999999999]);
    case 4: return random.pick(['', 'e1', 'v12', 'a-string-longer-than-thirteen', 'é\u2028', 'quote"inside', 'back\\slash', 'ctl\u0001', '0x1a']);
    case 5: return Array.from({ length: random.int(0, 3) }, () => (random.chance(0.2) ? null : `e${random.int(0, 99)}`));
    case 6: return [random.pick([null, 'v1']), 'v2'];
    default: return { nested: true };
  }
}

/** A line: usually the recorder's members in some order, sometimes others, sometimes repeated. */
function randomLine(random: SeededRandom): string {
  const members: string[] = [];
  const count = random.int(0, 9);
  const unused = [...MEMBERS];
  for (let i = 0; i < count; i++) {
    // Mostly distinct known members (what the recorder writes), sometimes a repeat or a stranger.
    const name = random.chance(0.9) ? unused.splice(random.int(0, unused.length - 1), 1)[0]! : random.pick(NAMES);
    const value = random.chance(0.7) ? random.pick<unknown>([null, true, 17, 0, 123456789012345, 'e1', 'a-string-longer-than-thirteen', ['e1', null], []]) : randomValue(random);
    members.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return `{${members.join(',')}}`;
}

/** One to three edits: a piece inserted, a character removed, or a slice repeated. */
function mutate(line: string, random: SeededRandom): string {
  let out = line;
  for (let edits = random.int(1, 3); edits > 0; edits--) {
    const at = random.int(0, out.length);
    switch (random.int(0, 2)) {
      case 0: out = out.slice(0, at) + random.pick(PIECES) + out.slice(at); break;
      case 1: out = out.slice(0, at) + out.slice(at + 1); break;
      default: out = out.slice(0, at) + out.slice(random.int(0, at), at) + out.slice(at);
    }
  }
  return out;
}

describe('readPlainLine', () => {
  it('reads every line the recorder writes, to what JSON.parse makes of it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-plain-'));
    const recorder = new HistoryRecorder(join(dir, 'history.jsonl'));
    recorder.invoke(1, 'cas', 'reg-0', ['v0', 'v1']);
    recorder.complete(1, 'fail', null, { error: 'BAD_VERSION', server: 'zk-2' });
    recorder.invoke(2, 'read-set', 'set-0', null, { final: true });
    recorder.complete(2, 'ok', ['e1', 'e2'], { zxid: '0x10000002a', server: 'zk-0' });
    recorder.invoke(3, 'write', 'reg-0', 'v2');
    recorder.complete(3, 'info', null, { error: 'CONNECTION_LOSS' });
    recorder.invoke(4, 'read', 'reg-0', null);
    recorder.complete(4, 'ok', 'v2', { version: 7, zxid: '0x1', server: 'zk-1' });
    recorder.close();
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').trimEnd().split('\n');
    rmSync(dir, { recursive: true, force: true });
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      expect(readLine(line), line).toBeDefined();
      expect(disagreement(line), line).toBeUndefined();
    }
  });

  it('takes the last of a repeated member, as JSON.parse does', () => {
    expect(readLine('{"index":1,"index":2}')?.index).toBe(2);
  });

  it.each([
    ['leading zero', '{"index":01}'],
    ['sign', '{"index":-1}'],
    ['fraction', '{"time":1.5}'],
    ['exponent', '{"time":1e3}'],
    ['sixteen digits', '{"time":1234567890123456}'],
    ['space', '{"index": 1}'],
    ['escape', '{"key":"a\\"b"}'],
    ['control character', '{"key":"a\u0001b"}'],
    ['non-ASCII character', '{"key":"é"}'],
    ['unknown member', '{"index":1,"other":2}'],
    ['nested object', '{"value":{"a":1}}'],
    ['number in an array', '{"value":[1]}'],
    ['trailing comma', '{"index":1,}'],
    ['text after the object', '{"index":1}}'],
  ])('leaves a line with a %s to JSON.parse', (_what, line) => {
    expect(readLine(line)).toBeUndefined();
  });

  it('agrees with JSON.parse on random and mutated lines', () => {
    const seed = 20261201;
    const random = new SeededRandom(seed);
    let read = 0;
    let readMutated = 0;
    const n = trials(60_000);
    for (let i = 0; i < n; i++) {
      const base = randomLine(random);
      const line = random.chance(0.7) ? mutate(base, random) : base;
      const problem = disagreement(line);
      if (problem !== undefined) expect.fail(`seed ${seed}, line ${JSON.stringify(line)}: ${problem}`);
      if (readLine(line) !== undefined) {
        read++;
        if (line !== base) readMutated++;
      }
    }
    // The comparison means something only if many lines, mutated ones too, took the fast path.
    expect(read).toBeGreaterThan(n / 5);
    expect(readMutated).toBeGreaterThan(n / 50);
  });

  it('reads a line within its chunk, keys and words from an interned-string table, as it reads the line alone', () => {
    const seed = 20261202;
    const random = new SeededRandom(seed);
    const table = new InternedStrings();
    let read = 0;
    const n = trials(20_000);
    for (let i = 0; i < n; i++) {
      const line = random.chance(0.5) ? mutate(randomLine(random), random) : randomLine(random);
      // Neighbours right against it, with quotes, brackets and braces of their own: nothing may be
      // read past the line.
      const before = mutate(randomLine(random), random);
      const after = mutate(randomLine(random), random);
      const chunk = Buffer.from(`${before}${line}${after}`);
      const start = Buffer.byteLength(before);
      const alone = readLine(line);
      const within = readPlainLine(chunk, start, start + Buffer.byteLength(line), table);
      if (JSON.stringify(within) !== JSON.stringify(alone)) {
        expect.fail(`seed ${seed}, line ${JSON.stringify(line)} in ${JSON.stringify(chunk)}: read ${JSON.stringify(within)} within, ${JSON.stringify(alone)} alone`);
      }
      if (alone !== undefined) read++;
    }
    expect(read).toBeGreaterThan(n / 5);
  });
});

describe('InternedStrings', () => {
  const hashOf = (text: string): number => {
    let hash = HASH_START;
    for (let i = 0; i < text.length; i++) hash = hashStep(hash, text.charCodeAt(i));
    return hash;
  };

  it('gives the text itself, found again when it comes again', () => {
    const table = new InternedStrings();
    const text = 'xx"key-1","key-2","key-3","key-1"';
    const chunk = Buffer.from(text);
    const at = (from: number): string => table.get(chunk, from, from + 5, hashOf(text.slice(from, from + 5)));
    const first = at(3);
    expect(first).toBe('key-1');
    expect(at(27)).toBe('key-1');
    expect(at(11)).toBe('key-2');
    expect(at(19)).toBe('key-3');
    expect(table.share('key-2')).toBe('key-2');
    expect(table.share('key-4')).toBe('key-4');
  });

  it.each([7, -7, 0x80000000 | 0])('tells apart texts whose hashes collide (hash %i)', (hash) => {
    const table = new InternedStrings();
    // Every text given the same hash: the table must compare the texts themselves.
    const texts = Array.from({ length: 3000 }, (_, i) => `t${i}`);
    for (const text of texts) expect(table.get(Buffer.from(`"${text}"`), 1, text.length + 1, hash)).toBe(text);
    for (const text of texts) expect(table.get(Buffer.from(`..${text}`), 2, text.length + 2, hash)).toBe(text);
    for (const text of texts) expect(table.share(text)).toBe(text);
  });
});

describe('asciiText', () => {
  it('spells every length, within its neighbours, as the bytes decode', () => {
    const text = '{"value":"0123456789abcdefghij"}';
    const bytes = Buffer.from(text);
    for (let from = 0; from < text.length; from++) {
      for (let to = from; to <= text.length; to++) expect(asciiText(bytes, from, to)).toBe(text.slice(from, to));
    }
  });
});
