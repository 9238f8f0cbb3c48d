import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { KzeroLabels } from '../../api/serving/labels.js';

// Metadata helpers shared by the resource builders (pure).

/** kubectl's bookkeeping annotation is the parent's own; children must not inherit it. */
const NOT_INHERITED = ['kubectl.kubernetes.io/last-applied-configuration'];

export function inheritedAnnotations(meta: V1ObjectMeta | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta?.annotations ?? {})) if (!NOT_INHERITED.includes(k)) out[k] = v;
  return out;
}

/** The controller owner reference that ties a child to its parent (and lets the GC delete it). */
export function ownerRef(apiVersion: string, kind: string, meta: V1ObjectMeta): V1OwnerReference {
  return { apiVersion, kind, name: meta.name ?? '', uid: meta.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function isControlledBy(child: { metadata?: V1ObjectMeta }, owner: { metadata?: V1ObjectMeta }): boolean {
  return (child.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata?.uid);
}

/** The shard label, copied from parent to child so that the child lands in the same shard. */
export function shardLabel(meta: V1ObjectMeta | undefined): Record<string, string> {
  const shard = meta?.labels?.[KzeroLabels.shard];
  return shard === undefined ? {} : { [KzeroLabels.shard]: shard };
}
