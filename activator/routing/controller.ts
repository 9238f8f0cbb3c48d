import type { V1ConfigMap } from '@kubernetes/client-node';
import { parseDomainConfig } from '../../api/serving/domain-config.js';
import type { Route } from '../../api/serving/v1/types.js';
import type { Clock } from '../../lib/clock.js';
import { ConfigValue, SYSTEM_NAMESPACE } from '../../lib/kube/config-value.js';
import { informerFor, type Handlers } from '../../lib/kube/informer.js';
import { Resources } from '../../lib/kube/resources.js';
import type { KubeRest } from '../../lib/kube/rest.js';
import type { Logger } from '../../lib/log.js';
import { RoutingIndex, type RoutingTable } from './table.js';

// The routing table's wiring: every Route, and config-domain in the system namespace (the hosts depend on it).

export const DOMAIN_CONFIG_MAP = 'config-domain';

export interface Watched<T> {
  on(handlers: Handlers<T>): void;
}

/** A RoutingIndex fed by the Routes and config-domain; a config-domain that does not parse keeps the last good one. */
export function routingIndexFrom(sources: { routes: Watched<Route>; configMaps: Watched<V1ConfigMap> }, log: Logger): RoutingIndex {
  const domains = new ConfigValue(DOMAIN_CONFIG_MAP, parseDomainConfig, log);
  const index = new RoutingIndex(domains.get());
  const onConfig = (cm: V1ConfigMap, deleted = false): void => {
    if (!domains.apply(cm, deleted)) return;
    index.setDomains(domains.get());
    log.info('activator: config-domain changed, hosts recomputed', { domains: domains.get().rules.map((r) => r.domain) });
  };
  sources.configMaps.on({ add: (cm) => onConfig(cm), update: (cm) => onConfig(cm), delete: (cm) => onConfig(cm, true) });
  sources.routes.on({ add: (r) => index.upsert(r), update: (r) => index.upsert(r), delete: (r) => index.remove(r) });
  return index;
}

export interface Routing {
  table(): RoutingTable;
  /** Resolves once config-domain, then every Route, has been listed. */
  start(): Promise<void>;
}

export function watchRouting(deps: { rest: KubeRest; clock: Clock; log: Logger }): Routing {
  const { clock, log } = deps;
  const routes = informerFor(deps.rest.resource<Route>(Resources.route), { clock, log });
  const configMaps = informerFor(deps.rest.resource<V1ConfigMap>(Resources.configMap), {
    namespace: SYSTEM_NAMESPACE, fieldSelector: `metadata.name=${DOMAIN_CONFIG_MAP}`, clock, log,
  });
  const index = routingIndexFrom({ routes, configMaps }, log);
  return {
    table: () => index.table,
    // The domain first, so that the Routes are indexed once, with it.
    start: async () => {
      await configMaps.start();
      await routes.start();
    },
  };
}
