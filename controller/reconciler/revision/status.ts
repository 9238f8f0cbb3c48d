import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { findCondition, type ConditionManager } from '../../../api/conditions.js';
import { CODE_READY, type PodAutoscaler } from '../../../api/kzero/v1alpha1/types.js';
import { KzeroLabels, PoolStates } from '../../../api/serving/labels.js';
import {
  RevisionConditions, RevisionReasons, containerExitingMessage, containerMissingMessage, exitCodeReason, markActivating, markActive,
  markContainerHealthy, markContainerUnhealthy, markInactive, markResourcesAvailable, markResourcesUnavailable,
} from '../../../api/serving/v1/revision-lifecycle.js';
import type { Revision } from '../../../api/serving/v1/types.js';
import { isPodReady } from '../../../lib/kube/pods.js';

const IMAGE_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/**
 * The Revision's status from its Deployment, PodAutoscaler and pods (pure). A container that cannot start
 * is reported at once, from the first pod that shows it: a missing image as ContainerMissing, a crash as
 * ExitCode<N>, a missing ConfigMap/Secret or an unschedulable pod as ResourcesAvailable=False. A Revision
 * scaled to zero stays Ready; whether it has pods is Active, outside Ready.
 */
export function revisionStatusFromChildren(rev: Revision, c: ConditionManager, dep: V1Deployment, pa: PodAutoscaler | undefined, pods: readonly V1Pod[]): void {
  const status = rev.status!;
  // Pods claimed from a warm pool serve the Revision alongside its Deployment's.
  const claimed = pods.filter((p) => p.metadata?.labels?.[KzeroLabels.poolState] === PoolStates.claimed && !p.metadata?.deletionTimestamp);
  const desired = (dep.spec?.replicas ?? 0) + claimed.length;
  const ready = (dep.status?.readyReplicas ?? 0) + claimed.filter(isPodReady).length;
  status.desiredReplicas = desired;
  status.actualReplicas = ready;

  if (ready > 0) {
    markResourcesAvailable(c);
    markContainerHealthy(c);
  } else if (desired === 0) {
    // Nothing runs, so nothing fails: scaled to zero (or initial-scale 0). A failure seen before stays.
    markResourcesAvailable(c);
    if (findCondition(status, RevisionConditions.ContainerHealthy)?.status !== 'False') markContainerHealthy(c);
  } else {
    podFailures(c, pods);
    const progressing = dep.status?.conditions?.find((x) => x.type === 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === RevisionReasons.ProgressDeadlineExceeded) {
      markResourcesUnavailable(c, RevisionReasons.ProgressDeadlineExceeded, 'Initial scale was never achieved');
    }
  }
  // The autoscaler could not load the code package into a warm pod: the Revision cannot serve, whatever path.
  const code = findCondition(pa?.status, CODE_READY);
  if (code?.status === 'False') markContainerUnhealthy(c, code.reason ?? 'CodePackageFailed', code.message ?? '');
  activeFrom(c, pa, desired, ready);
}

function podFailures(c: ConditionManager, pods: readonly V1Pod[]): void {
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const unscheduled = pod.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
    if (unscheduled) return void markResourcesUnavailable(c, unscheduled.reason ?? RevisionReasons.Unschedulable, unscheduled.message ?? '');
    for (const cs of pod.status?.containerStatuses ?? []) {
      const image = pod.spec?.containers.find((x) => x.name === cs.name)?.image ?? cs.image;
      const waiting = cs.state?.waiting;
      if (waiting?.reason && IMAGE_ERRORS.has(waiting.reason)) {
        return void markContainerUnhealthy(c, RevisionReasons.ContainerMissing, containerMissingMessage(image, waiting.message ?? waiting.reason));
      }
      const t = cs.lastState?.terminated ?? cs.state?.terminated;
      if (t && (t.exitCode !== 0 || cs.state?.waiting?.reason === 'CrashLoopBackOff')) {
        return void markContainerUnhealthy(c, exitCodeReason(t.exitCode), containerExitingMessage(t.message || (t.exitCode === 0 ? 'container exited with no error' : t.reason ?? 'Error')));
      }
      if (waiting?.reason === 'CreateContainerConfigError' || waiting?.reason === 'CreateContainerError') {
        return void markResourcesUnavailable(c, waiting.reason, waiting.message ?? '');
      }
    }
  }
}

/** Active comes from the PodAutoscaler when the autoscaler has written it, else from the Deployment. */
function activeFrom(c: ConditionManager, pa: PodAutoscaler | undefined, desired: number, ready: number): void {
  const active = findCondition(pa?.status, RevisionConditions.Active);
  if (active) {
    if (active.status === 'True') markActive(c);
    else if (active.status === 'False') markInactive(c, active.reason ?? RevisionReasons.NoTraffic, active.message ?? '');
    else markActivating(c, active.reason ?? RevisionReasons.Activating, active.message ?? '');
    return;
  }
  if (ready > 0) markActive(c);
  else if (desired === 0) markInactive(c, RevisionReasons.NoTraffic, 'The target is not receiving traffic.');
  else markActivating(c, RevisionReasons.Activating, 'The target is being scaled up.');
}
