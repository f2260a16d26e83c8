import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from '../harness/kube/apply.ts';
import { isStatus } from '../harness/kube/client.ts';
import { execInPod } from '../harness/kube/exec.ts';
import { notYet, ready, waitFor } from '../harness/kube/wait.ts';
import { restartingFault, type RestartFacts } from '../harness/nemesis/kube-faults.ts';
import type { StartedKubeEnsemble } from '../harness/zookeeper/kube-ensemble.ts';
import { connectKube, explain, log, runSuite, settings, startEnsemble } from './support/suite.ts';

// The tutorial's "Testing for liveness": delete zkOk.sh; the failing probe gets the container restarted.
//
// The seed declares the probe as `exec: [zkOk.sh]`. Once the script is gone the container runtime
// cannot start the command at all, the kubelet records "probe errored and resulted in unknown
// state" and discards the result (pkg/kubelet/prober/worker.go): the container is never restarted
// and stays Ready. manifests/statefulset.yaml therefore runs the probe through a shell, whose exit
// status 127 is a plain probe failure. The second test keeps the evidence for both forms.
describe('liveness probe script deleted', () => {
  let ensemble: StartedKubeEnsemble;
  beforeAll(async () => {
    ensemble = await startEnsemble(connectKube());
  });

  it('restarts the container through the liveness probe and loses no acknowledged write', async () => {
    const facts: Partial<RestartFacts> = {};
    const result = await runSuite({ name: 'probe-deleted', ensemble, faults: [{ fault: () => restartingFault('probe-delete', ensemble, 'zk-0', facts), holdMs: 1000 }] });
    expect(facts.restartsAfter).toBe((facts.restartsBefore ?? NaN) + 1);
    expect((await ensemble.exec('zk-0', ['test', '-x', '/opt/zookeeper/bin/zkOk.sh'])).exitCode).toBe(0);
    expect(result.verdict.validity, explain(result)).toBe('valid');
  });

  describe("the probe's form decides whether a deleted script is noticed", () => {
    const forms = { direct: ['/tmp/alive'], shell: ['sh', '-c', '/tmp/alive'] };
    const podName = (form: string) => `probe-form-${form}`;
    const restarts = async (form: string) =>
      (await ensemble.kube.core.readNamespacedPod({ name: podName(form), namespace: ensemble.namespace })).status?.containerStatuses?.[0]?.restartCount ?? 0;

    afterAll(async () => {
      for (const form of Object.keys(forms)) {
        await ensemble.kube.core.deleteNamespacedPod({ name: podName(form), namespace: ensemble.namespace, gracePeriodSeconds: 0 }).catch((error: unknown) => {
          if (!isStatus(error, 404)) throw error;
        });
      }
    });

    it('exec of the deleted file itself never restarts the container; the same file run by sh does', async () => {
      await applyObjects(
        ensemble.kube,
        Object.entries(forms).map(([form, command]) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: podName(form), labels: { app: 'probe-form' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'main',
                image: settings.image,
                command: ['bash', '-c', 'cp /bin/true /tmp/alive && exec sleep infinity'],
                livenessProbe: { exec: { command }, initialDelaySeconds: 1, periodSeconds: 2, failureThreshold: 2 },
              },
            ],
          },
        })),
        ensemble.namespace,
      );
      for (const form of Object.keys(forms)) {
        await waitFor(`${podName(form)} running`, async () => {
          const pod = await ensemble.kube.core.readNamespacedPod({ name: podName(form), namespace: ensemble.namespace });
          return pod.status?.containerStatuses?.[0]?.ready ? ready(pod) : notYet(pod.status?.phase ?? 'unknown');
        }, { timeoutMs: 120_000, log });
        const removed = await execInPod(ensemble.kube, ensemble.namespace, podName(form), 'main', ['rm', '/tmp/alive']);
        expect(removed.exitCode).toBe(0);
      }
      // The shell form fails two probes 2 s apart and is restarted within seconds.
      await waitFor('the shell-form probe to restart its container', async () => {
        const count = await restarts('shell');
        return count >= 1 ? ready(count) : notYet(`restarts ${count}`);
      }, { timeoutMs: 90_000, intervalMs: 1000, log });
      // The direct form: wait for evidence, not for time. Once its probe has errored five times
      // (more failed probes than the shell form needed to be restarted), it has still not been.
      const errored = await waitFor('the direct-form probe to have errored five times', async () => {
        const events = await ensemble.kube.core.listNamespacedEvent({
          namespace: ensemble.namespace,
          fieldSelector: `involvedObject.name=${podName('direct')}`,
        });
        const count = events.items
          .filter((e) => /errored and resulted in unknown state/.test(e.message ?? ''))
          .reduce((sum, e) => sum + (e.count ?? e.series?.count ?? 1), 0);
        return count >= 5 ? ready(count) : notYet(`${count} probe errors`);
      }, { timeoutMs: 120_000, intervalMs: 1000, log });
      expect(errored).toBeGreaterThanOrEqual(5);
      expect(await restarts('direct')).toBe(0);
    });
  });
});
