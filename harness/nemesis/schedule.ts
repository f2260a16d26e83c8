import { derivedSeed, SeededRandom } from '../workload/random.ts';

/**
 * Fault schedules as data, Jepsen style (generator.clj, nemesis/combined.clj): given a seed, a
 * fault mix, an interval and a time limit, the same sequence of (fault, target, start, duration)
 * every time, always ending with a full heal and a recovery period before the final reads. Pure:
 * the backends turn each planned fault into actions, and resolve its target spec against the
 * ensemble as it is at that moment (which member leads), with a random stream of the same seed.
 */

/** What a fault does; every kind is written once, for every backend (nemesis/faults.ts). */
export const FAULT_KINDS = ['kill', 'pause', 'isolate', 'partition', 'restart-all', 'bridge', 'rolling-restart', 'node-loss', 'lose-followers', 'crash-majority', 'snap-sync-crash', 'cut-leader', 'slow', 'terminate', 'pod-delete', 'drain', 'slow-snap-sync', 'probe-delete', 'snap-sync-restart', 'snap-sync-cut'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** `--nemesis all`: the general faults (kept as they were, so the seeds of earlier findings replay). */
export const GENERAL_FAULTS: readonly FaultKind[] = ['kill', 'pause', 'isolate', 'partition', 'restart-all'];
/** `--nemesis ops`: what operators and machines do to an ensemble: a rolling restart, a lost node, a bridge partition. */
export const OPS_FAULTS: readonly FaultKind[] = ['rolling-restart', 'node-loss', 'bridge'];
/** `--nemesis hunt` (and `zk-chaos hunt`): sequences aimed at ZooKeeper's recovery paths. */
export const HUNT_FAULTS: readonly FaultKind[] = ['lose-followers', 'crash-majority', 'snap-sync-crash', 'cut-leader', 'partition', 'kill'];
/**
 * `--nemesis tutorial`: the tutorial's disruptions as seeded faults: the StatefulSet deleted and
 * recreated (restart-all: every member's pod deleted, claims kept), `pkill java` in a member
 * (terminate), a node drained under the budget (drain). Its fourth, deleting the liveness probe's
 * script (probe-delete), needs the kubelet's probe, which Docker has not: it is named on its own
 * (`--nemesis tutorial,probe-delete` on Kubernetes plays all four).
 */
export const TUTORIAL_FAULTS: readonly FaultKind[] = ['restart-all', 'terminate', 'drain'];
/** Faults no group names yet (adding one to a group would change the seeded schedules of its earlier runs): named one by one. */
export const NAMED_ONLY_FAULTS: readonly FaultKind[] = ['slow', 'pod-delete', 'slow-snap-sync', 'probe-delete', 'snap-sync-restart', 'snap-sync-cut'];
/** Faults that need a proxy on the Docker host in a member's path to its leader (Net.tapSync): on Docker only. */
export const DOCKER_HOST_FAULTS: ReadonlySet<FaultKind> = new Set(['snap-sync-cut']);
/** Faults that need the kubelet (its liveness probe): on Kubernetes targets only. */
export const KUBELET_FAULTS: ReadonlySet<FaultKind> = new Set(['probe-delete']);

/**
 * Faults of the network. With overlap, they run in a lane of their own beside the other faults
 * (a partition while a member is killed or paused); the kinds that take every member or drive a
 * sequence of their own (restart-all, rolling-restart, the hunts) are never overlapped.
 */
export const NETWORK_FAULTS: ReadonlySet<FaultKind> = new Set(['partition', 'isolate', 'bridge', 'slow']);
const EXCLUSIVE_FAULTS: ReadonlySet<FaultKind> = new Set(['restart-all', 'rolling-restart', 'lose-followers', 'crash-majority', 'snap-sync-crash', 'slow-snap-sync', 'snap-sync-restart', 'snap-sync-cut', 'cut-leader']);

/** Which members a fault hits, resolved when it starts. */
export const TARGET_SPECS = ['one', 'leader', 'followers', 'minority', 'majority', 'all'] as const;
export type TargetSpec = (typeof TARGET_SPECS)[number];

/** The targets each kind may take (restart-all is the StatefulSet delete/recreate analogue: all). */
const TARGETS: Record<FaultKind, readonly TargetSpec[]> = {
  kill: ['one', 'leader', 'followers', 'minority', 'majority'],
  pause: ['one', 'leader', 'minority', 'majority'],
  isolate: ['one', 'leader', 'minority'],
  partition: ['one', 'leader', 'minority'],
  'restart-all': ['all'],
  // The bridge: the member both halves still reach.
  bridge: ['one', 'leader'],
  'rolling-restart': ['all'],
  'node-loss': ['one', 'leader', 'minority'],
  // The hunts pick their roles themselves (who leads when they start); these are what they hit.
  'lose-followers': ['all'],
  'crash-majority': ['majority'],
  'snap-sync-crash': ['followers'],
  'slow-snap-sync': ['followers'],
  'snap-sync-restart': ['followers'],
  'snap-sync-cut': ['followers'],
  'cut-leader': ['leader'],
  // The targets' links to the other members, both ways.
  slow: ['one', 'leader', 'minority'],
  terminate: ['one', 'leader', 'minority'],
  'pod-delete': ['one', 'leader', 'minority'],
  // One node at a time, as the budget allows.
  drain: ['one', 'leader'],
  'probe-delete': ['one', 'leader', 'minority'],
};

export interface PlannedFault {
  kind: FaultKind;
  target: TargetSpec;
  /** Since the workload started. */
  startMs: number;
  durationMs: number;
}

export interface Schedule {
  seed: number;
  mix: FaultKind[];
  timeLimitMs: number;
  /** Faults start no earlier than this (the workload runs unfaulted first). */
  quietMs: number;
  /** Everything is healed by timeLimitMs - recoveryMs; the workload then runs unfaulted. */
  recoveryMs: number;
  /** Network faults may overlap the others (two lanes); otherwise one fault at a time. */
  overlap: boolean;
  /** Sorted by start. */
  faults: PlannedFault[];
}

export interface ScheduleOptions {
  seed: number;
  mix: readonly FaultKind[];
  timeLimitMs: number;
  /** Mean time between one fault's heal and the next fault (drawn in [interval/2, 3·interval/2]). */
  intervalMs: number;
  quietMs?: number;
  recoveryMs?: number;
  /**
   * End with every member restarted on its data (after the last fault, before the recovery
   * period), so damage that shows only after a reload from disk is seen by the final reads.
   */
  finalRestart?: boolean;
  /** Plan the network faults in a lane of their own, overlapping the others (see NETWORK_FAULTS). */
  overlap?: boolean;
}

/**
 * Faults one after another (each healed before the next starts), durations drawn in
 * [interval/2, 2·interval], kinds and targets drawn from the mix. With overlap, the network faults
 * are planned the same way in a second lane, and those that would overlap a fault of every member
 * are left out. The same options give the same schedule.
 */
export function planSchedule(options: ScheduleOptions): Schedule {
  const quietMs = options.quietMs ?? Math.round(Math.min(10_000, options.timeLimitMs / 6));
  const recoveryMs = options.recoveryMs ?? Math.round(Math.min(10_000, options.timeLimitMs / 6));
  if (!Number.isFinite(options.timeLimitMs) || options.timeLimitMs <= 0) throw new Error(`the time limit must be positive (got ${options.timeLimitMs} ms)`);
  if (!(options.intervalMs > 0)) throw new Error(`the fault interval must be positive (got ${options.intervalMs} ms)`);
  const rng = nemesisRandom(options.seed);
  const healBy = options.timeLimitMs - recoveryMs;
  const interval = options.intervalMs;
  const overlap = options.overlap === true;
  const lane = (mix: readonly FaultKind[]): PlannedFault[] => {
    const planned: PlannedFault[] = [];
    let at = quietMs;
    while (mix.length > 0) {
      const durationMs = rng.int(Math.round(interval / 2), 2 * interval);
      if (at + durationMs > healBy) break;
      const kind = rng.pick(mix);
      planned.push({ kind, target: rng.pick(TARGETS[kind]), startMs: at, durationMs });
      at += durationMs + rng.int(Math.round(interval / 2), Math.round((3 * interval) / 2));
    }
    return planned;
  };
  const faults = lane(overlap ? options.mix.filter((k) => !NETWORK_FAULTS.has(k)) : options.mix);
  if (options.finalRestart) {
    // Room for it is kept: the last fault is dropped if the restart would not fit before healBy.
    const restart = (startMs: number): PlannedFault => ({ kind: 'restart-all', target: 'all', startMs, durationMs: Math.round(interval / 2) });
    const after = (f: PlannedFault | undefined): number => (f ? f.startMs + f.durationMs + Math.round(interval / 2) : quietMs);
    while (faults.length > 0 && after(faults.at(-1)) + Math.round(interval / 2) > healBy) faults.pop();
    if (after(faults.at(-1)) + Math.round(interval / 2) <= healBy) faults.push(restart(after(faults.at(-1))));
  }
  if (overlap) {
    const exclusive = faults.filter((f) => EXCLUSIVE_FAULTS.has(f.kind));
    const apart = (a: PlannedFault, b: PlannedFault): boolean => a.startMs + a.durationMs <= b.startMs || b.startMs + b.durationMs <= a.startMs;
    const network = lane(options.mix.filter((k) => NETWORK_FAULTS.has(k))).filter((n) => exclusive.every((e) => apart(n, e)));
    faults.push(...network);
    faults.sort((a, b) => a.startMs - b.startMs);
  }
  return { seed: options.seed, mix: [...options.mix], timeLimitMs: options.timeLimitMs, quietMs, recoveryMs, overlap, faults };
}

/**
 * The nemesis's own random stream: derived from the run's seed but apart from the workload's, so
 * a change in the fault mix never changes the operations the clients choose.
 */
export function nemesisRandom(seed: number): SeededRandom {
  return new SeededRandom(derivedSeed(seed, 0x6e656d));
}

/**
 * The members a target spec names, given the members and the current leader (undefined when
 * there is none: then leader-relative specs fall back to one random member). `random` picks
 * which ones; sorted by name so the choice depends only on the seed.
 */
export function resolveTarget<M extends { name: string }>(spec: TargetSpec, members: readonly M[], leader: M | undefined, random: SeededRandom): M[] {
  const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
  const shuffled = shuffle(sorted, random);
  const minority = Math.floor((sorted.length - 1) / 2);
  const majority = Math.floor(sorted.length / 2) + 1;
  switch (spec) {
    case 'one':
      return shuffled.slice(0, 1);
    case 'leader':
      return leader ? [leader] : shuffled.slice(0, 1);
    case 'followers':
      return leader ? sorted.filter((m) => m.name !== leader.name) : shuffled.slice(0, sorted.length - 1);
    case 'minority':
      return shuffled.slice(0, Math.max(1, minority));
    case 'majority':
      return shuffled.slice(0, majority);
    case 'all':
      return sorted;
  }
}

function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The named groups of --nemesis. */
const FAULT_GROUPS: Readonly<Record<string, readonly FaultKind[]>> = { all: GENERAL_FAULTS, ops: OPS_FAULTS, hunt: HUNT_FAULTS, tutorial: TUTORIAL_FAULTS };

/**
 * Parses --nemesis: none, or a comma list of kinds and groups (all, ops, hunt, tutorial; e.g.
 * `tutorial,pod-delete`), each kind once, in the order first named. Throws naming the unknown ones.
 */
export function parseNemesis(text: string): FaultKind[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'none') return [];
  if (names.includes('none')) throw new Error(`--nemesis none stands alone (got "${text}"): give none, or a comma list of faults and groups`);
  const unknown = names.filter((n) => !(FAULT_KINDS as readonly string[]).includes(n) && !Object.hasOwn(FAULT_GROUPS, n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`unknown fault${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `"${u}"`).join(', ') || '(none given)'}: use none, or a comma list of the groups ${Object.keys(FAULT_GROUPS).join(', ')} and the faults ${FAULT_KINDS.join(', ')}`);
  }
  return [...new Set(names.flatMap((n) => (Object.hasOwn(FAULT_GROUPS, n) ? (FAULT_GROUPS[n] as readonly FaultKind[]) : [n as FaultKind])))];
}
