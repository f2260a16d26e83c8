import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../harness/report/model.ts';
import { prepareReportData, type ReportVerdict } from '../../harness/report/prepare-report-data.ts';
import { parseFaults, parseClusterEvents, parseSeed, parseVerdict, ReportInputError } from '../../harness/report/read-run.ts';
import { embedJson, embedScript, loadAssets, renderHtml } from '../../harness/report/render-html.ts';

const ASSETS = { library: '/* lib */', client: '/* client */', css: '/* css */' };

function model(overrides: { explanation?: string; key?: string; verdict?: ReportVerdict } = {}): ReportModel {
  const key = overrides.key ?? 's';
  return prepareReportData({
    events: [
      { index: 0, type: 'invoke', process: 0, f: 'add', key, value: 'x', time: 1_000 },
      { index: 1, type: 'ok', process: 0, f: 'add', key, value: 'x', time: 2_000 },
      { index: 2, type: 'invoke', process: 1, f: 'read-set', key, value: null, time: 3_000 },
      { index: 3, type: 'ok', process: 1, f: 'read-set', key, value: [], time: 4_000 },
    ],
    ops: [
      { id: 0, process: 0, f: 'add', key, input: 'x', output: 'x', outcome: 'ok', invokeTime: 1_000, completeTime: 2_000, completionIndex: 1 },
      { id: 2, process: 1, f: 'read-set', key, input: null, output: [], outcome: 'ok', invokeTime: 3_000, completeTime: 4_000, completionIndex: 3 },
    ],
    verdict: overrides.verdict ?? {
      validity: 'invalid',
      anomalies: [{ type: 'lost', key, element: 'x', explanation: overrides.explanation ?? "'x' is lost", ops: [0, 2] }],
      unknownKeys: [],
    },
    faults: [],
    kubeEvents: [],
    run: { runName: 'run-1', suite: 'run', seed: '7', historyFile: 'history.jsonl' },
  });
}

describe('embedding', () => {
  it('keeps JSON from closing its script element, and reads back the same', () => {
    const value = { text: '</script><script>alert(1)</script><!-- x', n: [1, 2] };
    const embedded = embedJson(value);
    expect(embedded).not.toMatch(/<\/script/i);
    expect(embedded).not.toContain('<!--');
    expect(JSON.parse(embedded)).toEqual(value);
  });

  it('keeps script text from closing its element', () => {
    expect(embedScript('var s = "</script>"; var t = "</SCRIPT >";')).toBe('var s = "<\\/script>"; var t = "<\\/SCRIPT >";');
  });
});

describe('renderHtml', () => {
  it('shows the verdict, the anomaly and its operations as plain HTML', () => {
    const html = renderHtml(model(), ASSETS);
    expect(html).toContain('<div class="verdict" id="verdict">INVALID</div>');
    expect(html).toContain('<body class="verdict-invalid">');
    expect(html).toContain('ZK_CHAOS_SEED=7 ');
    expect(html).toContain('<tr data-op="0" class="outcome-ok">');
    expect(html).toContain('<tr data-op="2" class="outcome-ok">');
    expect(html).toContain('0 elements; &#39;x&#39; absent');
  });

  it('leads with a reason that holds for the whole run (an interruption), and lists only keys as undecided', () => {
    const interrupted = { key: '', reason: 'the run was interrupted (SIGINT during the suites) before it finished' };
    const unknown = renderHtml(model({ verdict: { validity: 'unknown', anomalies: [], unknownKeys: [interrupted, { key: 'r', reason: 'search budget exhausted' }] } }), ASSETS);
    expect(unknown).toContain('<p>The run was interrupted (SIGINT during the suites) before it finished. 1 key could not be decided; no anomaly found.</p>');
    expect(unknown).toContain('<li><code>r</code>: search budget exhausted</li>');
    expect(unknown).not.toContain('<li><code></code>');
    expect(unknown).toContain('<div class="verdict" id="verdict">UNKNOWN (INTERRUPTED)</div>');
    const stopped = renderHtml(model({ verdict: { validity: 'unknown', anomalies: [], unknownKeys: [{ key: '', reason: 'the harness stopped (the history could not be written)' }] } }), ASSETS);
    expect(stopped).toContain('<div class="verdict" id="verdict">UNKNOWN (HARNESS FAILED)</div>');

    const onlyRunWide = renderHtml(model({ verdict: { validity: 'unknown', anomalies: [], unknownKeys: [interrupted] } }), ASSETS);
    expect(onlyRunWide).toContain('<p>The run was interrupted (SIGINT during the suites) before it finished. No anomaly found.</p>');
    expect(onlyRunWide).not.toContain('Undecided keys');

    const lost = { type: 'lost' as const, key: 's', element: 'x', explanation: "'x' is lost", ops: [0, 2] };
    const invalid = renderHtml(model({ verdict: { validity: 'invalid', anomalies: [lost], unknownKeys: [interrupted] } }), ASSETS);
    expect(invalid).toContain('<p>The run was interrupted (SIGINT during the suites) before it finished. 1 anomaly found.</p>');
    // What was recorded already proves an anomaly: invalid, whatever cut the run short.
    expect(invalid).toContain('<div class="verdict" id="verdict">INVALID</div>');
  });

  it('escapes what the history and the verdict say', () => {
    const html = renderHtml(model({ explanation: '<img src=x onerror=alert(1)>', key: '<b>k</b>' }), ASSETS);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>k</b>');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('inlines everything: no src or href pointing anywhere', () => {
    const html = renderHtml(model(), loadAssets());
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*\shref=/i);
    expect(html).not.toMatch(/@import/);
    // The library and the client script are inside.
    expect(html).toContain('echarts');
    expect(html).toContain('zk-report:start');
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
    expect(JSON.parse(data![1]!).verdict.validity).toBe('invalid');
  });
});

