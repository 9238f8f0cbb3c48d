import type { KubernetesObject } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../../lib/clock.js';
import { messageOf } from '../../lib/errors.js';
import { jsonCopy } from '../../lib/json.js';
import type { Logger } from '../../lib/log.js';
import { isConflict, isNamespaceTerminating, isNotFound } from '../../lib/kube/client.js';
import type { Lister } from '../../lib/kube/lister.js';
import type { ResourceClient } from '../../lib/kube/rest.js';
import type { Status } from '../../api/serving/v1/types.js';
import { PermanentError, type ReconcileResult } from './errors.js';
import type { EventRecorder } from './events.js';
import type { ControllerMetrics } from './metrics.js';
import { WorkQueue } from './workqueue.js';

export type Reconcilable = KubernetesObject & { status?: Status };

/** What one kind implements: bring the world in line with `obj` and set `obj.status` (obj is a copy). */
export interface KindReconciler<T extends Reconcilable> {
  readonly kind: string;
  reconcile(obj: T, now: Date): Promise<ReconcileResult | void>;
}

export interface DriverDeps<T extends Reconcilable> {
  reconciler: KindReconciler<T>;
  lister: Lister<T>;
  client: ResourceClient<T>;
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  metrics: ControllerMetrics;
  workers: number;
  /**
   * How long a new object's first status may wait while it is still converging (Ready Unknown, no
   * error). Its children usually settle within this (a Revision at initial scale 0 in well under a
   * second), so the first status written is the final one: Service, Configuration and Route each save
   * a write, which is what a burst of creations (a GitOps sync) is made of. 0 writes at once.
   */
  firstStatusGraceMs?: number;
}


