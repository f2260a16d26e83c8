import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, GENERAL_FAULTS, HUNT_FAULTS, NAMED_ONLY_FAULTS, NETWORK_FAULTS, OPS_FAULTS, parseNemesis, planSchedule, resolveTarget, TARGET_SPECS, TUTORIAL_FAULTS } from '../../harness/nemesis/schedule.ts';
import { SeededRandom } from '../../harness/workload/random.ts';

const members = [{ name: 'zk-2' }, { name: 'zk-0' }, { name: 'zk-1' }];
const options = { mix: [...FAULT_KINDS], timeLimitMs: 120_000, intervalMs: 10_000 };

describe('planSchedule', () => {
  it('gives the same schedule for the same seed, and another for another seed', () => {
    expect(planSchedule({ ...options, seed: 7 })).toEqual(planSchedule({ ...options, seed: 7 }));
    expect(planSchedule({ ...options, seed: 7 }).faults).not.toEqual(planSchedule({ ...options, seed: 8 }).faults);
    // Seeds 2^32 apart planned the same faults (the generator kept 32 bits of the seed).
    expect(planSchedule({ ...options, seed: 2 ** 32 + 7 }).faults).not.toEqual(planSchedule({ ...options, seed: 7 }).faults);
  });

  it('keeps faults apart, after the quiet period, healed before the recovery period, each with a target its kind allows', () => {
    for (let seed = 0; seed < 200; seed++) {
      const schedule = planSchedule({ ...options, seed });
      expect(schedule.faults.length, `seed ${seed}`).toBeGreaterThan(0);
      let previousEnd = schedule.quietMs;
      for (const f of schedule.faults) {
        expect(f.startMs).toBeGreaterThanOrEqual(previousEnd);
        expect(f.durationMs).toBeGreaterThanOrEqual(5_000);
        expect(f.durationMs).toBeLessThanOrEqual(20_000);
        expect(FAULT_KINDS).toContain(f.kind);
        expect(TARGET_SPECS).toContain(f.target);
        if (f.kind === 'restart-all' || f.kind === 'lose-followers' || f.kind === 'rolling-restart') expect(f.target).toBe('all');
        else expect(f.target).not.toBe('all');
        previousEnd = f.startMs + f.durationMs;
      }
      expect(previousEnd).toBeLessThanOrEqual(schedule.timeLimitMs - schedule.recoveryMs);
    }
  });

  it('draws from the mix only, and plans nothing for none', () => {
    const kinds = new Set(Array.from({ length: 50 }, (_, seed) => planSchedule({ ...options, mix: ['pause', 'kill'], seed }).faults.map((f) => f.kind)).flat());
    expect([...kinds].sort()).toEqual(['kill', 'pause']);
    expect(planSchedule({ ...options, mix: [], seed: 1 }).faults).toEqual([]);
  });

  it('with finalRestart, ends every schedule with a restart of all members, after the last fault and before the recovery period', () => {
    for (let seed = 0; seed < 200; seed++) {
      const schedule = planSchedule({ ...options, mix: [...HUNT_FAULTS], seed, finalRestart: true });
      const last = schedule.faults.at(-1)!;
      expect(last, `seed ${seed}`).toMatchObject({ kind: 'restart-all', target: 'all' });
      const before = schedule.faults.at(-2);
      if (before) expect(last.startMs).toBeGreaterThanOrEqual(before.startMs + before.durationMs);
      expect(last.startMs + last.durationMs).toBeLessThanOrEqual(schedule.timeLimitMs - schedule.recoveryMs);
    }
    // Without it, a hunt mix never restarts everything (restart-all is not among the hunts).
    expect(planSchedule({ ...options, mix: [...HUNT_FAULTS], seed: 3 }).faults.some((f) => f.kind === 'restart-all')).toBe(false);
  });

  it('refuses a time limit or interval that is not positive', () => {
    expect(() => planSchedule({ ...options, seed: 1, timeLimitMs: 0 })).toThrow(/time limit must be positive/);
    expect(() => planSchedule({ ...options, seed: 1, intervalMs: 0 })).toThrow(/interval must be positive/);
  });
});

describe('resolveTarget', () => {
  const leader = members[2];
  it('names as many members as the spec says, deterministically for a seed', () => {
    const pick = (spec: (typeof TARGET_SPECS)[number], seed = 3) => resolveTarget(spec, members, leader, new SeededRandom(seed)).map((m) => m.name);
    expect(pick('one')).toHaveLength(1);
    expect(pick('leader')).toEqual(['zk-1']);
    expect(pick('followers')).toEqual(['zk-0', 'zk-2']);
    expect(pick('minority')).toHaveLength(1);
    expect(pick('majority')).toHaveLength(2);
    expect(pick('all')).toEqual(['zk-0', 'zk-1', 'zk-2']);
    for (const spec of TARGET_SPECS) expect(pick(spec, 11)).toEqual(pick(spec, 11));
    // Over seeds, 'one' reaches every member.
    expect(new Set(Array.from({ length: 30 }, (_, s) => pick('one', s)[0])).size).toBe(3);
  });

  it('falls back to random members when there is no leader, consuming the same randomness', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    expect(resolveTarget('leader', members, undefined, a)).toHaveLength(1);
    expect(resolveTarget('followers', members, undefined, a)).toHaveLength(2);
    resolveTarget('leader', members, leader, b);
    resolveTarget('followers', members, leader, b);
    expect(a.int(0, 1_000_000)).toBe(b.int(0, 1_000_000));
  });
});

