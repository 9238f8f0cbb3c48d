// Crash-loop back-off, as the kubelet does it (pure): the first restart is immediate, then 10 s, 20 s, 40 s...
// capped at 5 min; a container that ran for `resetAfterMs` without failing starts over from zero.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const KUBELET_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 });

/** The delay before the next start, given how many times the container has finished so far in a row. */
export function restartDelayMs(policy: BackoffPolicy, consecutiveFailures: number): number {
  if (consecutiveFailures <= 1) return 0;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** (consecutiveFailures - 2));
}

/** Consecutive failures after a run that lasted `ranMs`: a long healthy run resets the count. */
export function nextFailureCount(policy: BackoffPolicy, previous: number, ranMs: number): number {
  return ranMs >= policy.resetAfterMs ? 1 : previous + 1;
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** Whether a container that exited with `exitCode` is started again under the pod's restartPolicy. */
export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}
