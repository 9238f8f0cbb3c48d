import { ActivatorError } from '../errors.js';
import { lookup, pickTarget, type RoutingTable } from '../routing/table.js';
import type { RevisionRegistry } from '../revisions.js';
import type { Middleware } from './context.js';

/** Host -> Route -> a revision by the Route's traffic percentages (tag hosts go to their revision). */
export function routeMiddleware(deps: { table: () => RoutingTable; registry: RevisionRegistry; random?: () => number }): Middleware {
  const random = deps.random ?? Math.random;
  return (next) => async (ctx) => {
    const entry = lookup(deps.table(), ctx.host);
    if (!entry) throw new ActivatorError('NO_ROUTE', `no Route serves host "${ctx.host}"`);
    const target = pickTarget(entry, random());
    const revision = target && deps.registry.get(target.namespace, target.revision);
    if (!target || !revision) throw new ActivatorError('REVISION_FAILED', `Route ${entry.namespace}/${entry.route}: revision "${target?.revision}" is not known yet`);
    ctx.route = entry;
    ctx.target = target;
    ctx.revision = revision;
    await next(ctx);
  };
}
