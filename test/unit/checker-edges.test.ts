import { describe, expect, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { HistoryFormatError, parseHistory, toOperations } from '../../harness/history/parse.ts';
import type { Operation } from '../../harness/history/types.ts';
import { HistoryBuilder } from './history-builder.ts';

/**
 * Histories nobody here wrote used to get wrong or no verdicts from the checker: false alarms,
 * crashes, valid on a history that checks nothing. Each case below failed before it was fixed.
 */

const types = (ops: Operation[]): string[] => check(ops).anomalies.map((a) => a.type);

describe('a failed cas is a read only when its comparison failed', () => {
  const history = (error: string): HistoryBuilder => {
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.cas(2, 'r', 'a', 'b', 'fail', undefined, error);
    h.read(1, 'r', 'a');
    return h;
  };

  it('a cas that was never compared (NOT_CONNECTED, or thrown before sending) constrains nothing', () => {
    expect(check(history('NOT_CONNECTED').ops()).validity).toBe('valid');
    expect(check(history('Error: client is closed').ops()).validity).toBe('valid');
  });

  it('a cas refused by its comparison (BAD_VERSION) says the register held something else', () => {
    expect(check(history('BAD_VERSION').ops()).validity).toBe('invalid');
  });

  it('but not when the value it expected was written twice: ZooKeeper compares versions, and the value came back under another', () => {
    // a (version 0), b, a again (version 2); a cas naming version 0 is refused while the register holds 'a'.
    const h = new HistoryBuilder();
    h.write(1, 'r', 'a');
    h.write(2, 'r', 'b');
    h.write(2, 'r', 'a');
    h.cas(1, 'r', 'a', 'c', 'fail', undefined, 'KeeperException: BAD_VERSION');
    h.read(1, 'r', 'a');
    expect(check(h.ops()).validity).toBe('valid');
  });

  it('a second writer is any write or cas that may have happened: a cas counts, a failed write does not', () => {
    const refused = (second: (h: HistoryBuilder) => void): string => {
      const h = new HistoryBuilder();
      h.write(1, 'r', 'a');
      second(h);
      h.cas(1, 'r', 'a', 'c', 'fail', undefined, 'BAD_VERSION');
      h.read(1, 'r', 'a');
      return check(h.ops()).validity;
    };
    // A cas from 'a' to 'a' wrote it again, under a new version: the refusal says nothing.
    expect(refused((h) => h.cas(2, 'r', 'a', 'a'))).toBe('valid');
    // A failed write of 'a' did not happen: 'a' has one version, and the register held another.
    expect(refused((h) => h.write(2, 'r', 'a', 'fail'))).toBe('invalid');
  });
});

// Large histories: the timeout is a guard against a hang, not a speed goal (npm run bench has those).
describe('a crash is never a verdict: arrays of any size', { timeout: 120_000 }, () => {
  it('200,000 writes of one value and a read of it: valid', () => {
    const ops: Operation[] = [];
    let t = 0;
    for (let i = 0; i < 200_000; i++, t += 10) {
      ops.push({ id: i, process: i % 4, f: 'write', key: 'r', input: 'x', output: 'x', outcome: 'ok', invokeTime: t, completeTime: t + 5 });
    }
    ops.push({ id: 200_000, process: 9, f: 'read', key: 'r', input: null, output: 'x', outcome: 'ok', invokeTime: t, completeTime: t + 5 });
    expect(check(ops).validity).toBe('valid');
  });

  it('125,000 acknowledged adds missing from the final read: invalid, each one named', () => {
    const ops: Operation[] = [];
    let t = 0;
    for (let i = 0; i < 125_000; i++, t += 10) {
      ops.push({ id: i, process: i % 8, f: 'add', key: 's', input: `e${i}`, output: `e${i}`, outcome: 'ok', invokeTime: t, completeTime: t + 5 });
    }
    ops.push({ id: 125_000, process: 9, f: 'read-set', key: 's', input: null, output: [], outcome: 'ok', invokeTime: t, completeTime: t + 5, final: true });
    const verdict = check(ops);
    expect(verdict.validity).toBe('invalid');
    expect(verdict.anomalies.filter((a) => a.type === 'lost')).toHaveLength(125_000);
  });

  it('a phantom value read 80,000 times is one anomaly naming every read', () => {
    const ops: Operation[] = [];
    let t = 0;
    ops.push({ id: 0, process: 0, f: 'write', key: 'r', input: 'a', output: 'a', outcome: 'ok', invokeTime: t, completeTime: t + 5 });
    for (let i = 1; i <= 80_000; i++, t += 10) {
      ops.push({ id: i, process: i % 6, f: 'read', key: 'r', input: null, output: `ghost${i % 2}`, outcome: 'ok', invokeTime: t + 10, completeTime: t + 15 });
    }
    const phantoms = check(ops).anomalies.filter((a) => a.type === 'phantom-value');
    expect(phantoms.map((a) => a.element).sort()).toEqual(['ghost0', 'ghost1']);
    expect(phantoms[0]?.ops).toHaveLength(40_000);
  });
});

describe('unknown when nothing was checked', () => {
  it('an empty history', () => {
    const verdict = check([]);
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys).toEqual([{ key: '', reason: expect.stringContaining('no operations') }]);
  });

  it('a history of invokes only', () => {
    const h = new HistoryBuilder();
    h.invoke(1, 'add', 's', 'a');
    h.invoke(2, 'write', 'r', 'x');
    h.invoke(3, 'read-set', 's');
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys.map((u) => u.key).sort()).toEqual(['r', 's']);
  });

  it('a set with acknowledged adds and no ok final read', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.invoke(2, 'read-set', 's');
    h.fail(2);
    expect(check(h.ops()).validity).toBe('unknown');
  });

  it('a set whose every final read is indeterminate', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.readSet(3, 's', ['a']); // not final: not marked, and the history marks its finals
    h.invoke(2, 'read-set', 's');
    h.events.at(-1)!.final = true;
    h.info(2);
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys[0]?.reason).toContain('none of its 1 final read-set succeeded (1 indeterminate)');
  });
});

