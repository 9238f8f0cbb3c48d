import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { ConditionManager, conditionSet } from '../../../api/conditions.js';
import type { PodPool } from '../../../api/kzero/v1alpha1/types.js';
import { KzeroLabels, PoolStates } from '../../../api/serving/labels.js';
import type { ResourceClient } from '../../../lib/kube/rest.js';
import type { KindReconciler } from '../../runtime/driver.js';
import type { Lister } from '../../../lib/kube/lister.js';
import { PermanentError, type ReconcileResult } from '../../runtime/errors.js';
import type { EventRecorder } from '../../runtime/events.js';
import { ensureChild } from '../children.js';
import { poolSizing, poolTargetSize } from './autosize.js';
import type { PoolDemand } from './demand.js';
import { validatePodPool } from '../../../api/kzero/v1alpha1/podpool-validation.js';
import { makePoolDeployment } from './resources.js';
import { isPodReady } from '../../../lib/kube/pods.js';

// PodPool Ready = WarmPodsReady (at least min(minReady, target) warm pods are Ready).
const poolConditions = conditionSet('Ready', 'WarmPodsReady');

export interface PodPoolReconcilerDeps {
  deployments: { lister: Lister<V1Deployment>; client: ResourceClient<V1Deployment> };
  /** The pods of every pool (warm, claimed, and the Deployment-path pods of pool-backed Revisions). */
  pods: { list(namespace: string): readonly V1Pod[] };
  demand: PoolDemand;
  events: EventRecorder;
  /**
   * The autoscalers' public keys, which the runtimes check /specialize signatures with (lib/specialize-signature.ts,
   * as KZERO_POOL_PUBLIC_KEYS takes them). A change rolls every pool's pods.
   */
  publicKeys: string;
}


/** PodPool -> the Deployment of its warm pods, sized from recent claims; status from its pods. */
export class PodPoolReconciler implements KindReconciler<PodPool> {
  readonly kind = 'PodPool';

  constructor(private readonly deps: PodPoolReconcilerDeps) {}

  async reconcile(pool: PodPool, now: Date): Promise<ReconcileResult | void> {
    const status = (pool.status ??= {});
    status.observedGeneration = pool.metadata.generation;
    const c = new ConditionManager(poolConditions, status, now.toISOString()).initialize();
    const invalid = validatePodPool(pool);
    if (invalid) {
      c.markFalse('WarmPodsReady', 'InvalidSpec', invalid);
      throw new PermanentError(`PodPool "${pool.metadata.name}": ${invalid}`, 'InvalidSpec');
    }

    const key = `${pool.metadata.namespace}/${pool.metadata.name}`;
    const sizing = poolSizing(pool.spec);
    const t = now.getTime();
    const target = poolTargetSize(sizing, this.deps.demand.times(key, t), t);
    const dep = await ensureChild({ owner: pool, desired: makePoolDeployment(pool, target, this.deps.publicKeys), ...this.deps.deployments, events: this.deps.events });
    if (dep.kind === 'notOwned') throw new PermanentError(`Deployment "${dep.name}" exists and is not owned by PodPool "${pool.metadata.name}"`, 'NotOwned');

    const pods = this.deps.pods.list(pool.metadata.namespace ?? '').filter((p) => p.metadata?.labels?.[KzeroLabels.pool] === pool.metadata.name && !p.metadata?.deletionTimestamp);
    const ready = pods.filter((p) => p.metadata?.labels?.[KzeroLabels.poolState] === PoolStates.warm && isPodReady(p)).length;
    status.readyReplicas = ready;
    status.targetSize = target;
    status.claimedLastMinute = this.deps.demand.times(key, t, 'claim').length;
    status.missedLastMinute = this.deps.demand.times(key, t, 'miss').length;
    if (ready >= Math.min(sizing.minReady, target)) c.markTrue('WarmPodsReady');
    else c.markUnknown('WarmPodsReady', 'Filling', `${ready} of ${target} warm pods Ready`);
    // While claims are in the window the target moves as they age out: look again.
    return status.claimedLastMinute + status.missedLastMinute > 0 ? { requeueAfterMs: 5000 } : undefined;
  }
}