describe('reading the run folder', () => {
  it('pairs fault start and end lines into windows; an unhealed fault has no end', () => {
    const text = [
      '{"event":"start","name":"kill-jvm","detail":"zk-1","start":100}',
      '{"event":"start","name":"pause","detail":"zk-0","start":500}',
      '{"event":"end","name":"kill-jvm","detail":"zk-1","start":100,"end":300}',
      '',
    ].join('\n');
    expect(parseFaults(text, 'faults.jsonl')).toEqual([
      { name: 'kill-jvm', detail: 'zk-1', start: 100, end: 300 },
      { name: 'pause', detail: 'zk-0', start: 500 },
    ]);
  });

  it('names the file and the line of a bad fault or event line', () => {
    expect(() => parseFaults('{"event":"start","name":"a","detail":"","start":1}\n{"event":"stop"}\n', 'f.jsonl')).toThrow(
      'f.jsonl:2: "event" must be "start" or "end" (got "stop")',
    );
    expect(() => parseFaults('not json\n', 'f.jsonl')).toThrow(/^f\.jsonl:1: not valid JSON/);
    expect(() => parseClusterEvents('{"time":1,"source":"pod/zk-0","kind":"ready"}\n', 'events.jsonl')).toThrow(
      'events.jsonl:1: "detail" must be a string (got nothing)',
    );
    const error = (() => {
      try {
        parseClusterEvents('\n\n{"time":"soon"}', 'e.jsonl');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ReportInputError);
    expect(error).toMatchObject({ file: 'e.jsonl', line: 3 });
  });

  it('reads Kubernetes events', () => {
    expect(parseClusterEvents('{"time":5,"source":"pod/zk-0","kind":"evicted","detail":"drained"}\n', 'e')).toEqual([
      { time: 5, source: 'pod/zk-0', kind: 'evicted', detail: 'drained' },
    ]);
  });

  it('reads the seed and the verdict, and says what is wrong with them', () => {
    expect(parseSeed('123\n', 'seed')).toBe('123');
    expect(() => parseSeed('abc', 'seed')).toThrow('seed:1: the seed must be a non-negative integer (got "abc")');
    const verdict = { validity: 'unknown', anomalies: [], unknownKeys: [{ key: 'r', reason: 'budget' }], stats: {} };
    expect(parseVerdict(JSON.stringify(verdict), 'v.json')).toEqual({ validity: 'unknown', anomalies: [], unknownKeys: [{ key: 'r', reason: 'budget' }] });
    // A validity its own lists contradict is refused: a report would head a listed loss with VALID.
    const loss = { type: 'lost', key: 's', explanation: 'e', ops: [1] };
    expect(() => parseVerdict(JSON.stringify({ validity: 'valid', anomalies: [loss], unknownKeys: [] }), 'v.json')).toThrow(
      'v.json: "validity" is "valid" but the file lists 1 anomaly and 0 unknown keys, which make it invalid (delete verdict.json to recompute it)',
    );
    expect(() => parseVerdict(JSON.stringify({ ...verdict, validity: 'valid' }), 'v.json')).toThrow(/"validity" is "valid" but .* make it unknown/);
    expect(() => parseVerdict('{"validity":"invalid","anomalies":[]}', 'v.json')).toThrow(/"validity" is "invalid" but the file lists 0 anomalies and 0 unknown keys, which make it valid/);
    expect(parseVerdict(JSON.stringify({ validity: 'invalid', anomalies: [loss], unknownKeys: [{ key: '', reason: 'interrupted' }] }), 'v.json').validity).toBe('invalid');
    expect(() => parseVerdict('{"validity":"maybe","anomalies":[]}', 'v.json')).toThrow('v.json: "validity" must be one of valid, invalid, unknown (got "maybe")');
    expect(() => parseVerdict('{"validity":"invalid","anomalies":[{"type":"lost","key":"s","explanation":"e","ops":["x"]}]}', 'v.json')).toThrow(
      'v.json: anomalies[0].ops must be an array of operation ids',
    );
    expect(() => parseVerdict('{', 'v.json')).toThrow(/^v\.json: not valid JSON/);
  });
});