describe('a history that marks its reads and made no final read (a run cut short before them)', () => {
  // Process 2 reads through a follower that has not yet applied process 1's acknowledged add, as
  // ZooKeeper allows; it is the last read, invoked after every add completed.
  const history = (marks: boolean): HistoryBuilder => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.readSet(1, 's', ['a']);
    if (marks) h.events.at(-2)!.final = false;
    h.readSet(2, 's', []);
    if (marks) h.events.at(-2)!.final = false;
    h.invoke(1, 'add', 's', 'b'); // cut short here
    return h;
  };

  it('takes no ordinary read as final: unknown, with the reason, not a lost add', () => {
    const verdict = check(history(true).ops());
    expect(verdict.validity).toBe('unknown');
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.unknownKeys[0]?.reason).toContain('its 2 read-sets are marked not final ("final": false) and none final');
  });

  it('without marks the last read invoked after every add is inferred final, and lacks the add', () => {
    expect(types(history(false).ops())).toEqual(['lost']);
  });
});

describe('each key is checked alone, by its kind', () => {
  it('a key with both set and register operations is unknown, naming them; the other keys are still checked', () => {
    const h = new HistoryBuilder();
    h.write(2, 'm', 'x'); // before the add: the reason names the functions sorted
    h.add(1, 'm', 'a');
    h.add(1, 's', 'a');
    h.readSet(2, 's', []); // lost 'a', invoked after its add was acknowledged
    const verdict = check(h.ops());
    expect(verdict.unknownKeys).toEqual([{ key: 'm', reason: expect.stringContaining('mixes set and register operations (add, write)') }]);
    expect(verdict.anomalies.map((a) => [a.type, a.key])).toEqual([['lost', 's']]);
    expect(verdict.stats).toMatchObject({ keys: 2, setKeys: 1, registerKeys: 0, byFunction: { add: 2, write: 1, 'read-set': 1 } });
  });

  it('counts each outcome and each function, functions in the order they first appear', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.add(1, 's', 'b', 'fail');
    h.add(1, 's', 'c', 'info');
    h.write(2, 'r', 'x', 'fail');
    h.cas(3, 'r', 'x', 'y', 'info');
    h.readSet(4, 's', ['a']);
    h.invoke(5, 'read', 'r'); // never completes: indeterminate
    const verdict = check(h.ops());
    expect(verdict.stats.operations).toBe(7);
    expect(verdict.stats.byOutcome).toEqual({ ok: 2, fail: 2, info: 3 });
    expect(Object.entries(verdict.stats.byFunction)).toEqual([['add', 3], ['write', 1], ['cas', 1], ['read-set', 1], ['read', 1]]);
  });

  it('keys whose operations interleave are grouped apart, each in its history order', () => {
    const h = new HistoryBuilder();
    for (let i = 0; i < 50; i++) {
      h.write(1, 'r', `v${i}`);
      h.add(2, `s${i % 3}`, `e${i}`);
      h.read(3, 'r', `v${i}`);
    }
    for (let k = 0; k < 3; k++) h.readSet(4, `s${k}`, Array.from({ length: 50 }, (_, i) => `e${i}`).filter((_, i) => i % 3 === k));
    const valid = check(h.ops());
    expect(valid.validity).toBe('valid');
    expect(valid.stats).toMatchObject({ keys: 4, setKeys: 3, registerKeys: 1, explainedKeys: 0, witnessKeys: 0, searchedKeys: 1 });
    expect(valid.stats.searchStates).toBeGreaterThan(0);
    // The same history with one read gone back in time: found on its key, and only there.
    const stale = new HistoryBuilder();
    for (let i = 0; i < 50; i++) {
      stale.write(1, 'r', `v${i}`);
      stale.add(2, `s${i % 3}`, `e${i}`);
      stale.read(3, 'r', i === 40 ? 'v38' : `v${i}`);
    }
    for (let k = 0; k < 3; k++) stale.readSet(4, `s${k}`, Array.from({ length: 50 }, (_, i) => `e${i}`).filter((_, i) => i % 3 === k));
    const invalid = check(stale.ops());
    expect(invalid.validity).toBe('invalid');
    expect(new Set(invalid.anomalies.map((a) => a.key))).toEqual(new Set(['r']));
    expect(invalid.stats).toMatchObject({ explainedKeys: 1, witnessKeys: 0, searchedKeys: 0, searchStates: 0 });
  });
});

