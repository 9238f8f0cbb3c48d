import { ConditionManager, conditionSet } from '../../conditions.js';
import type { Route } from './types.js';

// Route Ready = AllTrafficAssigned and IngressReady (the activator is kzero's ingress).

export const RouteConditions = Object.freeze({ Ready: 'Ready', AllTrafficAssigned: 'AllTrafficAssigned', IngressReady: 'IngressReady' });

export const RouteReasons = Object.freeze({
  RevisionMissing: 'RevisionMissing',
  ConfigurationMissing: 'ConfigurationMissing',
  IngressNotConfigured: 'IngressNotConfigured',
});

export const routeConditionSet = conditionSet(RouteConditions.Ready, RouteConditions.AllTrafficAssigned, RouteConditions.IngressReady);

export function routeConditions(route: Route, now: string): ConditionManager {
  route.status ??= {};
  return new ConditionManager(routeConditionSet, route.status, now);
}

export const markTrafficAssigned = (c: ConditionManager): void => void c.markTrue(RouteConditions.AllTrafficAssigned);
export const markIngressReady = (c: ConditionManager): void => void c.markTrue(RouteConditions.IngressReady);

export function markMissingTarget(c: ConditionManager, kind: 'Configuration' | 'Revision', name: string): void {
  const reason = kind === 'Configuration' ? RouteReasons.ConfigurationMissing : RouteReasons.RevisionMissing;
  c.markFalse(RouteConditions.AllTrafficAssigned, reason, `${kind} "${name}" referenced in traffic not found.`);
}

export function markConfigurationNotReady(c: ConditionManager, name: string): void {
  c.markUnknown(RouteConditions.AllTrafficAssigned, RouteReasons.RevisionMissing, `Configuration "${name}" is waiting for a Revision to become ready.`);
}

export function markConfigurationFailed(c: ConditionManager, name: string): void {
  c.markFalse(RouteConditions.AllTrafficAssigned, RouteReasons.RevisionMissing, `Configuration "${name}" does not have any ready Revision.`);
}

export function markRevisionNotReady(c: ConditionManager, name: string): void {
  c.markUnknown(RouteConditions.AllTrafficAssigned, RouteReasons.RevisionMissing, `Revision "${name}" is not yet ready.`);
}

export function markRevisionFailed(c: ConditionManager, name: string): void {
  c.markFalse(RouteConditions.AllTrafficAssigned, RouteReasons.RevisionMissing, `Revision "${name}" failed to become ready.`);
}
