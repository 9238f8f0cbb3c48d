import { ActivatorError } from '../errors.js';
import { lookup, pickTarget, type RevisionTarget, type RouteEntry, type RoutingTable } from '../routing/table.js';
import type { RevisionRegistry, RevisionState } from '../revisions.js';

export interface RouteDeps {
  table: () => RoutingTable;
  registry: RevisionRegistry;
  random?: () => number;
}

/** Host -> Route -> a revision by the Route's traffic percentages (tag hosts go to their revision). */
export function resolveRevision(deps: RouteDeps, host: string): { route: RouteEntry; target: RevisionTarget; revision: RevisionState } {
  const route = lookup(deps.table(), host);
  if (!route) throw new ActivatorError('NO_ROUTE', `no Route serves host "${host}"`);
  const target = pickTarget(route, (deps.random ?? Math.random)());
  const revision = target && deps.registry.get(target.namespace, target.revision);
  if (!target || !revision) throw new ActivatorError('REVISION_FAILED', `Route ${route.namespace}/${route.route}: revision "${target?.revision}" is not known yet`);
  return { route, target, revision };
}
