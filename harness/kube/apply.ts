import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Kube } from './client.ts';

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
  }
}
