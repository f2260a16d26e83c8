import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { isStatus, type Kube } from './client.ts';
import { notYet, ready, waitFor } from './wait.ts';

const FIELD_MANAGER = 'zk-chaos';

/** Parses multi-document YAML into Kubernetes objects, naming the document that is malformed. */
export function parseManifests(text: string, source: string): k8s.KubernetesObject[] {
  return parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${source}: document ${i + 1}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as k8s.KubernetesObject | null;
    if (value === null) return [];
    if (!value.apiVersion || !value.kind || !value.metadata?.name) {
      throw new Error(`${source}: document ${i + 1} lacks apiVersion, kind or metadata.name`);
    }
    return [value];
  });
}

/** Server-side apply of each object, in order, into `namespace` unless the object names its own. */
export async function applyObjects(kube: Kube, objects: k8s.KubernetesObject[], namespace: string): Promise<void> {
  for (const object of objects) {
    const metadata = object.kind === 'Namespace' ? { ...object.metadata } : { ...object.metadata, namespace: object.metadata?.namespace ?? namespace };
    await kube.objects.patch({ ...object, metadata }, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    if (object.kind === 'Namespace' && metadata.name) await waitForDefaultServiceAccount(kube, metadata.name);
  }
}

/**
 * Pods are refused in a namespace until the controller manager has created its "default"
 * service account; on a cluster that has just come up that can take seconds.
 */
async function waitForDefaultServiceAccount(kube: Kube, namespace: string): Promise<void> {
  await waitFor(
    `service account default in namespace ${namespace}`,
    async () => {
      try {
        await kube.core.readNamespacedServiceAccount({ name: 'default', namespace });
        return ready(undefined);
      } catch (error) {
        if (isStatus(error, 404)) return notYet('not created yet');
        throw error;
      }
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}
