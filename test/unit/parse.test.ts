import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryFormatError, parseHistory, toOperations } from '../../harness/history/parse.ts';
import { CHUNK_BYTES, readHistoryFile, readOperationsFile } from '../../harness/history/read-file.ts';
import { HistoryBuilder } from './history-builder.ts';

const line = (o: Record<string, unknown>): string => JSON.stringify(o);
const inv = (index: number, process: number, f: string, key: string, value: unknown, time = index * 10): string =>
  line({ index, type: 'invoke', process, time, f, key, value });
const done = (index: number, type: string, process: number, f: string, key: string, value: unknown, extra = {}): string =>
  line({ index, type, process, time: index * 10, f, key, value, ...extra });

function parseError(text: string): HistoryFormatError {
  try {
    parseHistory(text, 'history.jsonl');
  } catch (error) {
    if (error instanceof HistoryFormatError) return error;
    throw error;
  }
  throw new Error('expected a HistoryFormatError');
}

describe('parseHistory', () => {
  it('parses every function, skips blank lines and ignores unknown fields', () => {
    const text = [
      inv(0, 1, 'add', 's', 'x'),
      '',
      done(1, 'ok', 1, 'add', 's', 'x', { zxid: '0x1A', server: 'zk-1', extra: 42 }),
      '   ',
      inv(2, 2, 'read-set', 's', null),
      done(3, 'ok', 2, 'read-set', 's', ['x']),
      inv(4, 3, 'cas', 'r', [null, 'a']),
      done(5, 'fail', 3, 'cas', 'r', null, { error: 'BAD_VERSION' }),
      inv(6, 4, 'read', 'r', null),
      done(7, 'ok', 4, 'read', 'r', null, { version: 0 }),
      inv(8, 4, 'write', 'r', 'b'),
    ].join('\r\n');
    const events = parseHistory(text, 'history.jsonl');
    expect(events).toHaveLength(9);
    // Blank is JSON's whitespace only: a no-break space is not JSON, and not skipped either.
    expect(() => parseHistory(`${inv(0, 1, 'add', 's', 'x')}\n\u00a0\n`, 'h.jsonl')).toThrow(/h\.jsonl:2: not valid JSON/);
    expect(events[1]).toEqual({ index: 1, type: 'ok', process: 1, time: 10, f: 'add', key: 's', value: 'x', zxid: '0x1A', server: 'zk-1' });
    expect(events[8]?.type).toBe('invoke');
  });

  it('reads optional members that are null (and final false on a non-read) as absent, whichever reader reads the line', () => {
    const absent = { zxid: null, version: null, server: null, error: null, final: null };
    const lines = [
      inv(0, 1, 'read', 'r', null),
      done(1, 'ok', 1, 'read', 'r', 'a', absent), // the fast reader's form
      inv(2, 2, 'add', 's', 'x'),
      done(3, 'ok', 2, 'add', 's', 'x', { ...absent, final: false }).replace('{', '{ '), // JSON.parse's
    ];
    const events = parseHistory(lines.join('\n'), 'history.jsonl');
    for (const event of [events[1], events[3]]) {
      for (const member of ['zxid', 'version', 'server', 'error', 'final'] as const) expect(event?.[member]).toBeUndefined();
    }
    const ops = toOperations(events);
    expect(ops.map((op) => [op.f, op.outcome, op.zxid, op.server, op.final])).toEqual([
      ['read', 'ok', undefined, undefined, undefined],
      ['add', 'ok', undefined, undefined, undefined],
    ]);
  });

  it('keeps "final": false on a read, on its invoke or completion: a read marked not final', () => {
    const lines = [
      line({ index: 0, type: 'invoke', process: 1, time: 0, f: 'read-set', key: 's', value: null, final: false }),
      done(1, 'ok', 1, 'read-set', 's', [], {}),
      inv(2, 2, 'read', 'r', null),
      done(3, 'ok', 2, 'read', 'r', null, { final: false }).replace('{', '{ '), // JSON.parse's
      line({ index: 4, type: 'invoke', process: 3, time: 40, f: 'read-set', key: 's', value: null, final: true }),
      done(5, 'ok', 3, 'read-set', 's', [], { final: true }),
      inv(6, 4, 'read-set', 's', null),
      done(7, 'ok', 4, 'read-set', 's', []),
    ];
    const events = parseHistory(lines.join('\n'), 'history.jsonl');
    expect(events.map((e) => e.final)).toEqual([false, undefined, undefined, false, true, true, undefined, undefined]);
    expect(toOperations(events).map((op) => op.final)).toEqual([false, false, true, undefined]);
  });

  it('refuses a read whose invoke and completion disagree on "final", naming the line', () => {
    for (const [invoked, completed] of [[true, false], [false, true]]) {
      const text = [line({ index: 0, type: 'invoke', process: 1, time: 0, f: 'read-set', key: 's', value: null, final: invoked }), done(1, 'ok', 1, 'read-set', 's', [], { final: completed })].join('\n');
      const error = parseError(text);
      expect(error.message).toMatch(/^history\.jsonl:2: /);
      expect(error.message).toContain(`"final" is ${completed} but its invoke (line 1) says ${invoked}`);
    }
  });

  it('round-trips what the builder writes', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'x');
    h.readSet(2, 's', ['x']);
    h.cas(3, 'r', null, 'a', 'ok', '0x5');
    h.invoke(4, 'write', 'r', 'b');
    expect(parseHistory(h.text(), 'h')).toEqual(h.events);
  });

  const cases: [string, string, number, string][] = [
    ['a bad type', [inv(0, 1, 'add', 's', 'x'), done(1, 'done', 1, 'add', 's', 'x')].join('\n'), 2,
      '"type" must be one of invoke, ok, fail, info (got "done")'],
    ['an index out of place', [inv(0, 1, 'add', 's', 'x'), '', done(5, 'ok', 1, 'add', 's', 'x')].join('\n'), 3,
      '"index" must be 1, the event\'s position in the history (got 5)'],
    ['a negative index', inv(-1, 1, 'add', 's', 'x'), 1, '"index" must be an integer >= 0 (got -1)'],
    ['invalid JSON', '{"index": 0,', 1, 'not valid JSON'],
    ['a non-object', '[1,2]', 1, 'an event must be a JSON object (got [1,2])'],
    ['a fractional process', line({ index: 0, type: 'invoke', process: 1.5, time: 0, f: 'add', key: 's', value: 'x' }), 1,
      '"process" must be an integer (got 1.5)'],
    ['a missing time', line({ index: 0, type: 'invoke', process: 1, f: 'add', key: 's', value: 'x' }), 1,
      '"time" must be an integer number of nanoseconds (got nothing)'],
    ['a fractional time', line({ index: 0, type: 'invoke', process: 1, time: 1.5, f: 'add', key: 's', value: 'x' }), 1,
      '"time" must be an integer number of nanoseconds (got 1.5)'],
    ['a time past 2^53 - 1', '{"index":0,"type":"invoke","process":1,"time":9007199254740993,"f":"add","key":"s","value":"x"}', 1,
      '"time" must be an integer number of nanoseconds (got 9007199254740992, past 2^53 - 1 (9007199254740991), beyond which a number is not exact)'],
    ['an unknown function', inv(0, 1, 'delete', 's', 'x'), 1, '"f" must be one of add, read-set, write, read, cas (got "delete")'],
    ['a numeric key', line({ index: 0, type: 'invoke', process: 1, time: 0, f: 'add', key: 7, value: 'x' }), 1,
      '"key" must be a non-empty string, the znode\'s name (got 7)'],
    ['an empty key', inv(0, 1, 'add', '', 'x'), 1, '"key" must be a non-empty string, the znode\'s name (got "")'],
    ['an add of a number', inv(0, 1, 'add', 's', 3), 1, '"value" of an invoke add must be a string (got 3)'],
    ['a read-set invoke with a value', inv(0, 1, 'read-set', 's', []), 1, '"value" of an invoke read-set must be null (got [])'],
    ['a read invoke with a value', inv(0, 1, 'read', 'r', 'v'), 1, '"value" of an invoke read must be null (got "v")'],
    ['an ok read-set of numbers', [inv(0, 1, 'read-set', 's', null), done(1, 'ok', 1, 'read-set', 's', [1])].join('\n'), 2,
      '"value" of an ok read-set must be an array of strings (got [1])'],
    ['a cas with one element', inv(0, 1, 'cas', 'r', ['a']), 1, '"value" of an invoke cas must be [expected (string or null), new (string)]'],
    ['a read of a number', [inv(0, 1, 'read', 'r', null), done(1, 'ok', 1, 'read', 'r', 4)].join('\n'), 2,
      '"value" of an ok read must be a string or null (got 4)'],
    ['a bad zxid', [inv(0, 1, 'write', 'r', 'a'), done(1, 'ok', 1, 'write', 'r', 'a', { zxid: '12' })].join('\n'), 2,
      '"zxid" must be a hex string like "0x1a2b" (got "12")'],
    ['a non-integer version', [inv(0, 1, 'write', 'r', 'a'), done(1, 'ok', 1, 'write', 'r', 'a', { version: 'x' })].join('\n'), 2,
      '"version" must be an integer (got "x")'],
    ['a completion with nothing outstanding', done(0, 'ok', 1, 'add', 's', 'x'), 1, 'process 1 completes (ok) with no operation outstanding'],
    ['a completion for another key', [inv(0, 1, 'add', 's', 'x'), done(1, 'ok', 1, 'add', 't', 'x')].join('\n'), 2,
      'completion of process 1 is add on "t" but its invoke (line 1, event 0) was add on "s"'],
    ['a completion for another function', [inv(0, 1, 'add', 's', 'x'), done(1, 'ok', 1, 'write', 's', 'x')].join('\n'), 2,
      'completion of process 1 is write on "s" but its invoke (line 1, event 0) was add on "s"'],
    ['a second invoke', [inv(0, 1, 'add', 's', 'x'), '', inv(1, 1, 'add', 's', 'y')].join('\n'), 3,
      'process 1 invokes add on "s" while its add from line 1 (event 0) is still outstanding'],
    ['a completion before its invoke', [inv(0, 1, 'add', 's', 'x', 100), done(1, 'ok', 1, 'add', 's', 'x')].join('\n'), 2,
      '"time" 10 is earlier than its invoke\'s time 100 (line 1)'],
  ];
  it.each(cases)('reports %s with its line', (_name, text, lineNumber, problem) => {
    const error = parseError(text);
    expect(error.file).toBe('history.jsonl');
    expect(error.line).toBe(lineNumber);
    expect(error.problem.startsWith(problem)).toBe(true);
    expect(error.message.startsWith(`history.jsonl:${lineNumber}: ${problem}`)).toBe(true);
  });

  it('ignores a byte order mark that begins the text, and only there', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'x');
    expect(parseHistory(`\uFEFF${h.text()}`, 'h.jsonl')).toEqual(h.events);
    expect(() => parseHistory(`${h.text()}\n\uFEFF${h.text()}`, 'h.jsonl')).toThrow(/^h\.jsonl:4: not valid JSON/);
  });

  it('formats the message as file:line: problem', () => {
    const error = parseError([inv(0, 1, 'add', 's', 'x'), done(1, 'done', 1, 'add', 's', 'x')].join('\n'));
    expect(error.message).toBe('history.jsonl:2: "type" must be one of invoke, ok, fail, info (got "done")');
    expect(error.name).toBe('HistoryFormatError');
  });
});

