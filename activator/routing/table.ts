import { parseDomainConfig, type DomainConfig } from '../../api/serving/domain-config.js';
import { claimKey, compareClaims, servedClaims, type HostClaim } from '../../api/serving/host-claims.js';
import type { Route } from '../../api/serving/v1/types.js';

// The routing table: host -> Route entry. Hosts are computed from each Route's name, namespace, labels and
// config-domain (api/serving/route-hosts.ts), never read from its status, which only gives the resolved
// revisions. The activator keeps it one Route at a time (RoutingIndex) and keeps serving the last one while
// the API server is away.

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
}

/** Which listener a request came in on: the internet's, or the one only reachable inside the cluster. */
export type Scope = 'public' | 'cluster-local';

export interface RoutingTable {
  /** Every served host: the cluster-local listener's. */
  readonly hosts: ReadonlyMap<string, RouteEntry>;
  /** The hosts Routes publish outside the cluster (RouteHosts.publicHosts): the public listener's. */
  readonly publicHosts: ReadonlyMap<string, RouteEntry>;
}

interface Claimant {
  claim: HostClaim;
  entry: RouteEntry;
}

/**
 * The routing table kept up to date one Route at a time: a Route's change costs its own claims, not a
 * rebuild of every Route. Every claimant of a label (host-claims.ts) is kept, the winner first, and only the
 * winner's hosts are served: removing it serves the next one at once.
 */
export class RoutingIndex {
  private readonly hosts = new Map<string, RouteEntry>();
  private readonly publicHosts = new Map<string, RouteEntry>();
  readonly table: RoutingTable = { hosts: this.hosts, publicHosts: this.publicHosts };
  private readonly routes = new Map<string, { route: Route; claims: readonly Claimant[] }>();
  /** By claimKey: every claimant, the winner first. */
  private readonly claimants = new Map<string, Claimant[]>();
  /** By claimKey: the claimant whose hosts are in `hosts`. */
  private readonly served = new Map<string, Claimant>();

  constructor(private domains: DomainConfig = parseDomainConfig(undefined)) {}

  upsert(route: Route): void {
    const namespace = route.metadata.namespace ?? '';
    const claims = servedClaims(route, this.domains).map((claim) => ({
      claim,
      entry: { namespace, route: claim.route, targets: claim.targets.map((t) => ({ namespace, ...t })) },
    }));
    this.replace(`${namespace}/${route.metadata.name}`, { route, claims });
  }

  remove(route: Route): void {
    this.replace(`${route.metadata.namespace}/${route.metadata.name}`, undefined);
  }

  /** A new config-domain: every Route's hosts again. */
  setDomains(domains: DomainConfig): void {
    this.domains = domains;
    for (const { route } of [...this.routes.values()]) this.upsert(route);
  }

  private replace(key: string, next: { route: Route; claims: readonly Claimant[] } | undefined): void {
    const touched = new Set<string>();
    for (const c of this.routes.get(key)?.claims ?? []) {
      const k = claimKey(c.claim);
      const list = this.claimants.get(k)?.filter((o) => o !== c) ?? [];
      if (list.length) this.claimants.set(k, list);
      else this.claimants.delete(k);
      touched.add(k);
    }
    if (next) this.routes.set(key, next);
    else this.routes.delete(key);
    for (const c of next?.claims ?? []) {
      const k = claimKey(c.claim);
      this.claimants.set(k, [...(this.claimants.get(k) ?? []), c].sort((a, b) => compareClaims(a.claim, b.claim)));
      touched.add(k);
    }
    for (const k of touched) this.serve(k);
  }

  /** Serves the winner of `k` in place of the one served before. Labels never share a host (host-claims.ts). */
  private serve(k: string): void {
    const before = this.served.get(k);
    const winner = this.claimants.get(k)?.[0];
    if (before === winner) return;
    for (const h of before?.claim.hosts ?? []) this.hosts.delete(h);
    for (const h of before?.claim.publicHosts ?? []) this.publicHosts.delete(h);
    if (winner) {
      for (const h of winner.claim.hosts) this.hosts.set(h, winner.entry);
      for (const h of winner.claim.publicHosts) this.publicHosts.set(h, winner.entry);
      this.served.set(k, winner);
    } else {
      this.served.delete(k);
    }
  }
}

/** The entry for a (normalized) host on a listener of `scope`; a host not served there is unknown. */
export function lookup(table: RoutingTable, host: string, scope: Scope): RouteEntry | undefined {
  return (scope === 'public' ? table.publicHosts : table.hosts).get(host);
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
