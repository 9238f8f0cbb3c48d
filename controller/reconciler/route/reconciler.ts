import type { Configuration, Revision, Route } from '../../../api/serving/v1/types.js';
import {
  markConfigurationFailed, markConfigurationNotReady, markIngressReady, markMissingTarget, markRevisionFailed, markRevisionNotReady,
  markTrafficAssigned, routeConditions,
} from '../../../api/serving/v1/route-lifecycle.js';
import type { KindReconciler, Lister } from '../../runtime/driver.js';
import type { DomainConfig } from '../../config/domain.js';
import { clusterLocalHost, routeHost } from './hosts.js';
import { resolveTraffic } from './traffic.js';

export interface RouteReconcilerDeps {
  configurations: Lister<Configuration>;
  revisions: Lister<Revision>;
  domains: () => DomainConfig;
}

/**
 * Route: traffic resolved to ready Revisions, URLs from config-domain. The activator is kzero's ingress
 * and reads Routes directly, so there is no ingress object to wait for: once all traffic is assigned the
 * Route is served.
 */
export class RouteReconciler implements KindReconciler<Route> {
  readonly kind = 'Route';

  constructor(private readonly deps: RouteReconcilerDeps) {}

  async reconcile(route: Route, now: Date): Promise<void> {
    const c = routeConditions(route, now.toISOString()).initialize();
    const status = route.status!;
    status.observedGeneration = route.metadata.generation;
    const domains = this.deps.domains();
    status.url = `http://${routeHost(route, domains)}`;
    status.address = { url: `http://${clusterLocalHost(route)}` };
    const ns = route.metadata.namespace;
    const result = resolveTraffic(route, {
      configuration: (name) => this.deps.configurations.get(name, ns),
      revision: (name) => this.deps.revisions.get(name, ns),
    });
    if (!result.ok) {
      const { kind, name } = result.error;
      if (kind === 'ConfigurationMissing') markMissingTarget(c, 'Configuration', name);
      else if (kind === 'RevisionMissing') markMissingTarget(c, 'Revision', name);
      else if (kind === 'ConfigurationFailed') markConfigurationFailed(c, name);
      else if (kind === 'ConfigurationNotReady') markConfigurationNotReady(c, name);
      else if (kind === 'RevisionFailed') markRevisionFailed(c, name);
      else markRevisionNotReady(c, name);
      // Keep serving the last good traffic while the new targets are not ready.
      return;
    }
    status.traffic = result.targets.map((t) => (t.tag ? { ...t, url: `http://${routeHost(route, domains, t.tag)}` } : t));
    markTrafficAssigned(c);
    markIngressReady(c);
  }
}