export const keyOf = (obj: KubernetesObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

/**
 * The reconcile loop every kind shares: key from the queue, object from the informer cache, the kind's
 * reconcile on a copy, then the status written only if it changed (re-read and retried on conflict), errors
 * turned into Warning events and retries with back-off. Level-triggered: a key means "look again", never
 * "this changed".
 */
export class Controller<T extends Reconcilable> {
  readonly queue: WorkQueue;
  private stopped = false;
  /**
   * Our last status write per key, with the resourceVersion it was computed from. Until the informer
   * shows a newer object, the next reconcile starts from what the API server returned for that write:
   * reconciling the stale copy would compute the same status afresh (new lastTransitionTimes) and write
   * it again, which cost one extra status write per object in three under load.
   */
  private readonly ownWrites = new Map<string, { from: string | undefined; written: T }>();

  constructor(private readonly deps: DriverDeps<T>) {
    this.queue = new WorkQueue(deps.clock);
  }

  get kind(): string {
    return this.deps.reconciler.kind;
  }

  enqueue(obj: KubernetesObject): void {
    this.enqueueKey(keyOf(obj));
  }

  enqueueKey(key: string): void {
    this.queue.add(key);
    this.deps.metrics.queueDepth.set({ kind: this.kind }, this.queue.depth);
  }

  start(): void {
    for (let i = 0; i < this.deps.workers; i++) void this.work();
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.deps.metrics.queueDepth.set({ kind: this.kind }, this.queue.depth);
      try {
        await this.process(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** Reconciles one key now (also used by tests). */
  async process(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const current = this.latest(key, this.deps.lister.get(name, namespace || undefined));
    // Gone, or on its way out (kzero sets no finalizers): owner references let the garbage collector take
    // the children. Reconciling an object being deleted would recreate the children the collector is
    // removing (in a terminating namespace, a 403 on every retry), as Knative's reconcilers know to avoid.
    if (!current || current.metadata?.deletionTimestamp) {
      this.queue.forget(key);
      return;
    }
    const log = this.deps.log.with({ kind: this.kind, object: key });
    const started = this.deps.clock.now();
    const draft = jsonCopy(current);
    let result: ReconcileResult | void = undefined;
    let failure: unknown;
    try {
      result = await this.deps.reconciler.reconcile(draft, new Date(started));
    } catch (err) {
      failure = err;
    }
    let holdMs = 0;
    try {
      // Status is written even when reconcile failed: it says why.
      // Compare as stored: a field set to undefined is the same as a missing one.
      if (!isDeepStrictEqual(current.status, jsonCopy(draft.status))) {
        holdMs = failure === undefined ? this.firstStatusHold(current, draft, started) : 0;
        if (holdMs === 0) await this.writeStatus(key, current, draft);
      }
    } catch (err) {
      failure ??= err;
    }
    const seconds = (this.deps.clock.now() - started) / 1000;
    this.deps.metrics.reconcileSeconds.observe({ kind: this.kind }, seconds);
    if (failure === undefined) {
      this.deps.metrics.reconciles.inc({ kind: this.kind, result: 'success' });
      this.queue.forget(key);
      const after = Math.min(result?.requeueAfterMs || Infinity, holdMs || Infinity);
      if (after !== Infinity) this.queue.addAfter(key, after);
      return;
    }
    if (isConflict(failure)) {
      // Someone else (another replica, a user) changed what we read: look again soon, quietly.
      this.deps.metrics.reconciles.inc({ kind: this.kind, result: 'conflict' });
      this.queue.addRateLimited(key);
      return;
    }
    if (isNamespaceTerminating(failure)) {
      // The namespace is being deleted, and this object with it: no retry, no Warning event (each would be
      // refused too), no warning per object.
      this.deps.metrics.reconciles.inc({ kind: this.kind, result: 'namespace_terminating' });
      log.debug('reconcile stopped: namespace is being deleted', { error: failure });
      this.queue.forget(key);
      return;
    }
    const permanent = failure instanceof PermanentError;
    this.deps.metrics.reconciles.inc({ kind: this.kind, result: permanent ? 'permanent_error' : 'error' });
    log.warn('reconcile failed', { error: failure, permanent, retries: this.queue.retries(key) });
    this.deps.events.event(current, 'Warning', permanent ? (failure as PermanentError).reason : 'InternalError', messageOf(failure));
    if (permanent) this.queue.forget(key);
    else this.queue.addRateLimited(key);
  }

  /**
   * Status is derived data, recomputed on every reconcile, so it is written with a merge patch and no
   * resourceVersion precondition: a stale cache (our own last write not yet seen) costs no conflict and
   * no re-read, and whatever a racing replica writes is corrected by the next reconcile.
   */
  private async writeStatus(key: string, current: T, draft: T): Promise<void> {
    const status: Record<string, unknown> = { ...(draft.status ?? {}) };
    for (const k of Object.keys(current.status ?? {})) if (!(k in status) || status[k] === undefined) status[k] = null;
    try {
      const written = await this.deps.client.patch(current.metadata?.namespace, current.metadata?.name ?? '', { status }, 'merge', 'status');
      this.ownWrites.set(key, { from: current.metadata?.resourceVersion, written });
    } catch (err) {
      if (!isNotFound(err)) throw err; // deleted meanwhile: nothing to report on
    }
  }

  /** How long to hold back `draft`'s status: only a first status, still converging, within the grace. */
  private firstStatusHold(current: T, draft: T, now: number): number {
    const grace = this.deps.firstStatusGraceMs ?? 0;
    if (grace <= 0 || current.status !== undefined) return 0;
    if (draft.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'Unknown') return 0;
    const created = Date.parse(String(current.metadata?.creationTimestamp ?? ''));
    if (Number.isNaN(created)) return 0;
    return Math.max(0, created + grace - now);
  }

  /** The cached object, or our own later write of it while the cache has not caught up. */
  private latest(key: string, cached: T | undefined): T | undefined {
    const own = this.ownWrites.get(key);
    if (!own) return cached;
    if (cached && cached.metadata?.resourceVersion === own.from) return own.written;
    this.ownWrites.delete(key); // the cache shows our write, or something newer, or the object is gone
    return cached;
  }
}