describe('toOperations', () => {
  it('pairs invokes with their completions', () => {
    const h = new HistoryBuilder();
    const a = h.invoke(1, 'write', 'r', 'a');
    const b = h.invoke(2, 'read', 'r', null);
    h.ok(2, 'a', { zxid: '0xff', server: 'zk-2', version: 3 });
    h.ok(1, 'a', { zxid: '0xff' });
    const c = h.invoke(1, 'cas', 'r', ['a', 'b']);
    h.info(1, { error: 'connection loss' });
    const d = h.invoke(3, 'add', 's', 'x');
    const e = h.add(4, 's', 'y', 'fail');
    const ops = h.ops();
    expect(ops.map((op) => op.id)).toEqual([a, b, c, d, e]);
    expect(ops[0]).toMatchObject({ process: 1, f: 'write', input: 'a', output: 'a', outcome: 'ok', invokeTime: 10, completeTime: 40, completionIndex: 3, zxid: 255n });
    expect(ops[1]).toMatchObject({ input: null, output: 'a', outcome: 'ok', zxid: 255n, server: 'zk-2', version: 3 });
    // info: may take effect later, so it never completes in real time, but keeps its completion.
    expect(ops[2]).toMatchObject({ outcome: 'info', completeTime: Infinity, completionIndex: 5, error: 'connection loss', input: ['a', 'b'] });
    // No completion at all: indeterminate too.
    expect(ops[3]).toMatchObject({ outcome: 'info', completeTime: Infinity, output: null });
    expect(ops[3]?.completionIndex).toBeUndefined();
    expect(ops[4]).toMatchObject({ outcome: 'fail', f: 'add', input: 'y' });
  });
});

