// When to destroy a socket we have ended (pure). After our FIN the peer should close its side too; a
// client that never does, or never reads what we sent, would otherwise hold the socket forever (as
// nginx's lingering_timeout, and its send_timeout for writes that do not move).

/** Once everything we wrote is out, the peer has this long to close. */
export const LINGER_MS = 2000;
/** Before that, our queued bytes must move at least this often. */
export const SEND_STALL_MS = 10_000;

export interface Linger {
  /** When the linger (re)started: our end(), or the last time our queued bytes moved. */
  since: number;
  /** Our bytes not yet handed to the kernel, as last seen. */
  pending: number;
}

export function startLinger(pending: number, now: number): Linger {
  return { since: now, pending };
}

/** Whether the socket should be destroyed now, given the bytes it still has queued. Updates `l`. */
export function lingerOver(l: Linger, pending: number, now: number): boolean {
  if (pending !== l.pending) {
    l.pending = pending;
    l.since = now;
    return false;
  }
  return now - l.since >= (pending > 0 ? SEND_STALL_MS : LINGER_MS);
}
