import type { RunContext } from '../run/test-run.ts';
import { SeededRandom } from '../workload/random.ts';
import type { Fault } from './fault.ts';
import { resolveTarget, type FaultKind, type Schedule, type TargetSpec } from './schedule.ts';

/** What a backend offers the nemesis: its members, who leads now, and each kind of fault. */
export interface NemesisBackend<M extends { name: string }> {
  members(): readonly M[];
  /** The current leader, or undefined when there is none right now. */
  leader(): Promise<M | undefined>;
  fault(kind: FaultKind, targets: readonly M[]): Fault;
}

const LEADER_RELATIVE: ReadonlySet<TargetSpec> = new Set(['leader', 'followers']);

/**
 * Plays a schedule while the workload runs: each fault at its planned time (or as soon as the
 * previous one has healed, if that took longer), its target resolved then and recorded in the
 * fault's detail, held for its planned duration and healed; then the recovery period until the
 * time limit. Called from runTest's `during`, so the fault windows land in faults.jsonl.
 */
export async function playSchedule<M extends { name: string }>(schedule: Schedule, backend: NemesisBackend<M>, ctx: RunContext): Promise<void> {
  const started = Date.now();
  const until = (ms: number): Promise<void> => ctx.pause(Math.max(0, started + ms - Date.now()));
  // Target choices: a stream of the run's seed apart from the schedule's and the workload's.
  const random = new SeededRandom((schedule.seed ^ 0x746172) >>> 0);
  for (const planned of schedule.faults) {
    await until(planned.startMs);
    const leader = LEADER_RELATIVE.has(planned.target) ? await backend.leader() : undefined;
    const targets = resolveTarget(planned.target, backend.members(), leader, random);
    const fault = backend.fault(planned.kind, targets);
    await ctx.timeline.apply(
      { name: fault.name, inject: async () => `${planned.target}: ${await fault.inject()}`, heal: () => fault.heal() },
      planned.durationMs,
      ctx.log,
    );
  }
  await until(schedule.timeLimitMs);
}
