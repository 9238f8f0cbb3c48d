import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { KzeroAnnotations, KzeroLabels, PoolStates } from '../../api/serving/labels.js';
import type { JsonPatchOp } from '../../lib/kube/rest.js';
import { isPodReady } from '../../lib/kube/pods.js';

// Taking a warm pod (pure): which pod, and the patch that takes it.


/** Warm pods of `pool` that can be claimed now: Ready, with an IP, not being deleted, not already taken by us. */
export function claimable(pods: readonly V1Pod[], pool: string, taken: ReadonlySet<string>): V1Pod[] {
  return pods.filter((p) => p.metadata?.labels?.[KzeroLabels.pool] === pool
    && p.metadata?.labels?.[KzeroLabels.poolState] === PoolStates.warm
    && !p.metadata?.deletionTimestamp && p.status?.podIP && isPodReady(p) && !taken.has(p.metadata?.uid ?? ''));
}

/**
 * One of the candidates, at random: claimers (several autoscaler replicas, or one autoscaler's concurrent
 * claims) that all took the first would all but one lose the race for it.
 */
export function pickWarmPod(candidates: readonly V1Pod[], random: () => number): V1Pod | undefined {
  if (candidates.length === 0) return undefined;
  return candidates[Math.min(candidates.length - 1, Math.floor(random() * candidates.length))];
}

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
