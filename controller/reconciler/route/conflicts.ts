import type { DomainConfig } from '../../../api/serving/domain-config.js';
import { claimKey, claimsOf, compareClaims, rivalsFor, servedClaims, type HostClaim } from '../../../api/serving/host-claims.js';
import type { Route, TrafficTarget } from '../../../api/serving/v1/types.js';

// Which of a Route's tag hosts another Route wins, by the activator's rule (api/serving/host-claims.ts).
// A Route's own host never loses (two Routes of one namespace cannot share a name), so only tags are
// checked, and only against the few Routes that could claim the same label, read by name: the reconciler
// never lists Routes, and the rivals may be in another shard.

export interface LostTag {
  claim: HostClaim;
  winner: HostClaim;
}

/** A Route of the namespace by name, whatever its shard; undefined if there is none. */
export type RouteByName = (name: string) => Promise<Route | undefined>;

/** The tags of `route`, with `traffic` about to be its resolved traffic, whose host another Route wins. */
export async function lostTags(route: Route, traffic: readonly TrafficTarget[], domains: DomainConfig, routeByName: RouteByName): Promise<LostTag[]> {
  const tags = claimsOf(route, traffic, domains).filter((c) => c.tag !== undefined);
  if (tags.length === 0) return [];
  const rivals = new Map<string, Promise<HostClaim[]>>();
  const claimsOfRival = (name: string): Promise<HostClaim[]> => {
    let claims = rivals.get(name);
    if (!claims) rivals.set(name, (claims = routeByName(name).then((r) => (r ? servedClaims(r, domains) : []))));
    return claims;
  };
  const lost: LostTag[] = [];
  for (const claim of tags) {
    let winner: HostClaim | undefined;
    for (const name of rivalsFor(claim.label, route.metadata.name ?? '')) {
      for (const theirs of await claimsOfRival(name)) {
        if (claimKey(theirs) !== claimKey(claim) || compareClaims(theirs, claim) >= 0) continue;
        if (!winner || compareClaims(theirs, winner) < 0) winner = theirs;
      }
    }
    if (winner) lost.push({ claim, winner });
  }
  return lost;
}
