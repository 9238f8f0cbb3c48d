import { ActivatorError } from '../errors.js';
import { lookup, pickTarget, type RevisionTarget, type RouteEntry, type RoutingTable, type Scope } from '../routing/table.js';
import type { RevisionRegistry, RevisionState } from '../revisions.js';

export interface RouteDeps {
  table: () => RoutingTable;
  registry: RevisionRegistry;
  random?: () => number;
}

/**
 * Host -> Route -> a revision by the Route's traffic percentages (tag hosts go to their revision), among the
 * hosts served on a listener of `scope`. A host the listener does not serve gets the same NO_ROUTE as an
 * unknown one: the public listener does not tell that a cluster-local host exists.
 */
export function resolveRevision(deps: RouteDeps, host: string, scope: Scope): { route: RouteEntry; target: RevisionTarget; revision: RevisionState } {
  const route = lookup(deps.table(), host, scope);
  if (!route) throw new ActivatorError('NO_ROUTE', `no Route serves host "${host}"`);
  const target = pickTarget(route, (deps.random ?? Math.random)());
  const revision = target && deps.registry.get(target.namespace, target.revision);
  if (!target || !revision) throw new ActivatorError('REVISION_FAILED', `Route ${route.namespace}/${route.route}: revision "${target?.revision}" is not known yet`);
  return { route, target, revision };
}
