import type { Member, StartedDockerEnsemble } from '../zookeeper/docker-ensemble.ts';
import type { Fault } from './fault.ts';
import type { FaultKind } from './schedule.ts';

/**
 * The Docker analogues of the tutorial's disruptions. Each heal waits until the ensemble has a
 * quorum again, so the next phase of a scenario starts from a healthy ensemble.
 */

/** kill -9 the JVM of one member (the container exits, like the pod's container), then start it again. */
export function killJvm(ensemble: StartedDockerEnsemble, member: Member): Fault {
  return {
    name: 'kill-jvm',
    async inject() {
      // The exec's stream can break as the container dies; the exit below is what counts.
      await ensemble.exec(member, ['pkill', '-9', 'java']).catch(() => undefined);
      const exitCode = await ensemble.waitForExit(member);
      return `${member.name}: JVM killed with SIGKILL, container exited with ${exitCode}`;
    },
    async heal() {
      await member.container.restart();
      await ensemble.waitForQuorum();
    },
  };
}

/** Stop every member, then start them on the same data: the StatefulSet delete/recreate analogue. */
export function restartAll(ensemble: StartedDockerEnsemble): Fault {
  return {
    name: 'restart-all',
    async inject() {
      await Promise.all(ensemble.members.map(async (m) => (await ensemble.dockerContainer(m)).stop({ t: 10 })));
      return `stopped ${ensemble.members.map((m) => m.name).join(', ')}`;
    },
    async heal() {
      await Promise.all(ensemble.members.map(async (m) => (await ensemble.dockerContainer(m)).start()));
      await ensemble.waitForQuorum();
    },
  };
}

/** SIGSTOP the leader's JVM (a long GC pause or a frozen process), then SIGCONT it. */
export function pauseLeader(ensemble: StartedDockerEnsemble): Fault {
  let paused: Member | undefined;
  return {
    name: 'pause-leader',
    async inject() {
      paused = await ensemble.leader();
      await signalJava(ensemble, paused, 'STOP');
      return `${paused.name} (leader) stopped with SIGSTOP`;
    },
    async heal() {
      if (!paused) return;
      await signalJava(ensemble, paused, 'CONT');
      await ensemble.waitForQuorum();
    },
  };
}

/** Disconnect one member from the ensemble's network, then reconnect it under its name. */
export function isolateMember(ensemble: StartedDockerEnsemble, member: Member): Fault {
  return {
    name: 'isolate-member',
    async inject() {
      await disconnect(ensemble, [member]);
      return `${member.name} disconnected from the ensemble network`;
    },
    async heal() {
      await reconnect(ensemble, [member]);
      await ensemble.waitForQuorum();
    },
  };
}

/** A scheduled fault of a given kind on the given members (see schedule.ts). */
export function dockerFault(ensemble: StartedDockerEnsemble, kind: FaultKind, targets: readonly Member[]): Fault {
  const names = targets.map((m) => m.name).join(', ');
  switch (kind) {
    case 'restart-all':
      return restartAll(ensemble);
    case 'kill':
      return {
        name: 'kill',
        async inject() {
          const codes = await Promise.all(
            targets.map(async (m) => {
              await ensemble.exec(m, ['pkill', '-9', 'java']).catch(() => undefined);
              return ensemble.waitForExit(m);
            }),
          );
          return `${names}: JVM killed with SIGKILL (exit ${codes.join(', ')})`;
        },
        async heal() {
          await Promise.all(targets.map((m) => m.container.restart()));
          await ensemble.waitForQuorum();
        },
      };
    case 'pause':
      return {
        name: 'pause',
        async inject() {
          await Promise.all(targets.map((m) => signalJava(ensemble, m, 'STOP')));
          return `${names}: JVM stopped with SIGSTOP`;
        },
        async heal() {
          await Promise.all(targets.map((m) => signalJava(ensemble, m, 'CONT')));
          await ensemble.waitForQuorum();
        },
      };
    case 'isolate':
      return {
        name: 'isolate',
        async inject() {
          await disconnect(ensemble, targets);
          return `${names}: disconnected from the ensemble network`;
        },
        async heal() {
          await reconnect(ensemble, targets);
          await ensemble.waitForQuorum();
        },
      };
  }
}

async function signalJava(ensemble: StartedDockerEnsemble, member: Member, signal: 'STOP' | 'CONT'): Promise<void> {
  const { exitCode } = await ensemble.exec(member, ['pkill', `-${signal}`, 'java']);
  if (exitCode !== 0) throw new Error(`pkill -${signal} java in ${member.name} exited with ${exitCode}`);
}

async function disconnect(ensemble: StartedDockerEnsemble, members: readonly Member[]): Promise<void> {
  const network = await ensemble.dockerNetwork();
  for (const m of members) await network.disconnect({ Container: m.container.getId(), Force: true });
}

/** Back on the ensemble's network under the member's name, so its peers resolve it again. */
async function reconnect(ensemble: StartedDockerEnsemble, members: readonly Member[]): Promise<void> {
  const network = await ensemble.dockerNetwork();
  for (const m of members) await network.connect({ Container: m.container.getId(), EndpointConfig: { Aliases: [m.name] } });
}
