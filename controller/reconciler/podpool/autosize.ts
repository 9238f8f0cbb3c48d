import type { PodPoolSpec } from '../../../api/kzero/v1alpha1/types.js';

// How big a pool's warm set should be (pure): enough to cover the claims expected while new warm pods
// start, plus headroom, within minReady..maxReady. Demand is claims plus misses (a miss is a claim the
// pool was too small to serve). A short window (a tenth of the long one) catches bursts at once, as the
// KPA's panic window does; the long window keeps the pool from shrinking the moment a burst ends.

export interface PoolSizing {
  minReady: number;
  maxReady: number;
  windowMs: number;
  refillMs: number;
  headroom: number;
}

export const POOL_DEFAULTS = Object.freeze({ minReady: 1, maxReady: 10, windowSeconds: 60, refillSeconds: 3, headroomPercent: 50 });

export function poolSizing(spec: PodPoolSpec): PoolSizing {
  const minReady = spec.minReady ?? POOL_DEFAULTS.minReady;
  const a = spec.autosizing ?? {};
  return {
    minReady,
    maxReady: Math.max(minReady, spec.maxReady ?? Math.max(minReady, POOL_DEFAULTS.maxReady)),
    windowMs: (a.windowSeconds ?? POOL_DEFAULTS.windowSeconds) * 1000,
    refillMs: (a.refillSeconds ?? POOL_DEFAULTS.refillSeconds) * 1000,
    headroom: (a.headroomPercent ?? POOL_DEFAULTS.headroomPercent) / 100,
  };
}

/** Demand events (claims and misses, epoch ms) in (now - ms, now]. */
export function countSince(times: readonly number[], now: number, ms: number): number {
  let n = 0;
  for (const t of times) if (t > now - ms && t <= now) n++;
  return n;
}

/** The pool's target warm size at `now`, from its demand events. */
export function poolTargetSize(s: PoolSizing, demand: readonly number[], now: number): number {
  const burstMs = Math.max(1000, s.windowMs / 10);
  const perMs = Math.max(countSince(demand, now, s.windowMs) / s.windowMs, countSince(demand, now, burstMs) / burstMs);
  const need = Math.ceil(perMs * s.refillMs * (1 + s.headroom));
  return Math.min(s.maxReady, Math.max(s.minReady, need));
}
