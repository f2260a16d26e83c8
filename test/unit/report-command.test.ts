import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportCommand } from '../../harness/cli/report-command.ts';
import { writeReport } from '../../harness/report/write-report.ts';
import { readDigestedOperationsFile } from '../../harness/history/read-file.ts';
import { writeVerdict } from '../../harness/run/run-folder.ts';

const HISTORY = [
  { index: 0, type: 'invoke', process: 0, f: 'add', key: 's', value: 'a', time: 1_000_000 },
  { index: 1, type: 'ok', process: 0, f: 'add', key: 's', value: 'a', time: 2_000_000, server: 'zk-0' },
  { index: 2, type: 'invoke', process: 1, f: 'read-set', key: 's', value: null, time: 3_000_000 },
  { index: 3, type: 'ok', process: 1, f: 'read-set', key: 's', value: [], time: 4_000_000, server: 'zk-1' },
]
  .map((e) => JSON.stringify(e))
  .join('\n');

const STATS = { operations: 2, byOutcome: { ok: 2, fail: 0, info: 0 }, byFunction: {}, keys: 1, setKeys: 1, registerKeys: 0, explainedKeys: 0, witnessKeys: 0, searchedKeys: 0, searchStates: 0 };

/** The embedded model of a written report. */
function modelOf(path: string): { verdict: { validity: string; anomalies: { type: string; element: string }[] }; run: { seed: string | null; rerun: string[] } } {
  const html = readFileSync(path, 'utf8');
  return JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
}

