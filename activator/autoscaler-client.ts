import { request } from 'undici';
import type { V1Endpoints } from '@kubernetes/client-node';
import type { Logger } from '../lib/log.js';
import type { Clock } from '../lib/clock.js';

/** Per-revision load for one second, as the activator reports it to the revision's shard autoscaler. */
export interface RevisionStat {
  namespace: string;
  revision: string;
  /** Average requests in flight or waiting over the second. */
  concurrency: number;
  /** Requests that arrived in the second. */
  requests: number;
}

export interface EndpointsLookup {
  get(name: string, namespace?: string): V1Endpoints | undefined;
}

/**
 * Reaches a shard's autoscaler by the shard-aware name `autoscaler-<shard>` in the system namespace,
 * resolved through that Service's Endpoints (no cluster DNS needed), with the internal bearer token.
 */
export class AutoscalerClient {
  private readonly lastPoke = new Map<string, number>();

  constructor(private readonly deps: { endpoints: EndpointsLookup; namespace: string; token: string; clock: Clock; log: Logger; nameTemplate: string }) {}

  private address(shard: string): string | undefined {
    const name = this.deps.nameTemplate.replace('{shard}', shard);
    const subset = this.deps.endpoints.get(name, this.deps.namespace)?.subsets?.[0];
    const ip = subset?.addresses?.[0]?.ip;
    const port = subset?.ports?.[0]?.port;
    return ip && port ? `http://${ip}:${port}` : undefined;
  }

  /** At most one poke per revision per second: a burst of cold requests is one scale-up. */
  poke(shard: string | undefined, namespace: string, revision: string): void {
    const key = `${namespace}/${revision}`;
    const now = this.deps.clock.now();
    if ((this.lastPoke.get(key) ?? -Infinity) > now - 1000) return;
    this.lastPoke.set(key, now);
    void this.post(shard, '/poke', { namespace, revision }).catch((err: unknown) => {
      this.lastPoke.delete(key);
      this.deps.log.warn('activator: poke failed', { revision: key, shard, error: err });
    });
  }

  async report(shard: string, stats: RevisionStat[]): Promise<void> {
    await this.post(shard, '/stats', { stats });
  }

  private async post(shard: string | undefined, path: string, body: unknown): Promise<void> {
    if (shard === undefined) throw new Error('revision has no shard label');
    const base = this.address(shard);
    if (!base) throw new Error(`no endpoints for autoscaler of shard ${shard}`);
    const res = await request(`${base}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.deps.token}` },
      headersTimeout: 2000, bodyTimeout: 2000,
    });
    await res.body.dump();
    if (res.statusCode >= 300) throw new Error(`autoscaler ${shard} ${path}: HTTP ${res.statusCode}`);
  }
}
