import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../harness/checker/index.ts';
import { toOperations } from '../../harness/history/parse.ts';
import type { HistoryEvent } from '../../harness/history/types.ts';
import { bucketize, niceBucketWidth, percentile, type TimedOp } from '../../harness/report/buckets.ts';
import { clip, decodeDeltas, encodeDeltas, StringTable } from '../../harness/report/compact.ts';
import { holdsElement, rowValue, shortValue } from '../../harness/report/describe-op.ts';
import { laneLabel, packLanes } from '../../harness/report/lanes.ts';
import { MIN_AXIS_SPAN_US, missingOps, prepareReportData, suiteOf } from '../../harness/report/prepare-report-data.ts';

const MS = 1_000_000; // ns

describe('bucket width', () => {
  it('is the smallest 1-2-5 width of at least 1 ms that covers the span', () => {
    expect(niceBucketWidth(0, 200)).toBe(1_000);
    expect(niceBucketWidth(200_000, 200)).toBe(1_000); // 0.2 s in 200 buckets of 1 ms
    expect(niceBucketWidth(200_001, 200)).toBe(2_000);
    expect(niceBucketWidth(14_200_000, 200)).toBe(100_000); // 14.2 s → 100 ms
    expect(niceBucketWidth(661_000_000, 200)).toBe(5_000_000); // 11 min → 5 s
  });
});

