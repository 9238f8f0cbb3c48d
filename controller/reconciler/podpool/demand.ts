// The claims and misses of each pool, as the pool controller sees them in pods: a claim is a pool pod
// that turned `claimed` (time from its claimed-at annotation), a miss a pod a pool-backed Revision's
// Deployment had to create. Kept by pod UID, so a pod seen twice counts once, and for one window after
// the pod is gone. In memory: after a restart the window refills from the pods that still exist.

export type DemandKind = 'claim' | 'miss';

export class PoolDemand {
  private readonly pools = new Map<string, Map<string, { kind: DemandKind; at: number }>>();

  constructor(private readonly windowMs: (pool: string) => number) {}

  record(pool: string, uid: string, kind: DemandKind, at: number): void {
    let events = this.pools.get(pool);
    if (!events) this.pools.set(pool, (events = new Map()));
    if (!events.has(uid)) events.set(uid, { kind, at });
  }

  /** Demand times of `pool` within its window, dropping older ones. */
  times(pool: string, now: number, kind?: DemandKind): number[] {
    const events = this.pools.get(pool);
    if (!events) return [];
    const horizon = now - this.windowMs(pool);
    const out: number[] = [];
    for (const [uid, e] of events) {
      if (e.at <= horizon) events.delete(uid);
      else if (!kind || e.kind === kind) out.push(e.at);
    }
    if (events.size === 0) this.pools.delete(pool);
    return out;
  }
}