describe('what a read saw was committed', () => {
  it('an indeterminate add that a read returned must be in the final read', () => {
    const h = new HistoryBuilder();
    const add = h.add(1, 's', 'a', 'info');
    const saw = h.readSet(2, 's', ['a']);
    const final = h.readSet(3, 's', []);
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('invalid');
    expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'lost', element: 'a', ops: [saw, final] })]);
    expect(add).toBeLessThan(saw);
  });

  it('a read showing a later acknowledged add without an earlier one, in any session', () => {
    const h = new HistoryBuilder();
    const first = h.add(1, 's', 'a');
    const second = h.add(2, 's', 'b'); // invoked after a was acknowledged
    const skewed = h.readSet(3, 's', ['b']);
    h.readSet(4, 's', ['a', 'b']);
    const verdict = check(h.ops());
    expect(verdict.anomalies).toEqual([
      expect.objectContaining({ type: 'skipped-write', element: 'a', ops: [first, second, skewed] }),
    ]);
  });

  it('a read showing one of two concurrent adds is fine', () => {
    const h = new HistoryBuilder();
    h.invoke(1, 'add', 's', 'a');
    h.invoke(2, 'add', 's', 'b');
    h.ok(1);
    h.ok(2);
    h.readSet(3, 's', ['b']);
    h.readSet(4, 's', ['a', 'b']);
    expect(check(h.ops()).validity).toBe('valid');
  });
});

describe('the final read is chosen by meaning, not by completion time', () => {
  it('a slow stale read invoked before the last add completed is not final', () => {
    const h = new HistoryBuilder();
    h.invoke(9, 'read-set', 's'); // a worker's read, stuck on a lagging follower
    h.add(1, 's', 'a');
    h.readSet(2, 's', ['a']); // the real final read
    h.ok(9, []); // completes last, empty
    expect(check(h.ops()).validity).toBe('valid');
  });

  it('marked final reads are the ones that count', () => {
    const h = new HistoryBuilder();
    h.add(1, 's', 'a');
    h.invoke(2, 'read-set', 's');
    h.events.at(-1)!.final = true;
    const final = h.ok(2, []);
    h.readSet(3, 's', ['a']); // later, unmarked: a follower's read, not the final one
    const verdict = check(h.ops());
    expect(verdict.anomalies).toEqual([expect.objectContaining({ type: 'lost', element: 'a', ops: [0, final] })]);
  });
});

