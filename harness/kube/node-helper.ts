import { createHash } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { describeError, isStatus, type Kube } from './client.ts';
import { execInPod, type ExecResult } from './exec.ts';
import { notYet, ready, waitFor } from './wait.ts';

/** Labels the helper pods (drains leave them, as they leave a DaemonSet's pods). */
export const HELPER_LABEL = 'io.zk-chaos/node-helper';
const CONTAINER = 'helper';

/**
 * Privileged pods, one per node and made when first needed, through which the harness works in a
 * node's process and network namespaces on a cluster whose nodes it cannot enter otherwise (any
 * context but kind's, whose nodes are Docker containers). A helper shares the node's PIDs
 * (hostPID) and runs as root with every capability, so it can enter a member's network namespace
 * (nsenter) without giving the member itself anything: the members keep their securityContext.
 * The helpers live in the ensemble's namespace and go with it.
 */
export class NodeHelpers {
  private readonly kube: Kube;
  private readonly namespace: string;
  private readonly image: () => Promise<{ image: string; pullPolicy: string | undefined }>;
  private readonly log: (line: string) => void;
  private readonly helpers = new Map<string, Promise<string>>();

  /** `image` names an image the nodes can run that has sh, nsenter and ip (the members' image has). */
  constructor(kube: Kube, namespace: string, image: () => Promise<{ image: string; pullPolicy: string | undefined }>, log: (line: string) => void) {
    this.kube = kube;
    this.namespace = namespace;
    this.image = image;
    this.log = log;
  }

  /**
   * Runs `sh -c script args…` as root on `node`, in the node's PID namespace (`args` are $1, $2…).
   * A helper that is gone (evicted, deleted) is made again for the next call.
   */
  async run(node: string, [script, ...args]: [string, ...string[]]): Promise<ExecResult> {
    const pod = await this.on(node);
    try {
      return await execInPod(this.kube, this.namespace, pod, CONTAINER, ['sh', '-c', script, 'sh', ...args]);
    } catch (error) {
      this.helpers.delete(node);
      throw error;
    }
  }

  /** Deletes the helpers made so far: root on the nodes is not left behind the run. */
  async close(): Promise<void> {
    const pods = await Promise.all([...this.helpers.values()].map((pod) => pod.catch(() => undefined)));
    this.helpers.clear();
    await Promise.all(
      pods.filter((name): name is string => name !== undefined).map((name) =>
        this.kube.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds: 0 }).catch(() => undefined),
      ),
    );
  }

  /** The helper pod on `node`, made and started once. */
  private on(node: string): Promise<string> {
    let pod = this.helpers.get(node);
    if (!pod) {
      pod = this.start(node);
      // A start that failed is tried again by the next caller.
      pod.catch(() => this.helpers.delete(node));
      this.helpers.set(node, pod);
    }
    return pod;
  }

  private async start(node: string): Promise<string> {
    // Node names may be long (cloud providers): the pod is named by a digest of it.
    const name = `node-helper-${createHash('sha256').update(node).digest('hex').slice(0, 10)}`;
    const { image, pullPolicy } = await this.image();
    const body: V1Pod = {
      metadata: { name, labels: { [HELPER_LABEL]: 'true' }, annotations: { 'io.zk-chaos/node': node } },
      spec: {
        nodeName: node,
        hostPID: true,
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 0,
        // On a cordoned or tainted node too: that is where faults happen.
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            name: CONTAINER,
            image,
            ...(pullPolicy ? { imagePullPolicy: pullPolicy } : {}),
            command: ['sleep', 'infinity'],
            securityContext: { privileged: true, runAsUser: 0, runAsGroup: 0 },
          },
        ],
      },
    };
    try {
      await this.kube.core.createNamespacedPod({ namespace: this.namespace, body });
    } catch (error) {
      if (!isStatus(error, 409)) {
        const why = describeError(error);
        const fix = /PodSecurity/.test(why)
          ? `allow privileged pods there (kubectl label namespace ${this.namespace} pod-security.kubernetes.io/enforce=privileged)`
          : 'allow this user to create privileged pods there (or the policy that refused it to admit them)';
        throw new Error(`network faults need a privileged helper pod on node ${node}, and the cluster refused it in namespace ${this.namespace} (${why}); ${fix}, or leave network faults out of --nemesis`);
      }
    }
    this.log(`helper pod ${name} on node ${node}: the network faults enter the members' network namespaces through it`);
    await waitFor(`helper pod ${name} on ${node} to run`, async () => {
      const pod = await this.kube.core.readNamespacedPod({ name, namespace: this.namespace });
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason === 'ErrImagePull' || waiting?.reason === 'ImagePullBackOff') {
        return notYet(`it cannot pull ${image} on ${node} (${waiting.message ?? waiting.reason})`);
      }
      // Running, not merely in phase Running (a crash-looping container is that too).
      return pod.status?.containerStatuses?.[0]?.state?.running ? ready(name) : notYet(`${pod.status?.phase ?? 'no status'}${waiting ? `, ${waiting.reason}` : ''}`);
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    return name;
  }
}
