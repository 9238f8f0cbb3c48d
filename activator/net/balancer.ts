// Which pod gets a request (pure): Knative's activator policies. Unlimited concurrency: power of two
// choices (the less loaded of two random pods). A small limit (1-3): the first pod with room, so pods fill
// up in order and the autoscaler sees real load. Larger limits: round robin over pods with room.

export interface PodSlot {
  ip: string;
  inflight: number;
}

export function pickPod(pods: readonly PodSlot[], containerConcurrency: number, random: () => number, rr: { next: number }): PodSlot | undefined {
  const open = containerConcurrency > 0 ? pods.filter((p) => p.inflight < containerConcurrency) : pods;
  if (open.length === 0) return undefined;
  if (containerConcurrency === 0) {
    if (open.length === 1) return open[0];
    const a = open[Math.floor(random() * open.length)]!;
    let b = open[Math.floor(random() * open.length)]!;
    if (b === a) b = open[(open.indexOf(a) + 1) % open.length]!;
    return b.inflight < a.inflight ? b : a;
  }
  if (containerConcurrency <= 3) return open[0];
  const pod = open[rr.next % open.length];
  rr.next++;
  return pod;
}
