import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, parseManifests } from '../../harness/kube/apply.ts';
import { Kube, isStatus } from '../../harness/kube/client.ts';
import { execInPod } from '../../harness/kube/exec.ts';
import { PodPortForward } from '../../harness/kube/port-forward.ts';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';

/**
 * The live kind cluster can host the ZooKeeper suites: every node Ready, local-path volumes bound
 * and writable on a worker, pod names resolving across nodes, and a NodePort reachable from the
 * host on 127.0.0.1. Uses the ZooKeeper image (loaded by cluster:up) as a general-purpose image.
 */
const namespace = 'zk-chaos-cluster-test';
const image = process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local';
const log = (line: string) => console.log(`[cluster-test] ${line}`);
let kube: Kube;

const manifests = `
apiVersion: v1
kind: Namespace
metadata: { name: ${namespace} }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 100Mi } }
---
apiVersion: v1
kind: Pod
metadata: { name: writer }
spec:
  securityContext: { runAsUser: 1000, fsGroup: 1000 }
  nodeSelector: { kubernetes.io/os: linux }
  tolerations: []
  containers:
    - name: main
      image: ${image}
      command: [bash, -c, 'echo written-by-pod > /data/proof && sleep infinity']
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]
---
apiVersion: v1
kind: Service
metadata: { name: peers }
spec:
  clusterIP: None
  selector: { app: peer }
  ports: [{ port: 8080 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: peer }
spec:
  serviceName: peers
  replicas: 2
  selector: { matchLabels: { app: peer } }
  template:
    metadata: { labels: { app: peer } }
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - { labelSelector: { matchLabels: { app: peer } }, topologyKey: kubernetes.io/hostname }
      containers:
        - name: main
          image: ${image}
          command: [bash, -c, 'while true; do echo "pong from $(hostname)" | nc -l -N 8080; done']
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: from-host }
spec:
  type: NodePort
  selector: { app: peer, statefulset.kubernetes.io/pod-name: peer-0 }
  ports: [{ port: 8080, nodePort: 30180 }]
`;

describe('kind cluster', () => {
  beforeAll(async () => {
    kube = Kube.load({ context: process.env.ZK_CHAOS_CONTEXT ?? 'kind-zk-chaos' });
    await kube.ping();
    await applyObjects(kube, parseManifests(manifests, 'cluster test manifests'), namespace);
  });

  afterAll(async () => {
    await kube?.core.deleteNamespace({ name: namespace }).catch((error: unknown) => {
      if (!isStatus(error, 404)) throw error;
    });
  });

  it('has one control plane and four workers, all Ready', async () => {
    const nodes = (await kube.core.listNode()).items;
    const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    expect(ready).toHaveLength(5);
    const controlPlanes = nodes.filter((n) => n.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined);
    expect(controlPlanes).toHaveLength(1);
  });

  it('binds a PVC from the default StorageClass and lets a pod on a worker write to it', async () => {
    const pod = await waitFor(
      'pod writer running',
      async () => {
        const p = await kube.core.readNamespacedPod({ name: 'writer', namespace });
        return p.status?.phase === 'Running' ? ready(p) : notYet(p.status?.phase ?? 'unknown');
      },
      { timeoutMs: 180_000, log },
    );
    const claim = await kube.core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace });
    expect(claim.status?.phase).toBe('Bound');
    expect(pod.spec?.nodeName).toMatch(/worker/);
    const proof = await execInPod(kube, namespace, 'writer', 'main', ['cat', '/data/proof']);
    expect(proof).toMatchObject({ exitCode: 0, stdout: 'written-by-pod\n' });
  });

  it('resolves a pod name of a headless service from a pod on another node', async () => {
    const pods = await waitFor(
      'both peers running on different nodes',
      async () => {
        const list = (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=peer' })).items;
        const running = list.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
        return running.length === 2 ? ready(running) : notYet(`${running.length}/2 running`);
      },
      { timeoutMs: 180_000, log },
    );
    const [a, b] = pods.sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
    expect(a?.spec?.nodeName).not.toBe(b?.spec?.nodeName);
    const lookup = await execInPod(kube, namespace, 'peer-0', 'main', ['getent', 'hosts', `peer-1.peers.${namespace}.svc.cluster.local`]);
    expect(lookup.exitCode).toBe(0);
    expect(lookup.stdout.split(/\s+/)[0]).toBe(b?.status?.podIP);
  });

  it('reaches a NodePort service from the host on 127.0.0.1', async () => {
    const answer = await waitFor(
      '127.0.0.1:30180 to answer',
      async () => {
        const text = await new Promise<string>((resolve, reject) => {
          const socket = connect(30180, '127.0.0.1');
          let data = '';
          socket.setTimeout(3000, () => socket.destroy(new Error('timeout')));
          socket.on('data', (chunk) => (data += chunk.toString()));
          socket.on('end', () => resolve(data));
          socket.on('error', reject);
        });
        return text.includes('pong') ? ready(text) : notYet(`answer "${text}"`);
      },
      { timeoutMs: 60_000, log },
    );
    expect(answer.trim()).toBe('pong from peer-0');
  });

  it('reaches a pod through a port-forward, again after the pod is recreated, with no error but a closed connection meanwhile', async () => {
    const forward = await PodPortForward.open(kube, namespace, 'peer-0', 8080);
    try {
      const [host, port] = forward.address.split(':') as [string, string];
      const ask = (): Promise<string> =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), host);
          let data = '';
          socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
          socket.on('data', (chunk) => (data += chunk.toString()));
          socket.on('close', () => resolve(data));
          socket.on('error', reject);
        });
      const pong = (what: string) =>
        waitFor(what, async () => {
          const text = await ask().catch((error: Error) => `(${error.message})`);
          return text.includes('pong') ? ready(text) : notYet(`answer "${text}"`);
        }, { timeoutMs: 120_000, log });
      expect((await pong('peer-0 through a port-forward')).trim()).toBe('pong from peer-0');
      const before = (await kube.core.readNamespacedPod({ name: 'peer-0', namespace })).metadata?.uid;
      await kube.core.deleteNamespacedPod({ name: 'peer-0', namespace, gracePeriodSeconds: 0 });
      // While the pod is gone, a connection through the forward just closes (no answer).
      expect(await ask().catch(() => '')).not.toContain('pong');
      expect((await pong('the recreated peer-0 through the same listener')).trim()).toBe('pong from peer-0');
      const after = (await kube.core.readNamespacedPod({ name: 'peer-0', namespace })).metadata?.uid;
      expect(after).not.toBe(before);
    } finally {
      await forward.close();
    }
  });
});
