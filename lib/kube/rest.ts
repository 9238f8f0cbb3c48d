import type { KubeConfig, KubernetesObject, KubernetesListObject } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import { TokenFile } from './token-file.js';

// A small typed REST client for the Kubernetes API over undici (keep-alive, pipelined): the controllers'
// hot path creates and updates thousands of objects, and one generic client serves every kind.

/** An error from the API server, with its HTTP code and Status reason (NotFound, Conflict, AlreadyExists...). */
export class KubeApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const apiVersionOf = (t: ResourceType): string => (t.group ? `${t.group}/${t.version}` : t.version);

export function collectionPath(t: ResourceType, namespace?: string): string {
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  return t.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${t.plural}` : `${base}/${t.plural}`;
}

export type PatchType = 'merge' | 'json' | 'strategic';

/** One operation of an RFC 6902 JSON patch (patch type 'json'); a failed `test` fails the whole patch with 422. */
export type JsonPatchOp = { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };
const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** One event of a watch stream. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface WatchOptions {
  resourceVersion: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** The API server ends the watch after this long, and the watcher resumes from its last resourceVersion. */
  timeoutSeconds: number;
  signal: AbortSignal;
}

export class KubeRest {
  /** Watches hold a connection each for minutes: they get their own, unlimited, apart from the request pool. */
  private readonly watchAgent: Agent;

  private constructor(
    private readonly server: string,
    private readonly agent: Agent,
    private readonly headers: Record<string, string>,
    connect: Agent.Options['connect'],
    private readonly tokenFile: TokenFile | undefined,
  ) {
    this.watchAgent = new Agent({ connect });
  }

  /** `now` is for tests of the token file's rotation. */
  static async fromKubeConfig(kc: KubeConfig, connections = 16, now: () => number = Date.now): Promise<KubeRest> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const opts: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(opts as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
    const connect = { ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.cert ? { cert: opts.cert } : {}), ...(opts.key ? { key: opts.key } : {}), rejectUnauthorized: !cluster.skipTLSVerify };
    const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000, connect });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = String(v);
    // In a pod (in-cluster config), the token is a file the kubelet rotates: read it again as it changes.
    const tokenPath = (kc.getCurrentUser()?.authProvider as { config?: { tokenFile?: string } } | undefined)?.config?.tokenFile;
    const tokenFile = tokenPath ? new TokenFile(tokenPath, now) : undefined;
    if (tokenFile) delete headers.authorization;
    return new KubeRest(cluster.server.replace(/\/$/, ''), agent, headers, connect, tokenFile);
  }

  private url(path: string, query: Record<string, string | number | boolean | undefined> = {}): URL {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  private requestHeaders(): Record<string, string> {
    return this.tokenFile ? { ...this.headers, authorization: this.tokenFile.header(), accept: 'application/json' } : { ...this.headers, accept: 'application/json' };
  }

  async request<T>(method: string, path: string, opts: { body?: unknown; query?: Record<string, string | number | boolean | undefined>; contentType?: string } = {}): Promise<T> {
    const url = this.url(path, opts.query);
    const headers = this.requestHeaders();
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const res = await request(url, { method: method as 'GET', headers, body, dispatcher: this.agent });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw apiError(method, path, res.statusCode, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Streams a watch: `onEvent` for each event, in order. Resolves when the API server ends the watch (its
   * timeout); rejects on an HTTP error (a KubeApiError: 410 Gone means the resourceVersion is too old to
   * resume from) or a broken connection.
   */
  async watch<T>(path: string, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const url = this.url(path, {
      watch: true, allowWatchBookmarks: true, resourceVersion: opts.resourceVersion, timeoutSeconds: opts.timeoutSeconds,
      labelSelector: opts.labelSelector || undefined, fieldSelector: opts.fieldSelector || undefined,
    });
    // A silent connection for longer than the server's own timeout is a dead one.
    const res = await request(url, { method: 'GET', headers: this.requestHeaders(), dispatcher: this.watchAgent, signal: opts.signal, bodyTimeout: (opts.timeoutSeconds + 30) * 1000 });
    if (res.statusCode >= 400) throw apiError('GET', path, res.statusCode, await res.body.text());
    const lines = new LineSplitter();
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      for (const line of lines.push(chunk)) onEvent(JSON.parse(line) as WatchEvent<T>);
    }
  }

  resource<T extends KubernetesObject>(type: ResourceType): ResourceClient<T> {
    return new ResourceClient<T>(this, type);
  }

  /** Waits for requests in flight; ends watches (they would run until their timeout). */
  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.watchAgent.destroy()]);
  }
}

/** The error for an HTTP error answer, from its Status object when it has one. */
function apiError(method: string, path: string, code: number, text: string): KubeApiError {
  let status: { reason?: string; message?: string; details?: unknown } = {};
  try {
    status = JSON.parse(text) as typeof status;
  } catch {
    // not a Status object
  }
  return new KubeApiError(code, status.reason ?? String(code), status.message ?? `${method} ${path}: HTTP ${code}: ${text.slice(0, 200)}`, status.details);
}

/** Splits a byte stream into lines (without the newline); a line may span chunks. */
export class LineSplitter {
  // The pieces of an unfinished line, joined once its newline comes (a large object arrives in many chunks).
  private pending: Buffer[] = [];

  push(chunk: Buffer): string[] {
    let nl = chunk.indexOf(10);
    if (nl === -1) {
      if (chunk.length > 0) this.pending.push(chunk);
      return [];
    }
    const lines: string[] = [];
    if (this.pending.length > 0) {
      const first = Buffer.concat([...this.pending, chunk.subarray(0, nl)]);
      this.pending = [];
      if (first.length > 0) lines.push(first.toString('utf8'));
    } else if (nl > 0) {
      lines.push(chunk.toString('utf8', 0, nl));
    }
    let start = nl + 1;
    for (nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (nl > start) lines.push(chunk.toString('utf8', start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
    return lines;
  }
}

export class ResourceClient<T extends KubernetesObject> {
  constructor(private readonly rest: KubeRest, readonly type: ResourceType) {}

  private itemPath(namespace: string | undefined, name: string, sub?: string): string {
    return `${collectionPath(this.type, namespace)}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
  }

  list(namespace?: string, opts: { labelSelector?: string; fieldSelector?: string } = {}): Promise<KubernetesListObject<T>> {
    return this.rest.request('GET', collectionPath(this.type, namespace), { query: opts });
  }

  /** A watch of the collection (all namespaces without `namespace`); see KubeRest.watch. */
  watch(namespace: string | undefined, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    return this.rest.watch(collectionPath(this.type, namespace), opts, onEvent);
  }

  get(namespace: string | undefined, name: string): Promise<T> {
    return this.rest.request('GET', this.itemPath(namespace, name));
  }

  create(obj: T, opts: { dryRun?: boolean } = {}): Promise<T> {
    const body = { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj };
    return this.rest.request('POST', collectionPath(this.type, obj.metadata?.namespace), { body, query: { dryRun: opts.dryRun ? 'All' : undefined } });
  }

  /** PUT: fails with 409 Conflict if metadata.resourceVersion is stale (optimistic concurrency). */
  update(obj: T): Promise<T> {
    const body = { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj };
    return this.rest.request('PUT', this.itemPath(obj.metadata?.namespace, obj.metadata?.name ?? ''), { body });
  }

  updateStatus(obj: T): Promise<T> {
    const body = { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj };
    return this.rest.request('PUT', this.itemPath(obj.metadata?.namespace, obj.metadata?.name ?? '', 'status'), { body });
  }

  patch(namespace: string | undefined, name: string, patch: unknown, type: PatchType = 'merge', sub?: string): Promise<T> {
    return this.rest.request('PATCH', this.itemPath(namespace, name, sub), { body: patch, contentType: patchContentType[type] });
  }

  delete(namespace: string | undefined, name: string, opts: { uid?: string; propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } = {}): Promise<unknown> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}), ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}) };
    return this.rest.request('DELETE', this.itemPath(namespace, name), { body });
  }
}
