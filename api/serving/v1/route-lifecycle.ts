import { ConditionManager, conditionSet } from '../../conditions.js';
import type { Route } from './types.js';

// Route Ready = AllTrafficAssigned and IngressReady (the activator is kzero's ingress).

export const RouteConditions = Object.freeze({ Ready: 'Ready', AllTrafficAssigned: 'AllTrafficAssigned', IngressReady: 'IngressReady' });

export const RouteReasons = Object.freeze({
  RevisionMissing: 'RevisionMissing',
  ConfigurationMissing: 'ConfigurationMissing',
  IngressNotConfigured: 'IngressNotConfigured',
  /** The reason Knative's ingresses give (and its Route copies into IngressReady) for a host another object holds. */
  DomainConflict: 'DomainConflict',
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

export interface HostLost {
  host: string;
  tag: string;
  winner: { route: string; tag?: string };
}

/** Some tag hosts are served by another Route of the namespace (host-claims.ts says which wins). */
export function markDomainConflict(c: ConditionManager, lost: readonly HostLost[]): void {
  const by = (w: HostLost['winner']): string => (w.tag ? `tag "${w.tag}" of Route "${w.route}"` : `Route "${w.route}"`);
  c.markFalse(RouteConditions.IngressReady, RouteReasons.DomainConflict,
    lost.map((l) => `Host "${l.host}" of tag "${l.tag}" is already served by ${by(l.winner)}.`).join(' '));
}
