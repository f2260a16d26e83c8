import { describeGrudge, type Ensemble, type EnsembleMember, type Net } from '../../harness/zookeeper/ensemble.ts';

/** Three members as the faults see them (names only). */
export const MEMBERS: readonly EnsembleMember[] = [{ name: 'zk-0' }, { name: 'zk-1' }, { name: 'zk-2' }];

/**
 * A recording stand-in for an ensemble and its network: every call is a step in `steps`, in order
 * (the pure logic of the faults and schedules; their real effects are proven on Docker and kind).
 * `failFirstNetHeal` makes the first net.heal() throw after recording itself.
 */
export function recordingEnsemble(leader: EnsembleMember, options: { failFirstNetHeal?: boolean } = {}) {
  const steps: string[] = [];
  const members = [...MEMBERS];
  const ensemble: Ensemble = {
    members,
    endpoints: () => members.map((m) => ({ name: m.name, address: `${m.name}:2181` })),
    exec: async (m, command) => (steps.push(`exec ${m.name}: ${command.join(' ')}`), { exitCode: 0, output: '' }),
    status: async () => ({ mode: 'follower' }),
    logs: async () => '',
    leader: async () => leader,
    waitForQuorum: async () => void steps.push('quorum'),
    killMember: async (m, signal = 'KILL') => (steps.push(`${signal === 'KILL' ? 'kill' : 'terminate'} ${m.name}`), 'killed'),
    stopMember: async (m) => void steps.push(`stop ${m.name}`),
    startMember: async (m) => void steps.push(`start ${m.name}`),
    signalMember: async (m, s) => void steps.push(`${s} ${m.name}`),
    loseNode: async (m) => (steps.push(`lose node of ${m.name}`), 'node lost'),
    restoreNode: async (m) => void steps.push(`restore node of ${m.name}`),
    drainNode: async (m) => (steps.push(`drain node of ${m.name}`), 'drained'),
    uncordonNode: async (m) => void steps.push(`uncordon node of ${m.name}`),
    deleteProbeScript: async (m) => (steps.push(`delete probe script of ${m.name}`), 'probe script deleted'),
    waitForLogLine: async (m) => (steps.push(`watch ${m.name}`), 'INFO Getting a snapshot from leader 0x100000000'),
  };
  let heals = 0;
  const net: Net = {
    cut: async (grudge) => void steps.push(`cut ${describeGrudge(grudge)}`),
    slow: async (grudge, kbit) => void steps.push(`slow ${describeGrudge(grudge)} to ${kbit} kbit/s`),
    heal: async () => {
      steps.push('heal net');
      if (options.failFirstNetHeal && ++heals === 1) throw new Error('the heal failed');
    },
    isolate: async (ms) => void steps.push(`isolate ${ms.map((m) => m.name).join('+')}`),
    reconnect: async (ms) => void steps.push(`reconnect ${ms.map((m) => m.name).join('+')}`),
    tapSync: async (learner, to) => {
      steps.push(`tap ${learner.name} -> ${to.name}`);
      return {
        sync: Promise.resolve({ kind: 'snap', zxid: 0x100000123n, snapshotBytes: 4321, ms: 12 }),
        connections: 1,
        close: async () => void steps.push('untap'),
      };
    },
  };
  return { steps, ensemble, net };
}
