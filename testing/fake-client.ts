import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { KubeApiError, apiVersionOf, type JsonPatchOp, type PatchType, type ResourceClient, type ResourceType } from '../lib/kube/rest.js';
import { applyPatch } from './json-patch.js';

// An in-memory API server for one resource type, in the manner of client-go's fake clientset: it keeps
// objects, records every call, assigns uid/resourceVersion/generation, and fails like the API server does
// (404 NotFound, 409 AlreadyExists, 409 Conflict on a stale resourceVersion).

export type Verb = 'get' | 'list' | 'create' | 'update' | 'updateStatus' | 'patch' | 'delete';

export interface Action<T = unknown> {
  /** The plural of the resource type, e.g. `configurations`. */
  resource: string;
  verb: Verb;
  namespace: string | undefined;
  name: string;
  /** The object as sent (create, update, updateStatus). */
  obj?: T;
  /** The patch as sent (patch). */
  patch?: unknown;
  /** The subresource a patch was sent to (`status`). */
  subresource?: string;
  /** The patch type, when not a merge patch (`json`). */
  patchType?: PatchType;
  /** The options of a delete (`uid`: the precondition), when given. */
  options?: { uid?: string; propagationPolicy?: string };
  /** What the API server stored, after a write that succeeded. */
  result?: T;
  /** The reason of the error the call failed with, if it failed. */
  error?: string;
}

/** Runs before a call does anything; an Error it returns is thrown by the call (client-go's reactors). */
export type Reactor = (action: Action) => Error | undefined;

/** JSON round trip: what the API server would store and send back (no undefined, no shared references). */
export const normalize = <X>(x: X): X => (x === undefined ? x : (JSON.parse(JSON.stringify(x)) as X));

export const notFound = (type: ResourceType, name: string): KubeApiError =>
  new KubeApiError(404, 'NotFound', `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`);
export const alreadyExists = (type: ResourceType, name: string): KubeApiError =>
  new KubeApiError(409, 'AlreadyExists', `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" already exists`);
/** A JSON patch whose `test` op failed: the API server answers 422 Invalid. */
export const testFailed = (type: ResourceType, name: string, path: string): KubeApiError =>
  new KubeApiError(422, 'Invalid', `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" is invalid: the server rejected our request due to an error in our request: testing value ${path} failed`);
export const conflict = (type: ResourceType, name: string): KubeApiError =>
  new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural}${type.group ? `.${type.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`);

/** The uid the fake API server gives a created object (and the builders give theirs). */
export const uidFor = (kind: string, name: string): string => `${kind.toLowerCase()}-${name}-uid`;

const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

type Stored = KubernetesObject & { spec?: unknown; status?: unknown };

/**
 * A read-only view over a FakeResourceClient's store, as an informer's cache: `get(name, namespace)` and
 * `list(namespace)`. It returns copies, so a reconciler that mutates what it read is caught by a diff.
 */
export class FakeLister<T extends KubernetesObject> {
  constructor(private readonly client: FakeResourceClient<T>) {}

  get(name: string, namespace?: string): T | undefined {
    return this.client.cached(namespace, name);
  }

  list(namespace?: string): T[] {
    return this.client.cachedList(namespace);
  }
}

export class FakeResourceClient<T extends KubernetesObject> {
  readonly actions: Array<Action<T>> = [];
  readonly lister: FakeLister<T> = new FakeLister(this);
  private readonly store = new Map<string, T>();
  /** What the cache shows instead of the store: an older copy, or null for "not seen yet". */
  private readonly cacheOverrides = new Map<string, T | null>();
  private readonly reactors: Reactor[] = [];
  private rv = 0;

  /** `log` is shared by the clients of one FakeCluster, to see the order of calls across types. */
  constructor(readonly type: ResourceType, private readonly log: Action[] = []) {}

  /** This fake where a ResourceClient is wanted (it has every method the reconcilers call). */
  asClient(): ResourceClient<T> {
    return this as unknown as ResourceClient<T>;
  }

  /** Puts an object in the store as is (uid, resourceVersion and generation filled in when missing). */
  seed(...objs: T[]): void {
    for (const o of objs) {
      const obj = normalize(o);
      obj.apiVersion ??= apiVersionOf(this.type);
      obj.kind ??= this.type.kind;
      const meta = (obj.metadata ??= {});
      meta.uid ??= uidFor(this.type.kind, meta.name ?? '');
      meta.resourceVersion ??= this.nextRV();
      if ((obj as Stored).spec !== undefined) meta.generation ??= 1;
      this.store.set(keyOf(meta.namespace, meta.name ?? ''), obj);
    }
  }

