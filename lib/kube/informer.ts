import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { collectionPath, type ResourceClient } from './rest.js';

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** Watch path, e.g. `/api/v1/pods`. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  clock: Clock;
  log: Logger;
  /** Resync: every `resyncMs` each cached object is delivered again as an update (level-triggered). */
  resyncMs?: number;
}

export interface Handlers<T> {
  add?: (obj: T) => void;
  update?: (obj: T) => void;
  delete?: (obj: T) => void;
}

/**
 * An informer that never silently stops. client-node's ListWatch restarts itself only after 410 Gone; any
 * other error (API server restart, network) ends its watch for good. This one restarts with capped
 * exponential back-off, so a watch outage costs a relist, never a dead controller.
 */
export class Informer<T extends KubernetesObject> {
  private readonly lw: ListWatch<T>;
  private stopped = false;
  private failures = 0;
  private resyncTimer: { cancel(): void } | undefined;
  private readonly synced: Promise<void>;
  private markSynced!: () => void;
  private started = false;
  private readonly resyncHandlers: Array<(obj: T) => void> = [];

  constructor(private readonly opts: InformerOptions<T>) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await opts.list();
      // ListWatch fills its cache right after this promise settles; report synced once it has.
      setImmediate(this.markSynced);
      return result;
    };
    this.lw = new ListWatch<T>(opts.path, new Watch(opts.kubeConfig), list, false, opts.labelSelector, opts.fieldSelector);
    // The cache keeps objects without managedFields (the first handlers to run): no component reads them,
    // and they are a large share of every object that handlers copy and compare.
    this.lw.on('add', stripManagedFields);
    this.lw.on('update', stripManagedFields);
    this.lw.on('connect', () => {
      this.failures = 0;
    });
    this.lw.on('error', (err: unknown) => this.restartLater(err));
  }

  on(handlers: Handlers<T>): void {
    if (handlers.add) this.lw.on('add', handlers.add);
    if (handlers.update) this.lw.on('update', handlers.update);
    if (handlers.delete) this.lw.on('delete', handlers.delete);
    const resync = handlers.update ?? handlers.add;
    if (resync) this.resyncHandlers.push(resync);
  }

  /** Starts listing and watching; resolves after the first successful list. */
  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.lw.start().catch((err: unknown) => this.restartLater(err));
      this.scheduleResync();
    }
    return this.synced;
  }

  list(namespace?: string): ReadonlyArray<T> {
    return this.lw.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resyncTimer?.cancel();
    await this.lw.stop();
  }

  private backoffMs(err: unknown): number {
    this.failures++;
    const ms = Math.min(10_000, 200 * 2 ** Math.min(this.failures - 1, 6));
    this.opts.log.warn('informer: watch failed, restarting', { path: this.opts.path, error: err, retryInMs: ms });
    return ms;
  }

  private restartLater(err: unknown): void {
    if (this.stopped) return;
    const ms = this.backoffMs(err);
    this.opts.clock.after(ms, () => {
      if (this.stopped) return;
      this.lw.start().catch((e: unknown) => this.restartLater(e));
    });
  }

  private scheduleResync(): void {
    const every = this.opts.resyncMs;
    if (!every || this.resyncTimer) return;
    const tick = (): void => {
      if (this.stopped) return;
      for (const obj of this.lw.list()) for (const h of this.resyncHandlers) h(obj);
      this.resyncTimer = this.opts.clock.after(every, tick);
    };
    this.resyncTimer = this.opts.clock.after(every, tick);
  }
}

function stripManagedFields(obj: KubernetesObject): void {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
}

/** An informer over any resource type, listed through the REST client. */
export function informerFor<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  client: ResourceClient<T>,
  opts: { namespace?: string; labelSelector?: string; clock: Clock; log: Logger; resyncMs?: number },
): Informer<T> {
  const query = opts.labelSelector ? { labelSelector: opts.labelSelector } : {};
  return new Informer<T>({
    kubeConfig,
    path: collectionPath(client.type, opts.namespace),
    list: () => client.list(opts.namespace, query),
    clock: opts.clock,
    log: opts.log,
    ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
    ...(opts.resyncMs ? { resyncMs: opts.resyncMs } : {}),
  });
}
