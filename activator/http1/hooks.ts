import type { ActivatorError } from '../errors.js';
import type { ByteBudget } from '../net/budget.js';
import type { RequestHead } from './head.js';
import type { UpstreamPool } from './upstreams.js';

// What the HTTP/1.1 engine asks of the activator, and what its connections share.

/** A pod reserved for one request, with Knative's timeouts counted from when it was given (ms; idleMs 0: none). */
export interface PodSlot {
  ip: string;
  port: number;
  responseStartMs: number;
  totalMs: number;
  idleMs: number;
  /** Names the target in error messages, e.g. `revision "hello-00001"`. */
  label: string;
  release(): void;
}

/** A request waiting for a pod: it may be given up (the client went away, or it was refused meanwhile). */
export interface PodWait {
  /** `fn` runs once if the request ends before it got its pod. */
  onAbandon(fn: () => void): void;
}

/** What the activator decides for each request; the connection does the HTTP. `R` is its per-request routing result. */
export interface ProxyHooks<R> {
  /** Which target the request goes to. Throws an ActivatorError to answer it here (404, 503). */
  resolve(head: RequestHead, host: string): R;
  /** A pod for it: at once when warm, later when cold; undefined if the request was abandoned meanwhile. */
  acquire(routed: R, wait: PodWait, startedAt: number): PodSlot | Promise<PodSlot | undefined>;
  /** After connects to the pods `tried` failed: another pod of the same target with room now, if there is one. */
  failover(routed: R, tried: readonly string[], startedAt: number): PodSlot | undefined;
  /** Once per request however it ended, with the status the client got (499: it went away first). */
  done(routed: R | undefined, status: number, startedAt: number, host: string, error: ActivatorError | undefined): void;
}

/** Something the server's sweep checks for timeouts: a client connection, or the tunnel one became. */
export interface Swept {
  sweep(now: number): void;
  /** The activator drains: close now if nothing is under way, else after it. */
  closeIfIdle(): void;
}

/** What all connections of one server share. */
export interface ConnectionContext<R> {
  readonly hooks: ProxyHooks<R>;
  readonly pool: UpstreamPool;
  readonly budget: ByteBudget;
  /** Set while the activator drains: every response closes its connection. */
  readonly draining: boolean;
  now(): number;
  /** `from` gave its socket to `to` (an upgrade): sweep `to` from now on. */
  handOver(from: Swept, to: Swept): void;
  /** `item` has closed. */
  forget(item: Swept): void;
}
