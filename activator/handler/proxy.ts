import type { Histogram } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { ActivatorError } from '../errors.js';
import type { PodSlot, PodWait, ProxyHooks } from '../http1/hooks.js';
import type { DirectProber } from '../net/prober.js';
import type { RevisionState } from '../revisions.js';
import type { Scope } from '../routing/table.js';
import type { StatsCollector } from '../stats/collector.js';
import { resolveRevision, type RouteDeps } from './route.js';

export interface ProxyDeps {
  clock: Clock;
  prober: DirectProber;
  /** Tells the revision's shard autoscaler that a request is waiting for a revision with no pod. */
  poke(rev: RevisionState): void;
  /** Requests that may wait for one revision before new ones get 503. */
  queueLimit: number;
  coldStartSeconds: Histogram<'path'>;
}

type Slot = { ip: string; release: () => void };

type Acquired = { slot: Slot; cold: boolean };

/**
 * A pod with room for one request (or upgraded connection) to `rev`. Warm: at once, without a promise (the
 * warm path's cost). Cold: the autoscaler is poked, starting pods are probed, and the caller waits in a
 * bounded queue until the revision's timeout; a revision that cannot start fails at once. Undefined if
 * the request was abandoned while waiting.
 */
function acquirePod(rev: RevisionState, deps: ProxyDeps, started: number, wait: PodWait): Acquired | Promise<Acquired | undefined> {
  if (rev.backends.failure) throw new ActivatorError('REVISION_FAILED', rev.backends.failure);
  const cold = rev.backends.readyCount === 0;
  if (cold) deps.poke(rev);
  if (rev.backends.waiting >= deps.queueLimit) {
    throw new ActivatorError('QUEUE_FULL', `revision "${rev.name}": ${rev.backends.waiting} requests already waiting for a pod (limit ${deps.queueLimit})`);
  }
  const warm = rev.backends.tryAcquire();
  if (warm) return { slot: warm, cold };
  return waitForPod(rev, deps, started, wait, cold);
}

async function waitForPod(rev: RevisionState, deps: ProxyDeps, started: number, wait: PodWait, cold: boolean): Promise<Acquired | undefined> {
  const abort = new AbortController();
  wait.onAbandon(() => abort.abort());
  deps.prober.kick();
  const slot = await rev.backends.acquire(started + rev.timeoutMs, abort.signal);
  if (slot) return { slot, cold };
  if (abort.signal.aborted) return undefined;
  if (rev.backends.failure) throw new ActivatorError('REVISION_FAILED', rev.backends.failure);
  throw new ActivatorError('COLD_START_TIMEOUT', `revision "${rev.name}": no pod could take the request within ${Math.round(rev.timeoutMs / 1000)}s`);
}

/** A request routed to a revision, and how it got its pod. */
export interface RoutedRequest {
  revision: RevisionState;
  path: 'warm' | 'cold';
}

export interface HookDeps extends ProxyDeps {
  route: RouteDeps;
  stats: StatsCollector;
  record(revision: RevisionState | undefined, status: number, path: string, startedAt: number): void;
  log: Logger;
}

/** Knative's timeouts for the exchange, less what the request already waited for its pod. */
function podSlot(rev: RevisionState, slot: Slot, waited: number): PodSlot {
  return {
    ip: slot.ip, port: rev.port, release: slot.release, label: `revision "${rev.name}"`,
    responseStartMs: Math.max(1, Math.min(rev.responseStartTimeoutMs, rev.timeoutMs) - waited),
    totalMs: Math.max(1, rev.timeoutMs - waited),
    idleMs: rev.idleTimeoutMs,
  };
}

/**
 * The activator's decisions for each request on a listener of `scope`: Route and revision by Host among the
 * hosts served there, a pod (warm or after a cold start), metrics and logs.
 */
export function activatorHooks(deps: HookDeps, scope: Scope): ProxyHooks<RoutedRequest> {
  return {
    resolve(_head, host) {
      const { revision } = resolveRevision(deps.route, host, scope);
      deps.stats.request(revision);
      return { revision, path: 'warm' };
    },
    acquire(routed, wait, startedAt) {
      const rev = routed.revision;
      const given = (got: Acquired | undefined): PodSlot | undefined => {
        if (!got) return undefined;
        const waited = deps.clock.now() - startedAt;
        if (got.cold) {
          routed.path = 'cold';
          deps.coldStartSeconds.observe({ path: rev.pooled.has(got.slot.ip) ? 'pool' : 'deployment' }, waited / 1000);
        }
        return podSlot(rev, got.slot, waited);
      };
      const got = acquirePod(rev, deps, startedAt, wait);
      return got instanceof Promise ? got.then(given) : given(got)!;
    },
    failover(routed, tried, startedAt) {
      const rev = routed.revision;
      const slot = rev.backends.tryAcquire(tried);
      return slot && podSlot(rev, slot, deps.clock.now() - startedAt);
    },
    done(routed, status, startedAt, host, error) {
      deps.record(routed?.revision, status, routed?.path ?? 'none', startedAt);
      if (error && error.status >= 500) deps.log.warn('activator: request failed', { host, revision: routed?.revision.key, code: error.code, error: error.message });
    },
  };
}
