import { findCondition } from '../../api/conditions.js';
import { ServingLabels, VISIBILITY_CLUSTER_LOCAL } from '../../api/serving/labels.js';
import type { Route } from '../../api/serving/v1/types.js';
import { clusterLocalHosts, hostOfUrl } from './hosts.js';

// The routing table: host -> Route entry, built from the Routes' status (pure), and kept by the activator
// one Route at a time (RoutingIndex). It keeps serving the last one while the API server is away.

export interface RevisionTarget {
  namespace: string;
  revision: string;
  /** 0..100; targets of one entry sum to 100 (tag entries have one target at 100). */
  percent: number;
}

export interface RouteEntry {
  namespace: string;
  route: string;
  targets: readonly RevisionTarget[];
  /** Only served on cluster-local host names. */
  clusterLocal: boolean;
}

export interface RoutingTable {
  readonly external: ReadonlyMap<string, RouteEntry>;
  readonly internal: ReadonlyMap<string, RouteEntry>;
}

export function buildRoutingTable(routes: Iterable<Route>): RoutingTable {
  const external = new Map<string, RouteEntry>();
  const internal = new Map<string, RouteEntry>();
  for (const route of routes) {
    const namespace = route.metadata.namespace ?? '';
    const name = route.metadata.name ?? '';
    const traffic = route.status?.traffic ?? [];
    // Serve only what the Route controller has resolved: a Route never ready has no targets yet.
    if (traffic.length === 0 || findCondition(route.status, 'AllTrafficAssigned')?.status === undefined) continue;
    const clusterLocal = route.metadata.labels?.[ServingLabels.visibility] === VISIBILITY_CLUSTER_LOCAL;
    const main: RouteEntry = {
      namespace, route: name, clusterLocal,
      targets: traffic.filter((t) => t.revisionName && (t.percent ?? 0) > 0).map((t) => ({ namespace, revision: t.revisionName!, percent: t.percent ?? 0 })),
    };
    if (main.targets.length) {
      const url = hostOfUrl(route.status?.url);
      if (url && !clusterLocal) external.set(url, main);
      for (const h of clusterLocalHosts(name, namespace)) internal.set(h, main);
    }
    for (const t of traffic) {
      if (!t.tag || !t.revisionName) continue;
      const tagged: RouteEntry = { namespace, route: name, clusterLocal, targets: [{ namespace, revision: t.revisionName, percent: 100 }] };
      const url = hostOfUrl(t.url);
      if (url && !clusterLocal) external.set(url, tagged);
      for (const h of clusterLocalHosts(`${t.tag}-${name}`, namespace)) internal.set(h, tagged);
    }
  }
  return { external, internal };
}

/**
 * The routing table kept up to date one Route at a time: a Route's change costs its own entries, not a
 * rebuild of every Route (1,000 Routes changing once each would otherwise cost a million entries).
 * Each Route's entries come from buildRoutingTable, so the rules live in one place.
 */
export class RoutingIndex {
  readonly table: { readonly external: Map<string, RouteEntry>; readonly internal: Map<string, RouteEntry> } = { external: new Map(), internal: new Map() };
  private readonly byRoute = new Map<string, RoutingTable>();

  upsert(route: Route): void {
    const key = `${route.metadata.namespace}/${route.metadata.name}`;
    this.removeKey(key);
    const own = buildRoutingTable([route]);
    this.byRoute.set(key, own);
    for (const [h, e] of own.external) this.table.external.set(h, e);
    for (const [h, e] of own.internal) this.table.internal.set(h, e);
  }

  remove(route: Route): void {
    this.removeKey(`${route.metadata.namespace}/${route.metadata.name}`);
  }

  private removeKey(key: string): void {
    const own = this.byRoute.get(key);
    if (!own) return;
    this.byRoute.delete(key);
    // Only hosts still pointing at this Route's entries: a host another Route took since stays with it.
    for (const [h, e] of own.external) if (this.table.external.get(h) === e) this.table.external.delete(h);
    for (const [h, e] of own.internal) if (this.table.internal.get(h) === e) this.table.internal.delete(h);
  }
}

/** The entry for a host; cluster-local Routes are reachable only by their cluster-local names. */
export function lookup(table: RoutingTable, host: string): RouteEntry | undefined {
  return table.external.get(host) ?? table.internal.get(host);
}

/** A weighted pick among an entry's targets; `random` in [0, 1). Pure. */
export function pickTarget(entry: RouteEntry, random: number): RevisionTarget | undefined {
  const total = entry.targets.reduce((s, t) => s + t.percent, 0);
  let x = random * total;
  for (const t of entry.targets) {
    if (x < t.percent) return t;
    x -= t.percent;
  }
  return entry.targets[entry.targets.length - 1];
}
