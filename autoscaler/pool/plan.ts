// How a Revision gets from its current pods to the desired scale (pure), when some of its pods were
// claimed from a warm pool and the rest belong to its Deployment.

export interface ScalePlan {
  /** Pods to add: claim up to this many from the pool; whatever cannot be claimed goes to the Deployment. */
  add: number;
  /** Claimed pods to delete (claimed pods go first on the way down, and never return to the pool). */
  removeClaimed: string[];
  /** The Deployment's replicas if every pod to add came from the Deployment. */
  replicas: number;
}

/**
 * @param desired the decider's scale
 * @param replicas the Deployment's replicas now
 * @param claimed the Revision's claimed pods, newest first (the newest have served least: they go first)
 */
export function planScale(desired: number, replicas: number, claimed: readonly string[]): ScalePlan {
  const current = replicas + claimed.length;
  if (desired >= current) return { add: desired - current, removeClaimed: [], replicas: replicas + desired - current };
  const excess = current - desired;
  const removeClaimed = claimed.slice(0, Math.min(excess, claimed.length));
  return { add: 0, removeClaimed, replicas: replicas - (excess - removeClaimed.length) };
}
