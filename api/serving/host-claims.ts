import { findCondition } from '../conditions.js';
import type { DomainConfig } from './domain-config.js';
import { routeHosts, type RouteHosts } from './route-hosts.js';
import type { Route, TrafficTarget } from './v1/types.js';

// Which Route serves a host when several compute it (pure). Hosts of two namespaces never meet
// (route-hosts.ts), so claims meet only within one namespace and on one label: a Route's own `<name>`
// against another Route's `<tag>-<route>`, or two tags' `<t1>-<r1>` = `<t2>-<r2>`. The winner, the same for
// every host of that label: a Route's own host beats any tag's; between tags, the older Route
// (creationTimestamp), then the Route's name. The activator serves the winner and keeps the others for
// when it goes; the route reconciler reports the loss on the loser. Both use these functions.

export interface HostClaim extends RouteHosts {
  namespace: string;
  route: string;
  /** Absent for the Route's own host. */
  tag?: string;
  /** creationTimestamp in ms; a Route without one counts as the youngest. */
  created: number;
  /** What the host serves: resolved revisions, the percentages summing to 100. */
  targets: ReadonlyArray<{ revision: string; percent: number }>;
}

function createdMs(route: Route): number {
  const ts: unknown = route.metadata.creationTimestamp;
  const ms = ts instanceof Date ? ts.getTime() : Date.parse(String(ts ?? ''));
  return Number.isFinite(ms) ? ms : Infinity;
}

/**
 * The claims a Route makes with `traffic`, its resolved traffic (what the controller wrote to status, or is
 * about to): its own host if some revision takes a share, and one host per tag, each serving its revision.
 * Tags come from this resolved traffic, not from spec: a tag's host must serve a resolved revision (spec may
 * name a Configuration, or a Revision not ready yet), host and target then come from one snapshot, the last
 * good one while new targets are not ready, and only the controller writes it (tenants get no status).
 */
export function claimsOf(route: Route, traffic: readonly TrafficTarget[], config: DomainConfig): HostClaim[] {
  const base = { namespace: route.metadata.namespace ?? '', route: route.metadata.name ?? '', created: createdMs(route) };
  const claims: HostClaim[] = [];
  const targets = traffic.filter((t) => t.revisionName && (t.percent ?? 0) > 0).map((t) => ({ revision: t.revisionName!, percent: t.percent ?? 0 }));
  const own = targets.length > 0 ? routeHosts(route.metadata, config) : undefined;
  if (own) claims.push({ ...base, ...own, targets });
  const tags = new Set<string>();
  for (const t of traffic) {
    // A tag given twice (the webhook refuses it) counts once: its first target.
    if (!t.tag || !t.revisionName || tags.has(t.tag)) continue;
    tags.add(t.tag);
    const hosts = routeHosts(route.metadata, config, t.tag);
    if (hosts) claims.push({ ...base, ...hosts, tag: t.tag, targets: [{ revision: t.revisionName, percent: 100 }] });
  }
  return claims;
}

/** The claims of a stored Route: none until the controller has resolved its traffic (AllTrafficAssigned set). */
export function servedClaims(route: Route, config: DomainConfig): HostClaim[] {
  if (findCondition(route.status, 'AllTrafficAssigned')?.status === undefined) return [];
  return claimsOf(route, route.status?.traffic ?? [], config);
}

/** Claims compete only when these keys are equal. */
export const claimKey = (c: Pick<HostClaim, 'namespace' | 'label'>): string => `${c.namespace}/${c.label}`;

const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Negative if `a` wins over `b`, positive if `b` wins, 0 for the same claim. A total order. */
export function compareClaims(a: HostClaim, b: HostClaim): number {
  const tagged = Number(a.tag !== undefined) - Number(b.tag !== undefined);
  if (tagged !== 0) return tagged;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return order(a.route, b.route) || order(a.tag ?? '', b.tag ?? '');
}

/**
 * The names of the Routes that could claim `label` (besides `self`): the Route named `label` (its own
 * host), and for each `-` in it the Route named by what follows (a tag made of what precedes).
 */
export function rivalsFor(label: string, self: string): string[] {
  const names = [label];
  for (let i = label.indexOf('-'); i >= 0; i = label.indexOf('-', i + 1)) names.push(label.slice(i + 1));
  // A Kubernetes name starts with a letter or digit: `a--b` has no Route `-b` to ask about.
  return [...new Set(names)].filter((n) => /^[a-z0-9]/.test(n) && n !== self);
}
