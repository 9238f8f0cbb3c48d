import type { KubeConfig, KubernetesObject, KubernetesListObject } from '@kubernetes/client-node';
import { Agent, request } from 'undici';

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

export class KubeRest {
  private constructor(private readonly server: string, private readonly agent: Agent, private readonly headers: Record<string, string>) {}

  static async fromKubeConfig(kc: KubeConfig, connections = 16): Promise<KubeRest> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const opts: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(opts as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
    const agent = new Agent({
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.cert ? { cert: opts.cert } : {}), ...(opts.key ? { key: opts.key } : {}), rejectUnauthorized: !cluster.skipTLSVerify },
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = String(v);
    return new KubeRest(cluster.server.replace(/\/$/, ''), agent, headers);
  }

  async request<T>(method: string, path: string, opts: { body?: unknown; query?: Record<string, string | number | boolean | undefined>; contentType?: string } = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...this.headers, accept: 'application/json' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const res = await request(url, { method: method as 'GET', headers, body, dispatcher: this.agent });
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let status: { reason?: string; message?: string; details?: unknown } = {};
      try {
        status = JSON.parse(text) as typeof status;
      } catch {
        // not a Status object
      }
      throw new KubeApiError(res.statusCode, status.reason ?? String(res.statusCode), status.message ?? `${method} ${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`, status.details);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  resource<T extends KubernetesObject>(type: ResourceType): ResourceClient<T> {
    return new ResourceClient<T>(this, type);
  }

  close(): Promise<void> {
    return this.agent.close();
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
