import { createHash } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { describeError, isStatus, type Kube } from './client.ts';
import { execInPod, type ExecResult } from './exec.ts';
import { notYet, ready, waitFor } from './wait.ts';

const HELPER_LABEL = 'io.zk-chaos/node-helper';
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

  /** Runs `script` with sh as root on `node`, in the node's PID namespace. */
  async run(node: string, script: string): Promise<ExecResult> {
    const pod = await this.on(node);
    return execInPod(this.kube, this.namespace, pod, CONTAINER, ['sh', '-c', script]);
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
        throw new Error(
          `network faults need a privileged helper pod on node ${node}, and namespace ${this.namespace} refused it (${describeError(error)}); ` +
            `allow privileged pods there (kubectl label namespace ${this.namespace} pod-security.kubernetes.io/enforce=privileged) or leave network faults out of --nemesis`,
        );
      }
    }
    this.log(`helper pod ${name} on node ${node}: the network faults enter the members' network namespaces through it`);
    await waitFor(`helper pod ${name} on ${node} to run`, async () => {
      const pod = await this.kube.core.readNamespacedPod({ name, namespace: this.namespace });
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason === 'ErrImagePull' || waiting?.reason === 'ImagePullBackOff') {
        return notYet(`it cannot pull ${image} on ${node} (${waiting.message ?? waiting.reason})`);
      }
      return pod.status?.phase === 'Running' ? ready(name) : notYet(pod.status?.phase ?? 'no status');
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    return name;
  }
}
