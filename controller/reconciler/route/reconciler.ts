import type { DomainConfig } from '../../../api/serving/domain-config.js';
import { routeHosts } from '../../../api/serving/route-hosts.js';
import type { Configuration, Revision, Route } from '../../../api/serving/v1/types.js';
import {
  markConfigurationFailed, markConfigurationNotReady, markDomainConflict, markIngressReady, markMissingTarget, markRevisionFailed,
  markRevisionNotReady, markTrafficAssigned, routeConditions,
} from '../../../api/serving/v1/route-lifecycle.js';
import { isNotFound } from '../../../lib/kube/client.js';
import type { ResourceClient } from '../../../lib/kube/rest.js';
import type { ReconcileResult } from '../../runtime/errors.js';
import type { KindReconciler } from '../../runtime/driver.js';
import type { Lister } from '../../../lib/kube/lister.js';
import { lostTags, type RouteByName } from './conflicts.js';
import { resolveTraffic } from './traffic.js';

/** While a tag's host is lost, look again this often: the condition clears soon after the winner goes. */
export const CONFLICT_RECHECK_MS = 30_000;

export interface RouteReconcilerDeps {
  configurations: Lister<Configuration>;
  revisions: Lister<Revision>;
  /** Rivals for a tag's host, read by name: this shard's cache first, else a GET (they may be in another shard). */
  routes: { lister: Lister<Route>; client: Pick<ResourceClient<Route>, 'get'> };
  domains: () => DomainConfig;
}

/**
 * Route: traffic resolved to ready Revisions, URLs computed from name, namespace and config-domain exactly
 * as the activator computes the hosts it serves (api/serving/route-hosts.ts). The activator is kzero's
 * ingress and reads Routes directly, so there is no ingress object to wait for: once all traffic is
 * assigned the Route is served, except for tag hosts another Route wins, which are reported, not published.
 */
export class RouteReconciler implements KindReconciler<Route> {
  readonly kind = 'Route';

  constructor(private readonly deps: RouteReconcilerDeps) {}

  async reconcile(route: Route, now: Date): Promise<ReconcileResult | void> {
    const c = routeConditions(route, now.toISOString()).initialize();
    const status = route.status!;
    status.observedGeneration = route.metadata.generation;
    const domains = this.deps.domains();
    const own = routeHosts(route.metadata, domains);
    status.url = own && `http://${own.url}`;
    status.address = own && { url: `http://${own.clusterLocal}` };
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
    const lost = await lostTags(route, result.targets, domains, this.routeByName(ns));
    const lostTag = new Set(lost.map((l) => l.claim.tag));
    status.traffic = result.targets.map((t) => {
      const hosts = t.tag && !lostTag.has(t.tag) ? routeHosts(route.metadata, domains, t.tag) : undefined;
      return hosts ? { ...t, url: `http://${hosts.url}` } : t;
    });
    markTrafficAssigned(c);
    if (lost.length === 0) return void markIngressReady(c);
    markDomainConflict(c, lost.map((l) => ({ host: l.claim.url, tag: l.claim.tag ?? '', winner: { route: l.winner.route, tag: l.winner.tag } })));
    return { requeueAfterMs: CONFLICT_RECHECK_MS };
  }

  private routeByName(namespace: string | undefined): RouteByName {
    return async (name) => {
      const cached = this.deps.routes.lister.get(name, namespace);
      if (cached) return cached;
      try {
        return await this.deps.routes.client.get(namespace, name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
  }
}
