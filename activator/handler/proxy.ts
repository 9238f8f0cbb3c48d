import type { Agent } from 'node:http';
import type { Histogram } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import { ActivatorError } from '../errors.js';
import type { DirectProber } from '../net/prober.js';
import type { EventEmitter } from 'node:events';
import type { RevisionState } from '../revisions.js';
import type { Handler, RequestContext } from './context.js';
import { forward } from './forward.js';

export interface ProxyDeps {
  clock: Clock;
  agent: Agent;
  prober: DirectProber;
  /** Tells the revision's shard autoscaler that a request is waiting for a revision with no pod. */
  poke(rev: RevisionState): void;
  /** Requests that may wait for one revision before new ones get 503. */
  queueLimit: number;
  coldStartSeconds: Histogram<'path'>;
}

export type Slot = { ip: string; release: () => void };

/**
 * A pod with room for one request (or upgraded connection) to `rev`. Warm: at once. Cold: the autoscaler is
 * poked, starting pods are probed, and the caller waits in a bounded queue until the revision's timeout;
 * a revision that cannot start fails at once. Undefined if `client` went away while waiting.
 */
export async function acquirePod(rev: RevisionState, deps: ProxyDeps, started: number, client: EventEmitter): Promise<{ slot: Slot; cold: boolean } | undefined> {
  if (rev.backends.failure) throw new ActivatorError('REVISION_FAILED', rev.backends.failure);
  const cold = rev.backends.readyCount === 0;
  if (cold) deps.poke(rev);
  if (rev.backends.waiting >= deps.queueLimit) {
    throw new ActivatorError('QUEUE_FULL', `revision "${rev.name}": ${rev.backends.waiting} requests already waiting for a pod (limit ${deps.queueLimit})`);
  }
  const warm = rev.backends.tryAcquire();
  if (warm) return { slot: warm, cold };
  const abort = new AbortController();
  const onClose = (): void => abort.abort();
  client.once('close', onClose);
  deps.prober.kick();
  const slot = await rev.backends.acquire(started + rev.timeoutMs, abort.signal);
  client.off('close', onClose);
  if (slot) return { slot, cold };
  if (abort.signal.aborted) return undefined;
  if (rev.backends.failure) throw new ActivatorError('REVISION_FAILED', rev.backends.failure);
  throw new ActivatorError('COLD_START_TIMEOUT', `revision "${rev.name}": no pod could take the request within ${Math.round(rev.timeoutMs / 1000)}s`);
}

/** A pod for the request (see acquirePod), then the request to it. */
export function proxyHandler(deps: ProxyDeps): Handler {
  return async (ctx: RequestContext) => {
    const rev = ctx.revision!;
    const started = deps.clock.now();
    const got = await acquirePod(rev, deps, started, ctx.res);
    if (!got) return; // the client went away while waiting
    const { slot, cold } = got;
    ctx.path = cold ? 'cold' : 'warm';
    if (cold) deps.coldStartSeconds.observe({ path: rev.pooled.has(slot.ip) ? 'pool' : 'deployment' }, (deps.clock.now() - started) / 1000);
    try {
      const waited = deps.clock.now() - started;
      await forward(ctx, slot.ip, rev.port, deps.agent, {
        responseStartMs: Math.max(1, Math.min(rev.responseStartTimeoutMs, rev.timeoutMs) - waited),
        totalMs: Math.max(1, rev.timeoutMs - waited),
        idleMs: rev.idleTimeoutMs,
      });
    } finally {
      slot.release();
    }
  };
}