  /** The stored object, or undefined (not an API call). */
  peek(namespace: string | undefined, name: string): T | undefined {
    return normalize(this.store.get(keyOf(namespace, name)));
  }

  /** Every stored object (not an API call). */
  all(): T[] {
    return [...this.store.values()].map(normalize);
  }

  /** Makes the lister not see `name` (created by someone else, not yet in the informer's cache). */
  hideFromLister(namespace: string | undefined, name: string): void {
    this.cacheOverrides.set(keyOf(namespace, name), null);
  }

  /** Makes the lister show `obj` instead of what is stored (a cache that lags behind the API server). */
  setListerCopy(obj: T): void {
    this.cacheOverrides.set(keyOf(obj.metadata?.namespace, obj.metadata?.name ?? ''), normalize(obj));
  }

  prependReactor(r: Reactor): void {
    this.reactors.unshift(r);
  }

  /** Makes the next `times` calls of `verb` (on `name`, if given) fail with `err`. */
  failOn(verb: Verb, err: Error, opts: { name?: string; times?: number } = {}): void {
    let left = opts.times ?? 1;
    this.prependReactor((a) => {
      if (left <= 0 || a.verb !== verb || (opts.name !== undefined && a.name !== opts.name)) return undefined;
      left--;
      return err;
    });
  }

  /** Calls that change something: create, update, updateStatus, patch, delete. */
  writes(): Array<Action<T>> {
    return this.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list');
  }

  cached(namespace: string | undefined, name: string): T | undefined {
    const key = keyOf(namespace, name);
    if (this.cacheOverrides.has(key)) return normalize(this.cacheOverrides.get(key) ?? undefined);
    return normalize(this.store.get(key));
  }

  cachedList(namespace?: string): T[] {
    const keys = new Set([...this.store.keys(), ...this.cacheOverrides.keys()]);
    const out: T[] = [];
    for (const key of [...keys].sort()) {
      if (namespace !== undefined && !key.startsWith(`${namespace}/`)) continue;
      const obj = this.cacheOverrides.has(key) ? this.cacheOverrides.get(key) : this.store.get(key);
      if (obj) out.push(normalize(obj));
    }
    return out;
  }

  // The ResourceClient methods ----------------------------------------------------------------------

  async get(namespace: string | undefined, name: string): Promise<T> {
    this.record({ verb: 'get', namespace, name });
    const have = this.store.get(keyOf(namespace, name));
    if (!have) throw this.fail(notFound(this.type, name));
    return normalize(have);
  }

