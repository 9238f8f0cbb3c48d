import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import type { JsonPatchOp } from '../../../lib/kube/rest.js';
import { KzeroAnnotations, KzeroLabels, PoolStates } from '../../serving/labels.js';

// The claim patch (pure), declared once: the autoscaler sends it (autoscaler/pool/claimer.ts), the webhook lets
// the autoscaler's identity change a pod in no other way (controller/webhook/pod-writes.ts).

/** `key` as one segment of a JSON pointer (RFC 6901): `kzero.dev/pool-state` -> `kzero.dev~1pool-state`. */
const pointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON patch that claims `pod` for a Revision, whose runtime has already taken the Revision: only while
 * the pod is still labelled warm (the test op: of two replicas claiming it for the same Revision, the second
 * gets 422; a status change of the pod meanwhile does not get in the way, as a resourceVersion test would).
 * The pod leaves its pool
 * (state `claimed`, so the pool's ReplicaSet no longer selects it and starts a replacement), takes the
 * Revision's labels and a controller reference to the Revision (so no ReplicaSet adopts it and deleting the
 * Revision deletes it), and records when it was claimed.
 */
export function claimPatch(pod: V1Pod, pool: string, revisionLabels: Record<string, string>, owner: V1OwnerReference, now: number): JsonPatchOp[] {
  return [
    { op: 'test', path: `/metadata/labels/${pointer(KzeroLabels.poolState)}`, value: PoolStates.warm },
    { op: 'add', path: '/metadata/labels', value: { ...revisionLabels, [KzeroLabels.pool]: pool, [KzeroLabels.poolState]: PoolStates.claimed } },
    { op: 'add', path: '/metadata/ownerReferences', value: [owner] },
    { op: 'add', path: '/metadata/annotations', value: { ...pod.metadata?.annotations, [KzeroAnnotations.claimedAt]: new Date(now).toISOString() } },
  ];
}
