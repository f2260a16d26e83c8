import type { EventLog } from '../history/event-log.ts';
import { SeededRandom } from '../workload/random.ts';
import type { StartedKubeEnsemble } from '../zookeeper/kube-ensemble.ts';
import { KubeMembers } from '../zookeeper/kube-members.ts';
import type { Fault } from './fault.ts';
import { nemesisFault } from './faults.ts';

/**
 * The tutorial's disruptions on Kubernetes. Each heal waits for what the tutorial says happens
 * (a restarted container, a recreated pod) and for the quorum, and returns the facts it saw
 * through `facts` so the suite can assert them next to the checker's verdict.
 */

export interface RestartFacts {
  pod: string;
  restartsBefore: number;
  restartsAfter: number;
}

/**
 * The tutorial's `pkill java` ('terminate') or deleted probe script ('probe-delete') in one pod:
 * the very faults `zk-chaos run` plays (harness/nemesis/faults.ts), aimed at that pod, with its
 * container's restart count read before the inject and after the heal (the heal waits for the
 * restarted container and the quorum).
 */
export function restartingFault(kind: 'terminate' | 'probe-delete', ensemble: StartedKubeEnsemble, pod: string, facts: Partial<RestartFacts> = {}): Fault {
  const members = new KubeMembers(ensemble);
  const target = members.members.filter((m) => m.name === pod);
  if (target.length === 0) throw new Error(`no member ${pod} (members: ${members.members.map((m) => m.name).join(', ')})`);
  // Neither fault touches the network or draws anything at random.
  const fault = nemesisFault(kind, target, members, undefined, new SeededRandom(0));
  return {
    name: fault.name,
    async inject() {
      facts.pod = pod;
      facts.restartsBefore = await ensemble.restartCount(pod);
      return fault.inject();
    },
    async heal() {
      await fault.heal();
      // The heal ends at a quorum; the suite's final reads also want every member's Service to
      // route to it again, which waits for the readiness probe.
      await ensemble.waitReady();
      facts.restartsAfter = await ensemble.restartCount(pod);
    },
  };
}

/** Delete the StatefulSet (pods go, claims stay) and apply it again: the tutorial's first claim. */
export function deleteAndRecreateStatefulSet(ensemble: StartedKubeEnsemble, events?: EventLog): Fault {
  return {
    name: 'delete-statefulset',
    async inject() {
      await ensemble.deleteStatefulSet();
      events?.record('nemesis', 'statefulset-deleted', 'zk');
      return 'StatefulSet zk deleted (claims kept), all members gone';
    },
    async heal() {
      await ensemble.recreateStatefulSet();
      events?.record('nemesis', 'statefulset-recreated', 'zk');
    },
  };
}