describe('zk-chaos report', () => {
  let dir: string;
  let errors: string[];
  let printed: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zk-report-cmd-'));
    errors = [];
    printed = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  });

  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes report.html next to the history, computing the verdict when verdict.json is absent', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    writeFileSync(join(dir, 'seed'), '99\n');
    expect(await reportCommand(history, {})).toBe(0);
    const out = join(dir, 'report.html');
    expect(printed).toEqual([out]);
    const model = modelOf(out);
    expect(model.verdict.validity).toBe('invalid');
    expect(model.verdict.anomalies.map((a) => [a.type, a.element])).toEqual([['lost', 'a']]);
    expect(model.run.seed).toBe('99');
  });

  it('writes to --out, and takes the verdict from verdict.json when present', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    // A byte order mark (an editor's) is no bad token, as in the history.
    writeFileSync(join(dir, 'verdict.json'), '\uFEFF' + JSON.stringify({ validity: 'unknown', anomalies: [], unknownKeys: [{ key: 's', reason: 'budget' }] }));
    const out = join(dir, 'elsewhere.html');
    expect(await reportCommand(history, { out })).toBe(0);
    expect(printed).toEqual([out]);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    expect(modelOf(out).verdict.validity).toBe('unknown');
  });

  it('returns 3 naming the file and line of a malformed history', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY + '\n{"index":4,"type":"done"}\n');
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors[0]).toBe(`zk-chaos report: ${history}:5: "type" must be one of invoke, ok, fail, info (got "done")`);
  });

  it('returns 3 for a missing history, a bad sidecar, or a verdict of another history', async () => {
    expect(await reportCommand(join(dir, 'nope.jsonl'), {})).toBe(3);
    expect(errors.pop()).toBe(`zk-chaos report: ${join(dir, 'nope.jsonl')}: no such file`);

    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    writeFileSync(join(dir, 'faults.jsonl'), '{"event":"start","name":"x","detail":"","start":1}\n{"event":"end"}\n');
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/faults\.jsonl:2: "name" must be a string/);

    rmSync(join(dir, 'faults.jsonl'));
    writeFileSync(join(dir, 'verdict.json'), JSON.stringify({ validity: 'invalid', anomalies: [{ type: 'lost', key: 's', explanation: 'e', ops: [0, 40] }], unknownKeys: [] }));
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/verdict\.json: names operation 40 that .* does not hold/);
  });

  it('shows a run\'s verdict only beside the history it judged', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    // The run's own verdict, as the run writes it: with the judged history's size and SHA-256.
    const { digest } = await readDigestedOperationsFile(history);
    writeVerdict(dir, { validity: 'unknown', anomalies: [], unknownKeys: [{ key: 's', reason: 'budget' }], stats: STATS }, digest);
    const stored = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8'));
    expect(stored.history).toEqual({ bytes: Buffer.byteLength(HISTORY), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await reportCommand(history, {})).toBe(0);
    expect(modelOf(join(dir, 'report.html')).verdict.validity).toBe('unknown');

    // Edited after the check, the same operations named: the stale verdict is refused, not shown.
    writeFileSync(history, HISTORY.replace('"value":[]', '"value":["a"]'));
    expect(await reportCommand(history, {})).toBe(3);
    const now = createHash('sha256').update(readFileSync(history)).digest('hex');
    expect(errors.pop()).toBe(
      `zk-chaos report: ${join(dir, 'verdict.json')}: judged a history of ${stored.history.bytes} bytes (SHA-256 ${stored.history.sha256.slice(0, 12)}…), ` +
        `but ${history} now has ${stored.history.bytes + 3} bytes (SHA-256 ${now.slice(0, 12)}…): it changed after the check ` +
        '(delete verdict.json to recompute the verdict from the history as it is)',
    );
    // Same size, other content: refused as well.
    writeFileSync(history, HISTORY.replace('"value":"a"', '"value":"b"'));
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/judged a history of \d+ bytes .* now has \d+ bytes .* it changed after the check/);

    writeFileSync(join(dir, 'verdict.json'), JSON.stringify({ ...stored, history: { bytes: 1 } }));
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/verdict\.json: "history" must be an object with the judged history's "bytes" \(an integer\) and "sha256"/);
  });

  it('names the run\'s own rerun command in a report made again later', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    writeFileSync(join(dir, 'seed'), '99\n');
    expect(await reportCommand(history, {})).toBe(0);
    // No command kept: an integration test's run (the suites and zk-chaos run/hunt keep theirs).
    expect(modelOf(join(dir, 'report.html')).run.rerun[0]).toBe(`ZK_CHAOS_SEED=99 npx vitest run --project integration   # the suite that ran ${basename(dir)}`);
    writeFileSync(join(dir, 'rerun'), 'npm run e2e -- --suites random\n');
    expect(await reportCommand(history, {})).toBe(0);
    expect(modelOf(join(dir, 'report.html')).run.rerun[0]).toBe('ZK_CHAOS_SEED=99 npm run e2e -- --suites random');
  });

  it('never writes the report over the history or a file of its run', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    writeFileSync(join(dir, 'seed'), '99\n');
    symlinkSync(history, join(dir, 'link.html'));
    for (const out of [history, join(dir, 'seed'), join(dir, 'verdict.json'), join(dir, 'link.html')]) {
      expect(await reportCommand(history, { out })).toBe(3);
      expect(errors.pop()).toBe(`zk-chaos report: ${out}: is the history or a file of its run, not a place for the report: give --out another path`);
    }
    expect(readFileSync(history, 'utf8')).toBe(HISTORY);
    expect(readFileSync(join(dir, 'seed'), 'utf8')).toBe('99\n');
    expect(existsSync(join(dir, 'verdict.json'))).toBe(false);
    expect(await reportCommand(history, { out: '' })).toBe(3);
    expect(errors.pop()).toBe('zk-chaos report: --out: names no file: give a path such as /tmp/report.html, or leave --out out');
  });

  it('reports a run with more cluster events than a call\'s arguments can hold', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    const lines = Array.from({ length: 200_000 }, (_, i) => JSON.stringify({ time: 1_000_000 + i, source: 'pod-watch', kind: 'phase', detail: `zk-${i % 3} Running` }));
    writeFileSync(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
    expect(await reportCommand(history, { out: join(dir, 'r.html') })).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows the planned schedule of a run that had one, and names a malformed schedule.json', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    const schedule = { seed: 7, faults: [{ kind: 'kill', target: 'minority', startMs: 8333, durationMs: 6078 }, { kind: 'pause', target: 'leader', startMs: 17483, durationMs: 2455 }] };
    writeFileSync(join(dir, 'schedule.json'), JSON.stringify(schedule));
    expect(await reportCommand(history, {})).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<dd id="schedule"><ol><li>kill (minority) at 8.3 s for 6.1 s</li><li>pause (leader) at 17.5 s for 2.5 s</li></ol></dd>');
    writeFileSync(join(dir, 'schedule.json'), JSON.stringify({ faults: [{ kind: 'kill' }] }));
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/schedule\.json: faults\[0\] must have string "kind" and "target"/);
  });

  it('shows what each member said of itself after the run, and names a malformed servers.json', async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    const servers = {
      members: [
        { name: 'zk-0', mode: 'follower', zxid: '0x300000a1', logFindings: [{ kind: 'null-pointer', count: 2, first: 'java.lang.NullPointerException: x' }] },
        { name: 'zk-1', mode: 'leader', zxid: '0x300000a2', logFindings: [] },
      ],
      zxidsAgree: false,
    };
    writeFileSync(join(dir, 'servers.json'), JSON.stringify(servers));
    expect(await reportCommand(history, {})).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain(
      '<dd id="servers"><ul><li>zk-0: follower, last zxid 0x300000a1; log: null-pointer x2 (java.lang.NullPointerException: x)</li>' +
        '<li>zk-1: leader, last zxid 0x300000a2; log: no error lines</li><li>the serving members report different last zxids</li></ul></dd>',
    );
    writeFileSync(join(dir, 'servers.json'), JSON.stringify({ members: [{ name: 'zk-0' }] }));
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/servers\.json: members\[0\] must have string "name" and "mode"/);
    writeFileSync(join(dir, 'servers.json'), JSON.stringify({ members: [{ name: 'zk-0', mode: 'leader', logFindings: [{ kind: 'npe' }] }] }));
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/servers\.json: members\[0\]\.logFindings\[0\] must have string "kind" and "first" and an integer "count" \(got \{"kind":"npe"\}\)/);
  });

  it("shows how late the harness's event loop ran, and names a malformed workload.json", async () => {
    const history = join(dir, 'history.jsonl');
    writeFileSync(history, HISTORY);
    writeFileSync(join(dir, 'workload.json'), JSON.stringify({ operations: 3, loopDelayMs: { p50: 0.4, p99: 2.7, max: 11.9 } }));
    expect(await reportCommand(history, {})).toBe(0);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<dd id="loop-delay">late by p50 0.4 ms, p99 2.7 ms, max 11.9 ms</dd>');
    writeFileSync(join(dir, 'workload.json'), JSON.stringify({ loopDelayMs: { p50: 0.4, p99: '2.7' } }));
    expect(await reportCommand(history, {})).toBe(3);
    expect(errors.pop()).toMatch(/workload\.json: must be an object with "loopDelayMs"/);
    rmSync(join(dir, 'workload.json'));
    expect(await reportCommand(history, {})).toBe(0);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).not.toContain('id="loop-delay"');
  });

  it('writeReport builds a run folder’s report', async () => {
    writeFileSync(join(dir, 'history.jsonl'), HISTORY);
    expect(await writeReport(dir)).toBe(join(dir, 'report.html'));
  });
});