describe('percentile (nearest rank)', () => {
  const tens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it('picks the value at rank ceil(p/100 * n)', () => {
    expect(percentile(tens, 50)).toBe(5);
    expect(percentile(tens, 95)).toBe(10);
    expect(percentile(tens, 99)).toBe(10);
    expect(percentile(tens, 10)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });
  it('is null for no values', () => {
    expect(percentile([], 50)).toBeNull();
  });
});

describe('bucketize', () => {
  // 2 ms span → 1 ms buckets: [0, 1000) and [1000, 2000].
  const ops: TimedOp[] = [
    { invokeUs: 0, completeUs: 100, outcome: 'ok' },
    { invokeUs: 200, completeUs: 500, outcome: 'ok' },
    { invokeUs: 300, completeUs: 1_200, outcome: 'ok' }, // invoked in bucket 0, completes in bucket 1
    { invokeUs: 400, completeUs: 1_900, outcome: 'fail' },
    { invokeUs: 1_100, completeUs: 2_000, outcome: 'info' }, // the last event falls in the last bucket
    { invokeUs: 1_500, completeUs: null, outcome: 'info' }, // never completed: no throughput, no latency
  ];
  const series = bucketize(ops, 2_000);

  it('sizes the buckets, the last one ending with the run', () => {
    expect(series.widthUs).toBe(1_000);
    expect(series.count).toBe(2);
    expect(series.endUs).toBe(2_000);
  });

  it('counts completions per second by completion time', () => {
    expect(series.throughput.ok).toEqual([2_000, 1_000]);
    expect(series.throughput.fail).toEqual([0, 1_000]);
    expect(series.throughput.info).toEqual([0, 1_000]);
    expect(series.throughput.rejected).toEqual([0, 0]);
  });

  it('gives latency percentiles in ms by invoke time, null where nothing was invoked', () => {
    // ok ops invoked in bucket 0 took 100, 300 and 900 µs.
    expect(series.latency.ok.p50).toEqual([0.3, null]);
    expect(series.latency.ok.p99).toEqual([0.9, null]);
    expect(series.latency.fail.p95).toEqual([1.5, null]);
    expect(series.latency.info.p50).toEqual([null, 0.9]);
  });

  it('rates a last, partial bucket over the part the run covers, and folds a sliver into the bucket before', () => {
    const done = (completeUs: number): TimedOp => ({ invokeUs: completeUs - 10, completeUs, outcome: 'ok' });
    // 2.5 ms: the last bucket covers 0.5 ms, and its one completion is 2,000/s, not 1,000/s.
    const half = bucketize([done(100), done(2_400)], 2_500);
    expect([half.count, half.endUs, half.throughput.ok]).toEqual([3, 2_500, [1_000, 0, 2_000]]);
    // 2.1 ms: the 0.1 ms left joins the second bucket, which then covers 1.1 ms.
    const sliver = bucketize([done(100), done(2_050)], 2_100);
    expect([sliver.count, sliver.endUs, sliver.throughput.ok]).toEqual([2, 2_100, [1_000, round(1e6 / 1_100)]]);
    // One instant: one bucket of the whole width.
    expect(bucketize([done(0)], 0)).toMatchObject({ count: 1, endUs: 1_000, throughput: { ok: [1_000] } });
  });

  it('plots a cas its version refused apart from the failures', () => {
    const refused = bucketize([{ invokeUs: 0, completeUs: 500, outcome: 'fail', rejected: true }, { invokeUs: 0, completeUs: 600, outcome: 'fail' }], 1_000);
    expect(refused.throughput.rejected).toEqual([1_000]);
    expect(refused.throughput.fail).toEqual([1_000]);
    expect(refused.latency.rejected.p50).toEqual([0.5]);
  });
});

const round = (x: number): number => Math.round(x * 1000) / 1000;

describe('compaction', () => {
  it('delta-encodes growing sequences and decodes them back', () => {
    expect(encodeDeltas([10, 12, 15, 15, 40])).toEqual([10, 2, 3, 0, 25]);
    expect(decodeDeltas([10, 2, 3, 0, 25])).toEqual([10, 12, 15, 15, 40]);
    expect(encodeDeltas([])).toEqual([]);
    const times = [5_000, 5_007, 9_123, 9_124, 120_000];
    expect(decodeDeltas(encodeDeltas(times))).toEqual(times);
  });

  it('interns strings, with 0 meaning none for optional ones', () => {
    const table = new StringTable();
    expect(table.indexOf('zk-1')).toBe(0);
    expect(table.indexOf('zk-2')).toBe(1);
    expect(table.indexOf('zk-1')).toBe(0);
    expect(table.optional(undefined)).toBe(0);
    expect(table.optional('zk-2')).toBe(2);
    expect(table.values).toEqual(['zk-1', 'zk-2']);
  });

  it('clips long strings with an ellipsis', () => {
    expect(clip('abcdef', 10)).toBe('abcdef');
    expect(clip('abcdefghijkl', 5)).toBe('abcd…');
  });
});

describe('lanes', () => {
  it('reuses a lane once its process has ended, and opens one for overlapping processes', () => {
    const lanes = packLanes([
      { process: 0, start: 0, end: 100 },
      { process: 1, start: 10, end: 50 },
      { process: 2, start: 60, end: 200 }, // lane 1 is free after 50
      { process: 3, start: 100, end: 300 }, // lane 0 ends at 100, not before: a new lane
      { process: 4, start: 250, end: 260 }, // lane 0 is free again
    ]);
    expect(lanes.count).toBe(3);
    expect([0, 1, 2, 3, 4].map((p) => lanes.laneOf.get(p))).toEqual([0, 1, 1, 2, 0]);
    expect(lanes.members).toEqual([[0, 4], [1, 2], [3]]);
  });

  it('labels lanes by their processes', () => {
    expect(laneLabel([3])).toBe('p3');
    expect(laneLabel([3, 9])).toBe('p3 p9');
    expect(laneLabel([3, 9, 12, 20])).toBe('p3 +3');
  });
});

/** Events with times in ms from 1000 ms; `index` is the position. */
function history(lines: Omit<HistoryEvent, 'index' | 'time'>[], timesMs: number[]): HistoryEvent[] {
  return lines.map((line, index) => ({ index, time: (1_000 + timesMs[index]!) * MS, ...line }));
}

describe('prepareReportData', () => {
  // p0: add a (ok), then add b (ok, lost); p1: cas fails, then a write that never completes;
  // p2: read-set info; p3 (fresh session): final read missing b.
  const events = history(
    [
      { type: 'invoke', process: 0, f: 'add', key: 's', value: 'a' },
      { type: 'invoke', process: 1, f: 'cas', key: 'r', value: ['v0', 'v1'] },
      { type: 'ok', process: 0, f: 'add', key: 's', value: 'a', server: 'zk-0' },
      { type: 'fail', process: 1, f: 'cas', key: 'r', value: ['v0', 'v1'], server: 'zk-1', error: 'BAD_VERSION' },
      { type: 'invoke', process: 0, f: 'add', key: 's', value: 'b' },
      { type: 'invoke', process: 2, f: 'read-set', key: 's', value: null },
      { type: 'ok', process: 0, f: 'add', key: 's', value: 'b', server: 'zk-0' },
      { type: 'info', process: 2, f: 'read-set', key: 's', value: null, error: 'CONNECTION_LOSS' },
      { type: 'invoke', process: 1, f: 'write', key: 'r', value: 'v2' },
      { type: 'invoke', process: 3, f: 'read-set', key: 's', value: null },
      { type: 'ok', process: 3, f: 'read-set', key: 's', value: ['a'], server: 'zk-2' },
    ],
    [0, 1, 2, 3, 4, 4.5, 6, 9, 10, 11, 12],
  );
  const ops = toOperations(events);
  const verdict: Pick<Verdict, 'validity' | 'anomalies' | 'unknownKeys'> = {
    validity: 'invalid',
    anomalies: [{ type: 'lost', key: 's', element: 'b', explanation: "'b' was acknowledged ...", ops: [4, 9] }],
    unknownKeys: [],
  };
  const base = { faults: [], kubeEvents: [], run: { runName: 'r', suite: 'r', seed: null, historyFile: 'h' } };
  const model = prepareReportData({
    events,
    ops,
    verdict,
    faults: [{ name: 'kill-jvm', detail: 'zk-1', start: 1_003 * MS, end: 1_008 * MS }, { name: 'pause', detail: 'zk-0', start: 1_010 * MS }],
    kubeEvents: [
      { time: 1_020 * MS, source: 'pod/zk-1', kind: 'ready', detail: 'Ready=True' },
      { time: 1_005 * MS, source: 'pod/zk-1', kind: 'restart', detail: 'restarted' },
    ],
    run: { runName: 'docker-kill-jvm-2025-01-02T03-04-05-678Z', suite: 'docker-kill-jvm', seed: '42', historyFile: 'runs/h.jsonl' },
  });

  it('puts times in µs since the first event', () => {
    expect(model.originNs).toBe(1_000 * MS);
    expect(model.durationUs).toBe(12_000);
    expect(model.axis).toEqual({ minUs: 0, maxUs: 20_000 }); // widened to the last Kubernetes event
  });

  it('writes operations as delta-encoded numeric columns in invoke order', () => {
    expect(decodeDeltas(model.ops.id)).toEqual([0, 1, 4, 5, 8, 9]);
    expect(decodeDeltas(model.ops.t)).toEqual([0, 1_000, 4_000, 4_500, 10_000, 11_000]);
    // The info read-set ends at its completion event; the write never completed.
    expect(model.ops.d).toEqual([2_000, 2_000, 2_000, 4_500, -1, 1_000]);
    expect(model.ops.p).toEqual([0, 1, 0, 2, 1, 3]);
    const code = (f: string, outcome: number) => model.dict.f.indexOf(f) * 3 + outcome;
    expect(model.ops.c).toEqual([code('add', 0), code('cas', 1), code('add', 0), code('read-set', 2), code('write', 2), code('read-set', 0)]);
    expect(model.ops.k.map((k) => model.dict.keys[k])).toEqual(['s', 'r', 's', 's', 'r', 's']);
    expect(model.ops.s.map((s) => (s === 0 ? null : model.dict.servers[s - 1]))).toEqual(['zk-0', 'zk-1', 'zk-0', null, null, 'zk-2']);
    expect(model.ops.e.map((e) => (e === 0 ? null : model.dict.errors[e - 1]))).toEqual([null, 'BAD_VERSION', null, 'CONNECTION_LOSS', null, null]);
    expect(model.ops.v).toEqual(['a', 'v0→v1', 'b', '', 'v2', '1 element']);
  });

  it('counts operations by outcome and function', () => {
    expect(model.counts).toEqual({
      operations: 6,
      byOutcome: { ok: 3, fail: 1, info: 2 },
      casRejected: 1, // the failed cas was refused by its comparison (BAD_VERSION): an observation
      byFunction: { add: 2, cas: 1, 'read-set': 2, write: 1 },
      neverCompleted: 1,
      keys: 2,
      processes: 4,
    });
  });

  it('packs processes into lanes: the final reader reuses the lane of a finished one', () => {
    // p0 [0, 6], p1 [1, 12] (its write runs to the end), p2 [4.5, 9], p3 [11, 12].
    const laneOf = Object.fromEntries(model.lanes.processes.map((p, i) => [p, model.lanes.lanes[i]]));
    expect(laneOf).toEqual({ 0: 0, 1: 1, 2: 2, 3: 0 });
    expect(model.lanes.labels).toEqual(['p0 p3', 'p1', 'p2']);
  });

  it('shows each anomaly with its operations as rows', () => {
    const [anomaly] = model.verdict.anomalies;
    expect(anomaly).toMatchObject({ type: 'lost', key: 's', element: 'b' });
    expect(anomaly!.ops).toEqual([
      { id: 4, process: 0, f: 'add', key: 's', value: "'b'", invokeUs: 4_000, completeUs: 6_000, outcome: 'ok', server: 'zk-0', error: null, holdsElement: null },
      { id: 9, process: 3, f: 'read-set', key: 's', value: "1 element; 'b' absent", invokeUs: 11_000, completeUs: 12_000, outcome: 'ok', server: 'zk-2', error: null, holdsElement: false },
    ]);
  });

  it('asks for the element only of the rows on the anomaly\'s key (a session\'s read elsewhere is shown as itself)', () => {
    const crossing = history(
      [
        { type: 'invoke', process: 0, f: 'read-set', key: 't', value: null },
        { type: 'ok', process: 0, f: 'read-set', key: 't', value: ['x'], server: 'zk-0' },
        { type: 'invoke', process: 0, f: 'read-set', key: 's', value: null },
        { type: 'ok', process: 0, f: 'read-set', key: 's', value: [], server: 'zk-0' },
      ],
      [0, 1, 2, 3],
    );
    const stale = { type: 'stale-read-in-session' as const, key: 's', element: 'b', explanation: '...', ops: [0, 2] };
    const rows = prepareReportData({ ...base, events: crossing, ops: toOperations(crossing), verdict: { validity: 'invalid', anomalies: [stale], unknownKeys: [] } }).verdict.anomalies[0]!.ops;
    expect(rows.map((r) => [r.key, r.value, r.holdsElement])).toEqual([
      ['t', '1 element: \'x\'', null],
      ['s', "0 elements; 'b' absent", false],
    ]);
  });

  it('places faults and Kubernetes events on the same axis', () => {
    expect(model.faults).toEqual([
      { name: 'kill-jvm', detail: 'zk-1', startUs: 3_000, endUs: 8_000 },
      { name: 'pause', detail: 'zk-0', startUs: 10_000, endUs: null },
    ]);
    expect(model.kube.map((e) => [e.timeUs, e.kind])).toEqual([[5_000, 'restart'], [20_000, 'ready']]);
  });

  it('says how to rerun', () => {
    expect(model.run.rerun[0]).toMatch(/^ZK_CHAOS_SEED=42 /);
    expect(model.run.rerun[1]).toBe('npx zk-chaos check runs/h.jsonl');
  });

  it('notices a verdict that names operations the history does not hold', () => {
    expect(missingOps(verdict, ops)).toEqual([]);
    expect(missingOps({ ...verdict, anomalies: [{ ...verdict.anomalies[0]!, ops: [4, 7, 99] }] }, ops)).toEqual([7, 99]);
  });

  it('handles an empty history', () => {
    const empty = prepareReportData({ events: [], ops: [], verdict: { validity: 'valid', anomalies: [], unknownKeys: [] }, faults: [], kubeEvents: [], run: { runName: 'r', suite: 'r', seed: null, historyFile: 'h' } });
    expect(empty.durationUs).toBe(0);
    expect(empty.lanes.count).toBe(0);
    expect(empty.buckets.count).toBe(1);
    expect(empty.run.rerun).toEqual(['npx zk-chaos check h']);
    expect(empty.axis).toEqual({ minUs: 0, maxUs: MIN_AXIS_SPAN_US });
  });

  it('gives a lone operation that never completed an axis with room for its bar', () => {
    const lone = history([{ type: 'invoke', process: 7, f: 'write', key: 'r', value: 'v0' }], [5]);
    const data = prepareReportData({ ...base, events: lone, ops: toOperations(lone), verdict: { validity: 'unknown', anomalies: [], unknownKeys: [] } });
    expect(data.durationUs).toBe(0);
    expect(data.ops.d).toEqual([-1]); // drawn to the axis's end
    expect(data.axis).toEqual({ minUs: 0, maxUs: MIN_AXIS_SPAN_US });
    expect(data.axis.maxUs).toBeGreaterThan(data.axis.minUs);
  });
});

describe('values in words', () => {
  // A cas from an absent znode has expected = null (the value type has no room for it yet).
  const casValue = [null, 'v1'] as unknown as HistoryEvent['value'];
  const ops = toOperations(
    history(
      [
        { type: 'invoke', process: 0, f: 'cas', key: 'r', value: casValue },
        { type: 'ok', process: 0, f: 'cas', key: 'r', value: casValue },
        { type: 'invoke', process: 0, f: 'read', key: 'r', value: null },
        { type: 'ok', process: 0, f: 'read', key: 'r', value: null },
        { type: 'invoke', process: 0, f: 'read-set', key: 's', value: null },
        { type: 'ok', process: 0, f: 'read-set', key: 's', value: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] },
      ],
      [0, 1, 2, 3, 4, 5],
    ),
  );
  const [cas, read, readSet] = [ops[0]!, ops[1]!, ops[2]!];

  it('describes cas, reads of absent znodes and large read-sets', () => {
    expect(rowValue(cas, null)).toBe("absent (null) → 'v1'");
    expect(shortValue(cas)).toBe('absent→v1');
    expect(rowValue(read, null)).toBe('absent (null)');
    expect(shortValue(read)).toBe('absent');
    expect(rowValue(readSet, null)).toBe("7 elements: 'a', 'b', 'c', 'd', 'e', 'f', …");
    expect(rowValue(readSet, 'c')).toBe("7 elements; 'c' present");
    expect(holdsElement(readSet, 'z')).toBe(false);
    expect(holdsElement(read, 'z')).toBeNull();
  });
});

describe('suiteOf', () => {
  it('drops the timestamp test-run.ts appends to run ids', () => {
    expect(suiteOf('docker-kill-jvm-2025-11-24T17-00-00-000Z')).toBe('docker-kill-jvm');
    expect(suiteOf('my-run')).toBe('my-run');
  });
});