describe('parseNemesis', () => {
  it('takes all, none, or a list, and names unknown faults with the known ones', () => {
    expect(parseNemesis('all')).toEqual([...GENERAL_FAULTS]);
    expect(parseNemesis('hunt')).toEqual([...HUNT_FAULTS]);
    expect(parseNemesis('ops')).toEqual(['rolling-restart', 'node-loss', 'bridge']);
    expect(parseNemesis('tutorial')).toEqual(['restart-all', 'terminate', 'drain']);
    // Every kind is in some group, and the groups name only kinds.
    expect(new Set([...GENERAL_FAULTS, ...OPS_FAULTS, ...HUNT_FAULTS, ...TUTORIAL_FAULTS, ...NAMED_ONLY_FAULTS])).toEqual(new Set(FAULT_KINDS));
    expect(parseNemesis('none')).toEqual([]);
    expect(parseNemesis(' none, ')).toEqual([]);
    expect(parseNemesis('kill, pause,kill')).toEqual(['kill', 'pause']);
    // Groups and kinds mix: each kind once, in the order first named.
    expect(parseNemesis('tutorial,pod-delete,terminate')).toEqual(['restart-all', 'terminate', 'drain', 'pod-delete']);
    expect(parseNemesis('slow,all')).toEqual(['slow', ...GENERAL_FAULTS]);
    expect(() => parseNemesis('kill,partitoin')).toThrow('unknown fault "partitoin": use none, or a comma list of the groups all, ops, hunt, tutorial and the faults kill, pause, isolate, partition, restart-all, bridge');
    expect(() => parseNemesis('none,kill')).toThrow('--nemesis none stands alone (got "none,kill"): give none, or a comma list of faults and groups');
    // Names an object has of its own kind are not groups.
    expect(() => parseNemesis('toString,constructor,__proto__')).toThrow('unknown faults "toString", "constructor", "__proto__"');
    expect(() => parseNemesis('')).toThrow(/unknown fault/);
  });
});

describe('planSchedule with overlap', () => {
  const options = { mix: [...FAULT_KINDS], timeLimitMs: 180_000, intervalMs: 8_000 };
  const ends = (f: { startMs: number; durationMs: number }) => f.startMs + f.durationMs;
  const overlaps = (a: { startMs: number; durationMs: number }, b: { startMs: number; durationMs: number }) => a.startMs < ends(b) && b.startMs < ends(a);

  it('leaves schedules without it as they were: the seeds of earlier runs replay', () => {
    for (let seed = 0; seed < 50; seed++) {
      const plain = planSchedule({ ...options, seed });
      expect(plain.overlap).toBe(false);
      expect(planSchedule({ ...options, seed, overlap: false })).toEqual(plain);
      for (let i = 1; i < plain.faults.length; i++) expect(plain.faults[i]!.startMs).toBeGreaterThanOrEqual(ends(plain.faults[i - 1]!));
    }
  });

  it('overlaps network faults with the others, never two of one lane, never with a fault of every member', () => {
    let crossings = 0;
    for (let seed = 0; seed < 200; seed++) {
      const schedule = planSchedule({ ...options, seed, overlap: true, finalRestart: seed % 2 === 0 });
      expect(schedule.overlap).toBe(true);
      expect(planSchedule({ ...options, seed, overlap: true, finalRestart: seed % 2 === 0 })).toEqual(schedule);
      const network = schedule.faults.filter((f) => NETWORK_FAULTS.has(f.kind));
      const other = schedule.faults.filter((f) => !NETWORK_FAULTS.has(f.kind));
      for (const lane of [network, other]) for (let i = 1; i < lane.length; i++) expect(lane[i]!.startMs).toBeGreaterThanOrEqual(ends(lane[i - 1]!));
      for (const n of network) {
        for (const o of other) {
          if (!overlaps(n, o)) continue;
          crossings++;
          expect(['restart-all', 'rolling-restart', 'lose-followers', 'crash-majority', 'snap-sync-crash', 'cut-leader'], `seed ${seed}`).not.toContain(o.kind);
        }
      }
      schedule.faults.slice(1).forEach((f, i) => expect(f.startMs).toBeGreaterThanOrEqual(schedule.faults[i]!.startMs));
      expect(Math.max(0, ...schedule.faults.map(ends))).toBeLessThanOrEqual(schedule.timeLimitMs - schedule.recoveryMs);
    }
    expect(crossings).toBeGreaterThan(50);
  });
});