describe('session order binds every kind of operation, also at equal timestamps', () => {
  it('a write invoked at the nanosecond its session\'s previous write completed still follows it', () => {
    // Process 1 writes a then b, the second invoked at the very time the first completed. Process 2
    // then reads b and later a: its session went back in time. Real time alone would leave the two
    // writes unordered and let the order b, a explain it.
    const events = [
      { type: 'invoke', process: 1, time: 10, f: 'write', value: 'a' },
      { type: 'ok', process: 1, time: 20, f: 'write', value: 'a' },
      { type: 'invoke', process: 1, time: 20, f: 'write', value: 'b' },
      { type: 'ok', process: 1, time: 30, f: 'write', value: 'b' },
      { type: 'invoke', process: 2, time: 40, f: 'read', value: null },
      { type: 'ok', process: 2, time: 50, f: 'read', value: 'b' },
      { type: 'invoke', process: 2, time: 60, f: 'read', value: null },
      { type: 'ok', process: 2, time: 70, f: 'read', value: 'a' },
    ].map((e, index) => JSON.stringify({ index, key: 'r', ...e }));
    const ops = toOperations(parseHistory(events.join('\n'), 'h.jsonl'));
    expect(check(ops).validity).toBe('invalid');
  });
});

describe('what the format forbids is rejected with the line', () => {
  const parse = (lines: object[]): unknown => parseHistory(lines.map((l, index) => JSON.stringify({ index, key: 'r', ...l })).join('\n'), 'h.jsonl');

  it('time going backwards within a process', () => {
    expect(() =>
      parse([
        { type: 'invoke', process: 1, time: 100, f: 'write', value: 'a' },
        { type: 'ok', process: 1, time: 200, f: 'write', value: 'a' },
        { type: 'invoke', process: 1, time: 150, f: 'read', value: null },
      ]),
    ).toThrow(/h\.jsonl:3: "time" 150 is earlier than the completion of process 1's previous operation \(line 2, time 200\)/);
  });

  it('a bare "0x" zxid', () => {
    const attempt = (): unknown =>
      parse([
        { type: 'invoke', process: 1, time: 1, f: 'write', value: 'a' },
        { type: 'ok', process: 1, time: 2, f: 'write', value: 'a', zxid: '0x' },
      ]);
    expect(attempt).toThrow(HistoryFormatError);
    expect(attempt).toThrow(/h\.jsonl:2: "zxid" must be a hex string/);
  });

  it('a final mark on anything but a read', () => {
    expect(() => parse([{ type: 'invoke', process: 1, time: 1, f: 'write', value: 'a', final: true }])).toThrow(
      /h\.jsonl:1: "final" marks a read or read-set, not a write/,
    );
  });
});

describe('the zxid fast path runs on the harness\'s own histories', () => {
  it('a create recorded without zxid (version 0) and reads with zxids: decided by the witness', () => {
    const h = new HistoryBuilder();
    h.invoke(1, 'write', 'r', 'a');
    h.ok(1, undefined, { version: 0 }); // create: no stat, so no zxid
    h.read(2, 'r', 'a', '0x100000002');
    h.write(1, 'r', 'b', 'ok', '0x100000003');
    h.read(2, 'r', 'b', '0x100000003');
    const verdict = check(h.ops());
    expect(verdict.validity).toBe('valid');
    expect(verdict.stats).toMatchObject({ witnessKeys: 1, searchedKeys: 0 });
  });

  it('a create whose value nobody read still comes first', () => {
    const h = new HistoryBuilder();
    h.invoke(1, 'write', 'r', 'a');
    h.ok(1, undefined, { version: 0 });
    h.write(1, 'r', 'b', 'ok', '0x100000003');
    h.read(2, 'r', 'b', '0x100000003');
    expect(check(h.ops()).stats).toMatchObject({ witnessKeys: 1, searchedKeys: 0 });
  });
});

describe('set histories the format allows and the harness never writes', () => {
  // Events of key "s" as short tuples: [process, type, time, f, value?, final?].
  type Ev = [number, string, number, string, unknown?, boolean?];
  const verdictOf = (events: Ev[]) =>
    check(toOperations(parseHistory(events.map(([process, type, time, f, value = null, final], index) => JSON.stringify({ index, type, process, time, f, key: 's', value, ...(final === undefined ? {} : { final }) })).join('\n'), 'h.jsonl')));

  it('a failed or unfinished read-set shows nothing, even with elements on its completion', () => {
    const failed = verdictOf([[0, 'invoke', 0, 'read-set'], [0, 'fail', 1, 'read-set', ['zz']]]);
    expect(failed.validity).toBe('unknown');
    expect(failed.anomalies).toEqual([]);
    expect(verdictOf([[0, 'invoke', 0, 'read-set'], [1, 'invoke', 0, 'read-set'], [1, 'info', 2, 'read-set', ['zz']]]).validity).toBe('unknown');
  });

  it('negative times: an element a read returned is lost from a later final read', () => {
    const verdict = verdictOf([
      [0, 'invoke', -100, 'add', 'x'], [2, 'invoke', -100, 'add', 'y'], [0, 'info', -95, 'add', 'x'], [2, 'info', -95, 'add', 'y'],
      [1, 'invoke', -90, 'read-set'], [1, 'ok', -80, 'read-set', ['x']], [3, 'invoke', -60, 'read-set'],
      [4, 'invoke', -50, 'read-set', null, true], [4, 'ok', -40, 'read-set', []], [3, 'ok', -10, 'read-set', ['y']],
    ]);
    expect(verdict.validity).toBe('invalid');
    // One read shows x without y, the other y without x: a fork, but x's loss already says it.
    expect(verdict.anomalies.map((a) => [a.type, a.element, a.ops])).toEqual([['lost', 'x', [4, 7]]]);
  });

  it('lines out of time order across processes: an element\'s earliest add is the earliest invoked, not the first listed', () => {
    // x's add by process 1 (invoked at 0) is listed after process 0's (invoked at 100): y's add,
    // acknowledged at 50, need not be in a read that shows x.
    const verdict = verdictOf([
      [0, 'invoke', 100, 'add', 'x'], [1, 'invoke', 0, 'add', 'x'], [1, 'ok', 5, 'add', 'x'], [2, 'invoke', 40, 'add', 'y'],
      [2, 'ok', 50, 'add', 'y'], [3, 'invoke', 60, 'read-set'], [3, 'ok', 70, 'read-set', ['x']], [0, 'ok', 110, 'add', 'x'],
      [4, 'invoke', 200, 'read-set', null, true], [4, 'ok', 210, 'read-set', ['x', 'y']],
    ]);
    expect(verdict.validity).toBe('valid');
  });

  it('a skipped add is named once, however many reads skip it', () => {
    const verdict = verdictOf([
      [0, 'invoke', 0, 'add', 'y'], [0, 'ok', 10, 'add', 'y'], [1, 'invoke', 20, 'add', 'x'], [1, 'ok', 30, 'add', 'x'],
      [2, 'invoke', 40, 'read-set'], [2, 'ok', 50, 'read-set', ['x']], [3, 'invoke', 60, 'read-set'], [3, 'ok', 70, 'read-set', ['x']],
      [4, 'invoke', 80, 'read-set', null, true], [4, 'ok', 90, 'read-set', ['x', 'y']],
    ]);
    expect(verdict.anomalies.map((a) => [a.type, a.element, a.ops])).toEqual([['skipped-write', 'y', [0, 2, 4]]]);
  });

  it('two final reads invoked together: the loss is named once, at the one listed first, and not again as stale', () => {
    const verdict = verdictOf([
      [0, 'invoke', 0, 'add', 'x'], [0, 'ok', 10, 'add', 'x'], [0, 'invoke', 40, 'read-set', null, true],
      [1, 'invoke', 40, 'read-set', null, true], [1, 'ok', 60, 'read-set', []], [0, 'ok', 100, 'read-set', []],
    ]);
    expect(verdict.anomalies.map((a) => [a.type, a.element, a.ops])).toEqual([['lost', 'x', [0, 2]]]);
  });
});