  async list(namespace?: string): Promise<KubernetesListObject<T>> {
    this.record({ verb: 'list', namespace, name: '' });
    const items = [...this.store.values()].filter((o) => namespace === undefined || o.metadata?.namespace === namespace).map(normalize);
    return { apiVersion: apiVersionOf(this.type), kind: `${this.type.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  async create(obj: T): Promise<T> {
    const name = obj.metadata?.name ?? '';
    this.record({ verb: 'create', namespace: obj.metadata?.namespace, name, obj: normalize(obj) });
    const key = keyOf(obj.metadata?.namespace, name);
    if (this.store.has(key)) throw this.fail(alreadyExists(this.type, name));
    const created = normalize({ apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj }) as T & Stored;
    // The API server ignores status on create (status subresource) and owns these fields.
    delete created.status;
    const meta = (created.metadata ??= {});
    meta.uid = uidFor(this.type.kind, name);
    meta.resourceVersion = this.nextRV();
    if (created.spec !== undefined) meta.generation = 1;
    return this.stored(key, created);
  }

  /** PUT: spec, labels and annotations; status is kept; generation moves when spec changes. */
  async update(obj: T): Promise<T> {
    const have = this.checkWrite('update', obj);
    const next = normalize(obj) as T & Stored;
    next.status = (have as Stored).status;
    if (next.status === undefined) delete next.status;
    const meta = (next.metadata ??= {});
    meta.uid = have.metadata?.uid;
    meta.generation = have.metadata?.generation;
    if (JSON.stringify((have as Stored).spec) !== JSON.stringify(next.spec) && meta.generation !== undefined) meta.generation += 1;
    meta.resourceVersion = this.nextRV();
    return this.stored(keyOf(meta.namespace, meta.name ?? ''), next);
  }

  /** PUT on /status: only status changes. */
  async updateStatus(obj: T): Promise<T> {
    const have = this.checkWrite('updateStatus', obj);
    const next = normalize(have) as T & Stored;
    next.status = normalize((obj as Stored).status);
    if (next.status === undefined) delete next.status;
    next.metadata!.resourceVersion = this.nextRV();
    return this.stored(keyOf(next.metadata?.namespace, next.metadata?.name ?? ''), next);
  }

  /**
   * Merge and JSON patches. Merge: `metadata.resourceVersion` in the patch is a precondition, as on the API
   * server. JSON: a failed `test` op fails the whole patch with 422.
   */
  async patch(namespace: string | undefined, name: string, patch: unknown, type: PatchType = 'merge', sub?: string): Promise<T> {
    const sent = normalize(patch);
    this.record({ verb: 'patch', namespace, name, patch: sent, ...(sub ? { subresource: sub } : {}), ...(type !== 'merge' ? { patchType: type } : {}) });
    if (type !== 'merge' && type !== 'json') throw new Error(`FakeResourceClient: ${type} patches are not supported`);
    const key = keyOf(namespace, name);
    const have = this.store.get(key) as (T & Stored) | undefined;
    if (!have) throw this.fail(notFound(this.type, name));
    if (type === 'json') return this.jsonPatch(key, have, sent as JsonPatchOp[]);
    const wantRV = (sent as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
    if (wantRV !== undefined && wantRV !== have.metadata?.resourceVersion) throw this.fail(conflict(this.type, name));
    let next: T & Stored;
    if (sub === 'status') {
      next = normalize(have);
      next.status = mergePatch(have.status, (sent as { status?: unknown }).status);
    } else {
      next = mergePatch(normalize(have), sent) as T & Stored;
      next.status = have.status;
      if (next.status === undefined) delete next.status;
      const meta = next.metadata!;
      meta.uid = have.metadata?.uid;
      if (JSON.stringify(have.spec) !== JSON.stringify(next.spec) && meta.generation !== undefined) meta.generation += 1;
    }
    next.metadata!.resourceVersion = this.nextRV();
    return this.stored(key, next);
  }

  /** `opts.uid` is a precondition: a different uid under the name fails with 409 Conflict. */
  async delete(namespace: string | undefined, name: string, opts?: { uid?: string; propagationPolicy?: string }): Promise<unknown> {
    this.record({ verb: 'delete', namespace, name, ...(opts ? { options: normalize(opts) } : {}) });
    const key = keyOf(namespace, name);
    const have = this.store.get(key);
    if (!have) throw this.fail(notFound(this.type, name));
    if (opts?.uid !== undefined && opts.uid !== have.metadata?.uid) throw this.fail(conflict(this.type, name));
    this.store.delete(key);
    return {};
  }

  // -----------------------------------------------------------------------------------------------

  private jsonPatch(key: string, have: T & Stored, ops: JsonPatchOp[]): T {
    for (const op of ops) {
      if (op.op !== 'test') continue;
      const keys = op.path.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
      let at: unknown = have;
      for (const k of keys) at = (at as Record<string, unknown> | undefined)?.[k];
      if (JSON.stringify(at) !== JSON.stringify(op.value)) throw this.fail(testFailed(this.type, have.metadata?.name ?? '', op.path));
    }
    const next = applyPatch(normalize(have), ops.filter((o) => o.op !== 'test') as Parameters<typeof applyPatch>[1]) as T & Stored;
    const meta = (next.metadata ??= {});
    meta.uid = have.metadata?.uid;
    if (JSON.stringify(have.spec) !== JSON.stringify(next.spec) && meta.generation !== undefined) meta.generation += 1;
    meta.resourceVersion = this.nextRV();
    return this.stored(key, next);
  }

  private current: Action<T> | undefined;

  private record(a: Omit<Action<T>, 'resource'>): void {
    const action: Action<T> = { resource: this.type.plural, ...a };
    if (action.obj === undefined) delete action.obj;
    if (action.patch === undefined) delete action.patch;
    this.actions.push(action);
    this.log.push(action);
    this.current = action;
    for (const r of this.reactors) {
      const err = r(action);
      if (err) throw this.fail(err);
    }
  }

  /** Stores the result of the current write, notes it on the action, and returns a copy. */
  private stored(key: string, obj: T): T {
    this.store.set(key, obj);
    if (this.current) this.current.result = normalize(obj);
    return normalize(obj);
  }

  private fail(err: Error): Error {
    if (this.current) this.current.error = err instanceof KubeApiError ? err.reason : err.message;
    return err;
  }

  private checkWrite(verb: 'update' | 'updateStatus', obj: T): T {
    const name = obj.metadata?.name ?? '';
    this.record({ verb, namespace: obj.metadata?.namespace, name, obj: normalize(obj) });
    const have = this.store.get(keyOf(obj.metadata?.namespace, name));
    if (!have) throw this.fail(notFound(this.type, name));
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== have.metadata?.resourceVersion) throw this.fail(conflict(this.type, name));
    return have;
  }

  private nextRV(): string {
    this.rv += 1;
    return String(this.rv);
  }
}
