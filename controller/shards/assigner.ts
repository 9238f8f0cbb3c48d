import type { V1Namespace } from '@kubernetes/client-node';
import { KzeroLabels } from '../../api/serving/labels.js';
import type { ResourceClient } from '../../lib/kube/rest.js';
import type { KindReconciler, Reconcilable } from '../runtime/driver.js';
import type { Lister } from '../../lib/kube/lister.js';
import { shardFor, type ShardsConfig } from './assign.js';

/** The label selector of objects no shard has taken yet. */
export const UNASSIGNED = `!${KzeroLabels.shard}`;

/**
 * Labels top-level objects (Services, and Configurations and Routes made without a Service) that have no
 * shard yet. The admission webhook does this at creation; this catches what was created while it was not
 * there. Children are left alone: they inherit their parent's label.
 */
export class ShardAssigner<T extends Reconcilable> implements KindReconciler<T> {
  constructor(
    readonly kind: string,
    private readonly deps: { client: ResourceClient<T>; namespaces: Lister<V1Namespace>; shards: () => ShardsConfig },
  ) {}

  async reconcile(obj: T): Promise<void> {
    const meta = obj.metadata ?? {};
    if (meta.labels?.[KzeroLabels.shard] !== undefined) return;
    if ((meta.ownerReferences ?? []).some((r) => r.controller)) return;
    const nsShard = this.deps.namespaces.get(meta.namespace ?? '')?.metadata?.labels?.[KzeroLabels.shard];
    const shard = shardFor(meta.namespace ?? '', meta.name ?? '', nsShard, this.deps.shards().count);
    // resourceVersion in the patch: never label an object that changed since we read it.
    await this.deps.client.patch(meta.namespace, meta.name ?? '', { metadata: { resourceVersion: meta.resourceVersion, labels: { [KzeroLabels.shard]: shard } } });
  }
}
