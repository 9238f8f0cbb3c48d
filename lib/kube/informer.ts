import type { KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { statusCodeOf } from './client.js';
import { apiVersionOf, type ResourceClient, type WatchEvent } from './rest.js';

export interface InformerOptions<T extends KubernetesObject> {
  client: ResourceClient<T>;
  /** Only this namespace's objects; all namespaces without it. */
  namespace?: string;
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

/** Gone (410): the resourceVersion to resume from is older than the API server keeps; list again. */
const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;

/**
 * A cache of one kind's objects, kept by list-then-watch, that tells handlers what changed. It never silently
 * stops: a watch the server ends (its timeout) resumes from the last resourceVersion; one that fails is
 * resumed with capped exponential back-off; a resourceVersion too old to resume from (410 Gone) means a
 * fresh list, from which it works out what was added, changed and deleted meanwhile.
 */
export class Informer<T extends KubernetesObject> {
  private readonly objects = new Map<string, Map<string, T>>();
  private readonly handlers: Array<Handlers<T>> = [];
  private resourceVersion = '';
  private stopped = false;
  private started = false;
  private failures = 0;
  private readonly abort = new AbortController();
  private resyncTimer: { cancel(): void } | undefined;
  private wakeFromBackoff: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly synced: Promise<void>;
  private markSynced!: () => void;

  constructor(private readonly opts: InformerOptions<T>) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
  }

  on(handlers: Handlers<T>): void {
    this.handlers.push(handlers);
  }

  /** Starts listing and watching; resolves after the first successful list. */
  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.running = this.run();
      this.scheduleResync();
    }
    return this.synced;
  }

  list(namespace?: string): ReadonlyArray<T> {
    if (namespace !== undefined) return [...(this.objects.get(namespace)?.values() ?? [])];
    const out: T[] = [];
    for (const byName of this.objects.values()) out.push(...byName.values());
    return out;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ?? '')?.get(name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resyncTimer?.cancel();
    this.wakeFromBackoff?.();
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        if (this.stopped) return;
        await this.watch();
      } catch (err) {
        if (this.stopped) return;
        if (isGone(err)) {
          this.resourceVersion = '';
          continue;
        }
        await this.sleep(this.backoffMs(err));
      }
    }
  }

  private async relist(): Promise<void> {
    const { client, namespace, labelSelector, fieldSelector } = this.opts;
    const list = await client.list(namespace, { ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) });
    const seen = new Set<string>();
    const apiVersion = apiVersionOf(client.type);
    for (const obj of list.items) {
      // A list's items carry no apiVersion and kind (watch events do): Events about them need both.
      obj.apiVersion ??= apiVersion;
      obj.kind ??= client.type.kind;
      seen.add(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`);
      this.upsert(obj);
    }
    for (const obj of this.list()) if (!seen.has(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`)) this.remove(obj);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.recovered();
    this.markSynced();
  }

  private async watch(): Promise<void> {
    const { client, namespace, labelSelector, fieldSelector } = this.opts;
    // As client-go: 5 to 10 minutes, so that many watchers do not all come back at once.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const started = this.opts.clock.now();
    let events = 0;
    await client.watch(namespace, {
      resourceVersion: this.resourceVersion, timeoutSeconds, signal: this.abort.signal,
      ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}),
    }, (event) => {
      events++;
      this.apply(event);
    });
    // The server also ends the watch of a client that falls behind (a burst): that one resumes at once. A
    // server that ends watches at once, empty (shutting down), must not be asked again in a tight loop.
    if (events === 0 && this.opts.clock.now() - started < 1000) throw new Error(`watch ${this.describe()} ended at once`);
  }

  private apply(event: WatchEvent<T>): void {
    if (this.failures > 0 && event.type !== 'ERROR') this.recovered(); // the watch works
    const obj = event.object;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(obj);
        break;
      case 'DELETED':
        this.remove(obj);
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR': {
        // A Status object: the watch ends with it.
        const status = obj as { code?: number; reason?: string; message?: string };
        throw Object.assign(new Error(`watch ${this.describe()}: ${status.message ?? status.reason ?? 'error'}`), { code: status.code });
      }
    }
    this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
  }

  /** Adds or replaces an object; handlers hear of it unless this resourceVersion was seen already. */
  private upsert(obj: T): void {
    // No component reads managedFields, and they are a large share of every object handlers copy and compare.
    if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    let byName = this.objects.get(ns);
    if (!byName) this.objects.set(ns, (byName = new Map()));
    const old = byName.get(name);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    byName.set(name, obj);
    for (const h of this.handlers) (old ? h.update : h.add)?.(obj);
  }

  private remove(obj: T): void {
    const ns = obj.metadata?.namespace ?? '';
    const byName = this.objects.get(ns);
    const name = obj.metadata?.name ?? '';
    const old = byName?.get(name);
    if (!byName || !old) return;
    byName.delete(name);
    if (byName.size === 0) this.objects.delete(ns);
    for (const h of this.handlers) h.delete?.(old);
  }

  private backoffMs(err: unknown): number {
    this.failures++;
    const ms = Math.min(10_000, 200 * 2 ** Math.min(this.failures - 1, 6));
    // An outage (the API server restarting) fails every retry: warn at its start and every tenth retry, not
    // at each, and say when it is over.
    const level = this.failures === 1 || this.failures % 10 === 0 ? 'warn' : 'debug';
    this.opts.log[level]('informer: watch failed, restarting', { what: this.describe(), error: err, failures: this.failures, retryInMs: ms });
    return ms;
  }

  private recovered(): void {
    if (this.failures > 1) this.opts.log.info('informer: watching again', { what: this.describe(), failures: this.failures });
    this.failures = 0;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.opts.clock.after(ms, resolve);
      this.wakeFromBackoff = () => {
        timer.cancel();
        resolve();
      };
    });
  }

  private describe(): string {
    const { client, namespace, labelSelector, fieldSelector } = this.opts;
    return [client.type.plural, namespace && `namespace=${namespace}`, labelSelector, fieldSelector].filter(Boolean).join(' ');
  }

  private scheduleResync(): void {
    const every = this.opts.resyncMs;
    if (!every || this.resyncTimer) return;
    const tick = (): void => {
      if (this.stopped) return;
      for (const obj of this.list()) for (const h of this.handlers) (h.update ?? h.add)?.(obj);
      this.resyncTimer = this.opts.clock.after(every, tick);
    };
    this.resyncTimer = this.opts.clock.after(every, tick);
  }
}

/** An informer over any resource type. */
export function informerFor<T extends KubernetesObject>(
  client: ResourceClient<T>,
  opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; clock: Clock; log: Logger; resyncMs?: number },
): Informer<T> {
  return new Informer<T>({ client, ...opts });
}
