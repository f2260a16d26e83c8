import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../harness/history/event-log.ts';
import { FaultTimeline } from '../../harness/nemesis/fault.ts';
import { playSchedule } from '../../harness/nemesis/run-schedule.ts';
import type { PlannedFault, Schedule } from '../../harness/nemesis/schedule.ts';
import type { RunContext } from '../../harness/run/test-run.ts';
import { MEMBERS, recordingEnsemble } from './recording-ensemble.ts';

/** playSchedule on a recording stand-in: the order of its steps, the final heal included. */
const dir = mkdtempSync(join(tmpdir(), 'zk-chaos-schedule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stage(failFirstNetHeal = false) {
  const { steps, ensemble, net } = recordingEnsemble(MEMBERS[1]!, { failFirstNetHeal });
  const name = Math.random().toString(36).slice(2);
  const ctx: RunContext = {
    events: new EventLog(join(dir, `${name}-events.jsonl`), () => 0),
    timeline: new FaultTimeline(join(dir, `${name}-faults.jsonl`), () => 0),
    log: () => {},
    pause: async () => {},
  };
  return { steps, ensemble, net, ctx };
}

const schedule = (faults: PlannedFault[]): Schedule => ({ seed: 1, mix: faults.map((f) => f.kind), timeLimitMs: 10, quietMs: 0, recoveryMs: 0, overlap: false, faults });

describe('playSchedule', () => {
  it('ends with a full heal of the network and a quorum, after the last fault\'s own heal', async () => {
    const { steps, ensemble, net, ctx } = stage();
    await playSchedule(schedule([{ kind: 'partition', target: 'leader', startMs: 0, durationMs: 1 }]), ensemble, net, ctx);
    expect(steps).toEqual(['cut zk-1 -/-> zk-0, zk-2; zk-0 -/-> zk-1; zk-2 -/-> zk-1', 'heal net', 'quorum', 'heal net', 'quorum']);
  });

  it('heals the network at the end even when a fault\'s own heal failed, then reports the failure', async () => {
    const { steps, ensemble, net, ctx } = stage(true);
    await expect(playSchedule(schedule([{ kind: 'partition', target: 'leader', startMs: 0, durationMs: 1 }]), ensemble, net, ctx)).rejects.toThrow('the heal failed');
    expect(steps).toEqual(['cut zk-1 -/-> zk-0, zk-2; zk-0 -/-> zk-1; zk-2 -/-> zk-1', 'heal net', 'heal net']);
  });
});
