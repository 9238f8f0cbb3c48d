import { ConditionManager, conditionSet } from '../../conditions.js';
import type { Condition, Service } from './types.js';

// Service Ready = ConfigurationsReady and RoutesReady, each copied from the child's Ready.

export const ServiceConditions = Object.freeze({ Ready: 'Ready', ConfigurationsReady: 'ConfigurationsReady', RoutesReady: 'RoutesReady' });

export const serviceConditionSet = conditionSet(ServiceConditions.Ready, ServiceConditions.ConfigurationsReady, ServiceConditions.RoutesReady);

export function serviceConditions(svc: Service, now: string): ConditionManager {
  svc.status ??= {};
  return new ConditionManager(serviceConditionSet, svc.status, now);
}

export function propagateConfigurationReady(c: ConditionManager, ready: Condition | undefined): void {
  c.propagate(ServiceConditions.ConfigurationsReady, ready, 'OutOfDate', 'The Configuration is still working to reflect the latest desired specification.');
}

export function propagateRouteReady(c: ConditionManager, ready: Condition | undefined): void {
  c.propagate(ServiceConditions.RoutesReady, ready, 'OutOfDate', 'The Route is still working to reflect the latest desired specification.');
}

export function markConfigurationNotOwned(c: ConditionManager, name: string): void {
  c.markFalse(ServiceConditions.ConfigurationsReady, 'NotOwned', `There is an existing Configuration "${name}" that we do not own.`);
}

export function markRouteNotOwned(c: ConditionManager, name: string): void {
  c.markFalse(ServiceConditions.RoutesReady, 'NotOwned', `There is an existing Route "${name}" that we do not own.`);
}
