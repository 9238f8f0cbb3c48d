import { ConditionManager, conditionSet } from '../../conditions.js';
import type { Revision } from './types.js';

// Revision Ready = ResourcesAvailable and ContainerHealthy. Active (is it scaled up?) is kept outside
// Ready, as in Knative: a Revision scaled to zero is still Ready.

export const RevisionConditions = Object.freeze({
  Ready: 'Ready',
  ResourcesAvailable: 'ResourcesAvailable',
  ContainerHealthy: 'ContainerHealthy',
  Active: 'Active',
});

export const RevisionReasons = Object.freeze({
  Deploying: 'Deploying',
  ContainerMissing: 'ContainerMissing',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  NoTraffic: 'NoTraffic',
  Activating: 'Activating',
  Unschedulable: 'Unschedulable',
});

export const revisionConditionSet = conditionSet(RevisionConditions.Ready, RevisionConditions.ResourcesAvailable, RevisionConditions.ContainerHealthy);

export const exitCodeReason = (exitCode: number): string => `ExitCode${exitCode}`;
export const containerExitingMessage = (message: string): string => `Container failed with: ${message}`;
export const containerMissingMessage = (image: string, message: string): string => `Unable to fetch image "${image}": ${message}`;

export function revisionConditions(rev: Revision, now: string): ConditionManager {
  rev.status ??= {};
  return new ConditionManager(revisionConditionSet, rev.status, now);
}

export function markResourcesAvailable(c: ConditionManager): void {
  c.markTrue(RevisionConditions.ResourcesAvailable);
}

export function markResourcesUnavailable(c: ConditionManager, reason: string, message: string): void {
  c.markFalse(RevisionConditions.ResourcesAvailable, reason, message);
}

export function markContainerHealthy(c: ConditionManager): void {
  c.markTrue(RevisionConditions.ContainerHealthy);
}

export function markContainerUnhealthy(c: ConditionManager, reason: string, message: string): void {
  c.markFalse(RevisionConditions.ContainerHealthy, reason, message);
}

export function markActive(c: ConditionManager): void {
  c.markTrue(RevisionConditions.Active);
}

export function markInactive(c: ConditionManager, reason: string, message: string): void {
  c.markFalse(RevisionConditions.Active, reason, message);
}

export function markActivating(c: ConditionManager, reason: string, message: string): void {
  c.markUnknown(RevisionConditions.Active, reason, message);
}