describe('readHistoryFile', () => {
  it('reads a file line by line and names it in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-parse-'));
    const good = join(dir, 'good.jsonl');
    const h = new HistoryBuilder();
    h.add(1, 's', 'x');
    h.readSet(2, 's', ['x']);
    writeFileSync(good, h.text());
    expect(await readHistoryFile(good)).toEqual(h.events);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, h.text() + '\n{oops}\n');
    await expect(readHistoryFile(bad)).rejects.toMatchObject({ file: bad, line: 6 });
  });

  it('says a bad last line that no newline ends was likely cut short, and how to check the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-parse-'));
    const h = new HistoryBuilder();
    h.add(1, 's', 'x');
    const text = h.text().endsWith('\n') ? h.text() : `${h.text()}\n`;
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${text}{"index":2,"type":"inv`);
    const error = await readOperationsFile(cut).catch((e: unknown) => e);
    expect(error).toMatchObject({ file: cut, line: 3 });
    expect((error as Error).message).toMatch(/^.*cut\.jsonl:3: not valid JSON .*; it is the file's last line and no newline ends it, so its writer was likely stopped while writing it: remove that line to check the rest$/);
    // Ended by a newline, the same line is just a bad line.
    writeFileSync(cut, `${text}{"index":2,"type":"inv\n`);
    const ended = await readOperationsFile(cut).catch((e: unknown) => e);
    expect(ended).toMatchObject({ line: 3 });
    expect((ended as Error).message).not.toContain('last line');
    // A whole object with a wrong field is a bad event, not a cut one: no hint.
    writeFileSync(cut, `${text}{"index":7,"type":"invoke","process":3,"time":9,"f":"add","key":"s","value":"y"}`);
    const whole = await readOperationsFile(cut).catch((e: unknown) => e);
    expect((whole as Error).message).toMatch(/:3: "index" must be 2, the event's position in the history \(got 7\)$/);
    // The only line (here: lines ended by CR alone, which JSON Lines does not know): nothing else to check, no hint.
    writeFileSync(cut, text.replaceAll('\n', '\r'));
    const lone = await readOperationsFile(cut).catch((e: unknown) => e);
    expect(lone).toMatchObject({ line: 1 });
    expect((lone as Error).message).not.toContain('last line');
  });

  it('reads lines across its chunks as the whole text reads them: UTF-8 and CRLF cut between chunks, a newline ending a chunk, a line longer than a chunk, no final newline', async () => {
    // Every line an invoke of a process of its own (an invoke never completed is indeterminate, and
    // valid), so that a line's length can be chosen freely.
    const parts: Buffer[] = [];
    let size = 0;
    let index = 0;
    const invoke = (value: string): string => line({ index, type: 'invoke', process: index, time: index * 10, f: 'add', key: 's', value });
    const write = (bytes: Buffer): void => {
      parts.push(bytes);
      size += bytes.length;
      index++;
    };
    // Writes `probe`'s line so that the chunk boundary `boundary` falls `cut` bytes into it, after
    // a filler line of the right length.
    const place = (boundary: number, probe: () => Buffer, cut: (bytes: Buffer) => number): void => {
      const fillerAt = index;
      index++; // the probe's index, to measure it
      const bytes = probe();
      index = fillerAt;
      const empty = Buffer.byteLength(invoke('') + '\n');
      const fill = boundary - cut(bytes) - size - empty;
      expect(fill).toBeGreaterThanOrEqual(0);
      write(Buffer.from(invoke('x'.repeat(fill)) + '\n'));
      write(probe());
    };
    const at = (bytes: Buffer, text: string, plus: number): number => bytes.indexOf(Buffer.from(text)) + plus;
    place(CHUNK_BYTES, () => Buffer.from(invoke('a𝄞b') + '\n'), (b) => at(b, '𝄞', 2));
    place(2 * CHUNK_BYTES, () => Buffer.from(invoke('crlf') + '\r\n'), (b) => b.length - 1);
    place(3 * CHUNK_BYTES, () => Buffer.from(invoke('newline') + '\n'), (b) => b.length);
    place(4 * CHUNK_BYTES, () => Buffer.from(invoke('é-cut') + '\n'), (b) => at(b, 'é', 1));
    // Longer than two chunks: one chunk holds no newline at all.
    write(Buffer.from(invoke('y'.repeat(2 * CHUNK_BYTES + CHUNK_BYTES / 2)) + '\n'));
    write(Buffer.from(invoke('last')));
    const bytes = Buffer.concat(parts);
    // The cuts are where they were meant to be.
    expect(bytes.subarray(CHUNK_BYTES - 2, CHUNK_BYTES + 2)).toEqual(Buffer.from('𝄞'));
    expect(bytes.subarray(2 * CHUNK_BYTES - 1, 2 * CHUNK_BYTES + 1).toString()).toBe('\r\n');
    expect(bytes[3 * CHUNK_BYTES - 1]).toBe(10);
    expect(bytes.subarray(4 * CHUNK_BYTES - 1, 4 * CHUNK_BYTES + 1).toString()).toBe('é');

    const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-parse-'));
    const file = join(dir, 'chunks.jsonl');
    writeFileSync(file, bytes);
    const read = await readHistoryFile(file);
    rmSync(dir, { recursive: true, force: true });
    expect(read).toHaveLength(index);
    expect(read).toEqual(parseHistory(bytes.toString('utf8'), 'chunks.jsonl'));
    expect(read.map((e) => e.value).filter((v) => typeof v === 'string' && !/^[xy]*$/.test(v))).toEqual(['a𝄞b', 'crlf', 'newline', 'é-cut', 'last']);
  });
});
