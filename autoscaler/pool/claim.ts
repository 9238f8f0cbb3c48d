import type { V1Pod } from '@kubernetes/client-node';
import { KzeroLabels, PoolStates } from '../../api/serving/labels.js';
import { isPodReady } from '../../lib/kube/pods.js';

// Taking a warm pod (pure): which pod (the patch that takes it is api/kzero/v1alpha1/pool-claim.ts).

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
