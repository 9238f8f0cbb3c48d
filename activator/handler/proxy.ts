import type { Agent } from 'node:http';
import type { Histogram } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import { ActivatorError } from '../errors.js';
import type { DirectProber } from '../net/prober.js';
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

/**
 * A pod for the request, then the request to it. Warm: a ready pod with room, at once. Cold: the request
 * waits (bounded queue, the revision's timeout) while the autoscaler is poked and starting pods are probed;
 * it fails at once if the revision turns out unable to start.
 */
/** The cold path: wait (bounded by the revision's timeout) for a pod with room, probing starting pods. */
async function waitForPod(ctx: RequestContext, deps: ProxyDeps, started: number): Promise<{ ip: string; release: () => void } | undefined> {
  const rev = ctx.revision!;
  const abort = new AbortController();
  const onClose = (): void => abort.abort();
  ctx.res.once('close', onClose);
  deps.prober.kick();
  const slot = await rev.backends.acquire(started + rev.timeoutMs, abort.signal);
  ctx.res.off('close', onClose);
  if (slot || abort.signal.aborted) return slot;
  if (rev.backends.failure) throw new ActivatorError('REVISION_FAILED', rev.backends.failure);
  throw new ActivatorError('COLD_START_TIMEOUT', `revision "${rev.name}": no pod could take the request within ${Math.round(rev.timeoutMs / 1000)}s`);
}

export function proxyHandler(deps: ProxyDeps): Handler {
  return async (ctx: RequestContext) => {
    const rev = ctx.revision!;
    if (rev.backends.failure) throw new ActivatorError('REVISION_FAILED', rev.backends.failure);
    const started = deps.clock.now();
    const cold = rev.backends.readyCount === 0;
    if (cold) deps.poke(rev);
    if (rev.backends.waiting >= deps.queueLimit) {
      throw new ActivatorError('QUEUE_FULL', `revision "${rev.name}": ${rev.backends.waiting} requests already waiting for a pod (limit ${deps.queueLimit})`);
    }
    const slot = rev.backends.tryAcquire() ?? (await waitForPod(ctx, deps, started));
    if (!slot) return; // the client went away while waiting
    ctx.path = cold ? 'cold' : 'warm';
    if (cold) deps.coldStartSeconds.observe({ path: 'deployment' }, (deps.clock.now() - started) / 1000);
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
