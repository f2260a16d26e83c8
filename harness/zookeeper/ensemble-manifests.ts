import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, V1Namespace, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { parseManifests } from '../kube/apply.ts';

/**
 * Where a member's data lives:
 * - local-path: kind's default StorageClass; a volume is pinned to the node that created it;
 * - shared: a StorageClass whose volumes live on a folder every node mounts, so they follow a pod;
 * - ephemeral: emptyDir, lost with the pod — the negative control.
 */
export type StorageMode = 'local-path' | 'shared' | 'ephemeral';

export const SHARED_STORAGE_CLASS = 'zk-chaos-shared';

/**
 * The label on every namespace an ensemble of this harness's lives in: what a later run may take
 * back (its node ports, scripts/cluster-up.sh's clean-up of a reused cluster) — never a namespace
 * it did not make, whatever its name.
 */
export const ENSEMBLE_NAMESPACE_LABEL = 'io.zk-chaos/ensemble';

export function ensembleNamespace(name: string): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [ENSEMBLE_NAMESPACE_LABEL]: 'true' } } };
}

export interface EnsembleVariant {
  image: string;
  storage: StorageMode;
  /**
   * How the host reaches the members. Through port-forwards the per-member NodePort Services are
   * left out: they are not needed, and a second ensemble could not have the same node ports.
   */
  access?: 'nodeport' | 'port-forward';
  /**
   * The image's settings (ZK_TICK_TIME, ZK_SNAP_COUNT, ...: images/zookeeper/zkGenConfig.sh) set on
   * the container, over the ConfigMap's: a hunt's short ticks and frequent snapshots.
   */
  settings?: Record<string, string>;
}

/** Reads manifests/*.yaml in name order. */
export function readManifests(dir: string): KubernetesObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

/** The manifests adapted to a variant; pure, so the variants are checked without a cluster. */
export function ensembleManifests(objects: KubernetesObject[], variant: EnsembleVariant): KubernetesObject[] {
  return objects
    .filter((object) => variant.access !== 'port-forward' || !isNodePortService(object))
    .map((object) => (object.kind === 'StatefulSet' ? adaptStatefulSet(object as V1StatefulSet, variant) : object));
}

export function isNodePortService(object: KubernetesObject): object is V1Service {
  return object.kind === 'Service' && (object as V1Service).spec?.type === 'NodePort';
}

function adaptStatefulSet(original: V1StatefulSet, variant: EnsembleVariant): V1StatefulSet {
  const sts = structuredClone(original);
  const pod = sts.spec?.template.spec;
  if (!sts.spec || !pod) throw new Error('manifests: the StatefulSet has no pod template');
  for (const container of pod.containers) {
    container.image = variant.image;
    for (const [name, value] of Object.entries(variant.settings ?? {})) {
      container.env = [...(container.env ?? []).filter((e) => e.name !== name), { name, value }];
    }
  }
  if (variant.storage === 'ephemeral') {
    // The data directory dies with the pod: a deleted StatefulSet comes back empty.
    delete sts.spec.volumeClaimTemplates;
    pod.volumes = [...(pod.volumes ?? []), { name: 'datadir', emptyDir: {} }];
  } else if (variant.storage === 'shared') {
    for (const claim of sts.spec.volumeClaimTemplates ?? []) {
      if (claim.spec) claim.spec.storageClassName = SHARED_STORAGE_CLASS;
    }
  }
  return sts;
}
