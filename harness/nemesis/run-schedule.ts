import type { RunContext } from '../run/test-run.ts';
import { derivedSeed, SeededRandom } from '../workload/random.ts';
import type { Ensemble, EnsembleMember, Net } from '../zookeeper/ensemble.ts';
import { nemesisFault } from './faults.ts';
import { NETWORK_FAULTS, resolveTarget, type PlannedFault, type Schedule, type TargetSpec } from './schedule.ts';

const LEADER_RELATIVE: ReadonlySet<TargetSpec> = new Set(['leader', 'followers']);

/**
 * Plays a schedule while the workload runs: each fault at its planned time (or as soon as the
 * previous one of its lane has healed, if that took longer), its target resolved then and recorded
 * in the fault's detail, held for its planned duration and healed; then a full heal of the network
 * and the recovery period until the time limit. An overlapping schedule plays its network lane beside the other. Called from
 * runTest's `during`, so the fault windows land in faults.jsonl.
 */
export async function playSchedule<M extends EnsembleMember>(schedule: Schedule, ensemble: Ensemble<M>, net: Net<M>, ctx: RunContext): Promise<void> {
  const started = Date.now();
  const until = (ms: number): Promise<void> => ctx.pause(Math.max(0, started + ms - Date.now()));
  const lanes = schedule.overlap
    ? [schedule.faults.filter((f) => !NETWORK_FAULTS.has(f.kind)), schedule.faults.filter((f) => NETWORK_FAULTS.has(f.kind))]
    : [schedule.faults];
  // Target choices: a stream of the run's seed apart from the schedule's and the workload's, one
  // per lane (lanes run side by side: a shared stream would be drawn in whichever order they ran).
  const playLane = async (faults: readonly PlannedFault[], lane: number): Promise<void> => {
    const random = new SeededRandom(derivedSeed(schedule.seed, 0x746172 ^ lane));
    for (const planned of faults) {
      await until(planned.startMs);
      // No leader right now (an election): leader-relative specs fall back to a seeded member.
      const leader = LEADER_RELATIVE.has(planned.target) ? await ensemble.leader(10_000).catch(() => undefined) : undefined;
      const targets = resolveTarget(planned.target, ensemble.members, leader, random);
      const fault = nemesisFault(planned.kind, targets, ensemble, net, random);
      await ctx.timeline.apply(
        { name: fault.name, inject: async () => `${planned.target}: ${await fault.inject()}`, heal: () => fault.heal() },
        planned.durationMs,
        ctx.log,
      );
    }
  };
  // A lane that fails still lets the other finish and heal: no fault is left in place.
  const failed = (await Promise.allSettled(lanes.map(playLane))).find((r) => r.status === 'rejected');
  // Then the full heal every schedule ends with (Jepsen's final generator): the network whole
  // again, whatever a fault's own heal or a failed lane left, before the recovery period.
  ctx.log('nemesis: final heal of the network');
  await net.heal();
  if (failed) throw failed.reason;
  await ensemble.waitForQuorum();
  await until(schedule.timeLimitMs);
}
