import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { isDerivative } from '../../../lib/derivative.js';
import type { PodAutoscaler } from '../../../api/kzero/v1alpha1/types.js';
import { ServingLabels } from '../../../api/serving/labels.js';
import { revisionConditions } from '../../../api/serving/v1/revision-lifecycle.js';
import type { Revision } from '../../../api/serving/v1/types.js';
import type { ResourceClient } from '../../../lib/kube/rest.js';
import type { KindReconciler } from '../../runtime/driver.js';
import type { Lister } from '../../../lib/kube/lister.js';
import type { EventRecorder } from '../../runtime/events.js';
import { containsAll, ensureChild } from '../children.js';
import { deploymentName } from '../names.js';
import { makeDeployment, makePodAutoscaler } from './resources.js';
import { revisionStatusFromChildren } from './status.js';

export interface RevisionConfig {
  /** config-deployment progress-deadline, in seconds. */
  progressDeadlineSeconds: number;
  /** The initial scale for a Revision: its annotation, else config-autoscaler's initial-scale. */
  initialScale(rev: Revision): number;
}

export interface RevisionReconcilerDeps {
  deployments: { lister: Lister<V1Deployment>; client: ResourceClient<V1Deployment> };
  podAutoscalers: { lister: Lister<PodAutoscaler>; client: ResourceClient<PodAutoscaler> };
  pods: { list(namespace: string): readonly V1Pod[] };
  events: EventRecorder;
  config: () => RevisionConfig;
}

/** Revision -> Deployment + PodAutoscaler, and the Revision's status from them and its pods. */
export class RevisionReconciler implements KindReconciler<Revision> {
  readonly kind = 'Revision';

  constructor(private readonly deps: RevisionReconcilerDeps) {}

  async reconcile(rev: Revision, now: Date): Promise<void> {
    const c = revisionConditions(rev, now.toISOString()).initialize();
    rev.status!.observedGeneration = rev.metadata.generation;
    const config = this.deps.config();
    const existing = this.deps.deployments.lister.get(deploymentName(rev), rev.metadata.namespace);
    // Replicas are set once, at creation; after that they belong to the autoscaler.
    const desired = makeDeployment(rev, { replicas: existing?.spec?.replicas ?? config.initialScale(rev), progressDeadlineSeconds: config.progressDeadlineSeconds });
    const dep = await ensureChild({
      // As in Knative, a Revision's own plumbing is not announced with events: at 1,000s of Services they cost.
      owner: rev, desired, ...this.deps.deployments, events: this.deps.events, announce: false,
      // The existing replicas stay: they may have come from the autoscaler after the cache was read.
      specForUpdate: (have, want) => ({ ...want.spec!, replicas: have.spec?.replicas ?? want.spec?.replicas }),
      upToDate: (have, want) => isDerivative(want.spec?.template, have.spec?.template) && containsAll(have.metadata?.labels, want.metadata?.labels),
    });
    const pa = await ensureChild({ owner: rev, desired: makePodAutoscaler(rev), ...this.deps.podAutoscalers, events: this.deps.events, announce: false });
    if (dep.kind === 'notOwned') throw new Error(`Deployment "${dep.name}" exists and is not owned by Revision "${rev.metadata.name}"`);
    const pods = this.deps.pods.list(rev.metadata.namespace ?? '').filter((p) => p.metadata?.labels?.[ServingLabels.revisionUID] === rev.metadata.uid);
    revisionStatusFromChildren(rev, c, dep.obj, pa.kind === 'ok' ? pa.obj : undefined, pods);
  }
}
