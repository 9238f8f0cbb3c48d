import { ServingLabels, VISIBILITY_CLUSTER_LOCAL } from '../../../api/serving/labels.js';
import type { Route } from '../../../api/serving/v1/types.js';
import { CLUSTER_LOCAL_DOMAIN, domainFor, type DomainConfig } from '../../config/domain.js';

// A Route's host names (pure): `<name>.<ns>.<domain>` and `<tag>-<name>.<ns>.<domain>`, Knative's default
// domain and tag templates; cluster-local Routes get only `<name>.<ns>.svc.cluster.local`.

export function isClusterLocal(route: Route): boolean {
  return route.metadata.labels?.[ServingLabels.visibility] === VISIBILITY_CLUSTER_LOCAL;
}

export function routeDomain(route: Route, config: DomainConfig): string {
  return isClusterLocal(route) ? CLUSTER_LOCAL_DOMAIN : domainFor(config, route.metadata.labels);
}

export function routeHost(route: Route, config: DomainConfig, tag?: string): string {
  const name = tag ? `${tag}-${route.metadata.name}` : route.metadata.name;
  return `${name}.${route.metadata.namespace}.${routeDomain(route, config)}`;
}

export function clusterLocalHost(route: Route, tag?: string): string {
  const name = tag ? `${tag}-${route.metadata.name}` : route.metadata.name;
  return `${name}.${route.metadata.namespace}.${CLUSTER_LOCAL_DOMAIN}`;
}
