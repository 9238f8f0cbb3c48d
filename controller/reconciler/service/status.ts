import { findCondition, type ConditionManager } from '../../../api/conditions.js';
import { ServiceConditions, propagateConfigurationReady, propagateRouteReady } from '../../../api/serving/v1/service-lifecycle.js';
import type { Condition, Configuration, Route, Service, Status } from '../../../api/serving/v1/types.js';

const OUT_OF_DATE = 'OutOfDate';
const readyOf = (s: { status?: Status }): Condition | undefined => findCondition(s.status, 'Ready');

/**
 * The Service's status from its Configuration and Route (pure). A child whose status does not yet reflect
 * its latest spec counts as not ready; so does a Route still sending the latest-revision traffic to an older
 * Revision than the Configuration's latest ready one.
 */
export function serviceStatusFromChildren(svc: Service, c: ConditionManager, cfg: Configuration | undefined, route: Route | undefined): void {
  const status = svc.status!;
  if (cfg) {
    if (cfg.status?.observedGeneration !== cfg.metadata.generation) {
      c.markUnknown(ServiceConditions.ConfigurationsReady, OUT_OF_DATE, 'The Configuration is still working to reflect the latest desired specification.');
    } else {
      status.latestCreatedRevisionName = cfg.status?.latestCreatedRevisionName;
      status.latestReadyRevisionName = cfg.status?.latestReadyRevisionName;
      propagateConfigurationReady(c, readyOf(cfg));
    }
  }
  if (!route) return;
  if (route.status?.observedGeneration !== route.metadata.generation) {
    c.markUnknown(ServiceConditions.RoutesReady, OUT_OF_DATE, 'The Route is still working to reflect the latest desired specification.');
    return;
  }
  status.url = route.status?.url;
  status.address = route.status?.address;
  status.traffic = route.status?.traffic;
  propagateRouteReady(c, readyOf(route));
  const latestReady = cfg?.status?.latestReadyRevisionName;
  const stale = (route.status?.traffic ?? []).some((t) => t.latestRevision && latestReady && t.revisionName !== latestReady);
  if (stale && c.get(ServiceConditions.RoutesReady)?.status === 'True') {
    c.markUnknown(ServiceConditions.RoutesReady, 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.');
  }
}
