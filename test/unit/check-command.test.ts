import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `zk-chaos check` as a user runs it: the real command line, its exit code and its words. */
const CLI = join(import.meta.dirname, '../../harness/cli/zk-chaos.ts');

const lines = (events: object[]): string =>
  events.map((e, index) => JSON.stringify({ index, key: 's', ...e })).join('\n') + '\n';

const added = [
  { type: 'invoke', process: 0, time: 10, f: 'add', value: 'a' },
  { type: 'ok', process: 0, time: 20, f: 'add', value: 'a' },
];
const HISTORIES: Record<string, string> = {
  valid: lines([...added, { type: 'invoke', process: 1, time: 30, f: 'read-set', value: null }, { type: 'ok', process: 1, time: 40, f: 'read-set', value: ['a'] }]),
  invalid: lines([...added, { type: 'invoke', process: 1, time: 30, f: 'read-set', value: null }, { type: 'ok', process: 1, time: 40, f: 'read-set', value: [] }]),
  unknown: lines(added), // no read at all: nothing says whether the add survived
  empty: '',
  malformed: lines([{ type: 'done', process: 0, time: 10, f: 'add', value: 'a' }]),
};

describe('zk-chaos check exit codes', () => {
  let dir: string;
  const run = (...args: string[]): { code: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [CLI, 'check', ...args], { encoding: 'utf8', cwd: dir });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zk-check-cmd-'));
    for (const [name, text] of Object.entries(HISTORIES)) writeFileSync(join(dir, `${name}.jsonl`), text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('0 valid, 1 invalid, 2 unknown', () => {
    expect(run('valid.jsonl')).toMatchObject({ code: 0, out: expect.stringContaining('valid.jsonl: VALID') });
    expect(run('invalid.jsonl')).toMatchObject({ code: 1, out: expect.stringContaining('lost on "s"') });
    expect(run('unknown.jsonl')).toMatchObject({ code: 2, out: expect.stringContaining('no read-set of it succeeded') });
    expect(run('empty.jsonl')).toMatchObject({ code: 2, out: expect.stringContaining('the history has no operations') });
  });

  it("the README's history example is the valid history it says it is", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const example = /Example \(an add and the final read that shows it: `valid`\):\n\n```json\n([^`]*)```/.exec(readme)?.[1];
    expect(example, 'the example block under "History format"').toBeDefined();
    writeFileSync(join(dir, 'readme-example.jsonl'), example!);
    expect(run('readme-example.jsonl')).toMatchObject({ code: 0, out: expect.stringContaining('readme-example.jsonl: VALID') });
  });

  it('3 for input it cannot read, naming the file, the line and the problem', () => {
    expect(run('malformed.jsonl')).toMatchObject({ code: 3, err: expect.stringContaining('malformed.jsonl:1: "type" must be one of') });
    expect(run('absent.jsonl')).toMatchObject({ code: 3, err: expect.stringContaining('cannot read absent.jsonl: no such file') });
    expect(run('.')).toMatchObject({ code: 3, err: expect.stringContaining('it is a folder') });
  });

  it('3 for a budget that is not a whole number of states, never the default in disguise', () => {
    for (const budget of ['0', 'abc', '-5', '1.5', '9007199254740992']) {
      const r = run('--budget', budget, 'valid.jsonl');
      expect(r.code).toBe(3);
      expect(r.err).toContain(`a whole number of search states, from 1 to ${Number.MAX_SAFE_INTEGER}, is needed (got "${budget}")`);
    }
    expect(run('--budget', '10', 'valid.jsonl').code).toBe(0);
  });

  it('--json prints the verdict as JSON', () => {
    const r = run('--json', 'invalid.jsonl');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ validity: 'invalid', anomalies: [{ type: 'lost', element: 'a' }] });
  });
});
