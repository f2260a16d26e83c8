import type { EventLog } from '../history/event-log.ts';
import { notYet, ready, waitFor } from '../kube/wait.ts';
import { PROBE_SCRIPT } from '../zookeeper/ensemble.ts';
import { isReady, type StartedKubeEnsemble } from '../zookeeper/kube-ensemble.ts';
import type { Fault } from './fault.ts';

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

/** `pkill java` in one member (SIGTERM, as the tutorial does): the kubelet must restart the container. */
export function pkillJava(ensemble: StartedKubeEnsemble, pod: string, facts: Partial<RestartFacts> = {}): Fault {
  return restartingFault('pkill-java', ensemble, pod, ['pkill', 'java'], facts, 'the JVM was sent SIGTERM');
}

/** Delete the liveness probe's script: the probe must fail and the kubelet restart the container. */
export function deleteProbeScript(ensemble: StartedKubeEnsemble, pod: string, facts: Partial<RestartFacts> = {}): Fault {
  return restartingFault('delete-probe-script', ensemble, pod, ['rm', PROBE_SCRIPT], facts, 'zkOk.sh deleted');
}

function restartingFault(name: string, ensemble: StartedKubeEnsemble, pod: string, command: string[], facts: Partial<RestartFacts>, what: string): Fault {
  return {
    name,
    async inject() {
      facts.pod = pod;
      facts.restartsBefore = await ensemble.restartCount(pod);
      const result = await ensemble.exec(pod, command);
      // pkill's own exec may be cut off as the container stops; only a refusal before that counts.
      if (result.exitCode !== 0 && !/terminated|closed/i.test(result.stderr)) {
        throw new Error(`${command.join(' ')} in ${pod} exited with ${result.exitCode}: ${result.stderr}`);
      }
      return `${pod}: ${what} (restarts so far ${facts.restartsBefore})`;
    },
    async heal() {
      facts.restartsAfter = await waitFor(
        `${pod} to be restarted and Ready again`,
        async () => {
          const count = await ensemble.restartCount(pod);
          return count > (facts.restartsBefore ?? 0) && isReady(await ensemble.pod(pod)) ? ready(count) : notYet(`restarts ${count}`);
        },
        { timeoutMs: 300_000, intervalMs: 2000 },
      );
      await ensemble.waitReady();
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
