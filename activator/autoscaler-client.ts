import { request } from 'undici';
import type { V1Endpoints } from '@kubernetes/client-node';
import type { Logger } from '../lib/log.js';
import type { Clock } from '../lib/clock.js';
import { pokedPods, type PokedPod, type PokeRequest, type RevisionStat } from '../api/kzero/v1alpha1/autoscaler-wire.js';

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

  /**
   * At most one poke per revision per second: a burst of cold requests is one scale-up. `onPods` gets the
   * pods the autoscaler claimed from a warm pool for it, ready to serve before any informer shows them.
   */
  poke(shard: string | undefined, namespace: string, revision: string, onPods: (pods: PokedPod[]) => void): void {
    const key = `${namespace}/${revision}`;
    const now = this.deps.clock.now();
    if ((this.lastPoke.get(key) ?? -Infinity) > now - 1000) return;
    this.lastPoke.set(key, now);
    const poke: PokeRequest = { namespace, revision };
    this.post(shard, '/poke', poke).then((text) => {
      const pods = pokedPods(JSON.parse(text || '{}'));
      // One line per scale from zero: how long the autoscaler took, and whether it answered with warm pods.
      this.deps.log.info('activator: poked', { revision: key, shard, ms: Math.round(this.deps.clock.now() - now), pooled: pods.length });
      if (pods.length) onPods(pods);
    }).catch((err: unknown) => {
      this.lastPoke.delete(key);
      this.deps.log.warn('activator: poke failed', { revision: key, shard, error: err });
    });
  }

  async report(shard: string, stats: RevisionStat[]): Promise<void> {
    await this.post(shard, '/stats', { stats });
  }

  private async post(shard: string | undefined, path: string, body: unknown): Promise<string> {
    if (shard === undefined) throw new Error('revision has no shard label');
    const base = this.address(shard);
    if (!base) throw new Error(`no endpoints for autoscaler of shard ${shard}`);
    const res = await request(`${base}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.deps.token}` },
      // A poke may claim and load a warm pod (tens of ms) or, rarely, wait on the API server.
      headersTimeout: 30_000, bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`autoscaler ${shard} ${path}: HTTP ${res.statusCode}: ${text.trim()}`);
    return text;
  }
}
