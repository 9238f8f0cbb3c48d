import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { request } from 'undici';
import type { PodAutoscaler, PodPool } from '../../api/kzero/v1alpha1/types.js';
import { KzeroAnnotations } from '../../api/serving/labels.js';
import type { Revision } from '../../api/serving/v1/types.js';
import type { Clock } from '../../lib/clock.js';
import { statusCodeOf } from '../../lib/kube/client.js';
import type { ResourceClient } from '../../lib/kube/rest.js';
import type { Logger } from '../../lib/log.js';
import { RUNTIME_ADMIN_PORT } from '../../controller/reconciler/podpool/resources.js';
import { claimable, claimPatch, pickWarmPod } from './claim.js';
import { poolFit, type SpecializeRequest } from './fit.js';

/** A pod claimed and specialized for a Revision: the activator may send it requests now. */
export interface ClaimedPod {
  name: string;
  ip: string;
}

/** The code package could not be loaded: the Revision cannot serve (PodAutoscaler CodeReady=False). */
export interface CodeFailure {
  reason: string;
  message: string;
}

export interface ClaimOutcome {
  /** Pods taken for the Revision (claim patch done); each is specializing and holds requests until it serves. */
  pods: ClaimedPod[];
  /** Pods asked for and not claimed (the caller scales the Deployment for them), and why. */
  missed: number;
  missReason?: string;
  /** Settles once every claimed pod has loaded the code or failed to: with the failure, if the code is bad. */
  specialized: Promise<CodeFailure | undefined>;
}

/** What /specialize answered: 200 (loaded), 422 (bad package), 502 (fetch failed), others. */
export type Specialize = (ip: string, token: string, body: SpecializeRequest) => Promise<{ status: number; error?: string }>;

/** Asks the runtime to start fetching the code (POST /prefetch): fire and forget, it only saves time. */
export type Prefetch = (ip: string, token: string, code: SpecializeRequest['code']) => void;

export interface ClaimMetrics {
  claimed(namespace: string, pool: string, seconds: number): void;
  missed(namespace: string, pool: string, reason: string): void;
}

export interface PoolClaimerDeps {
  clock: Clock;
  log: Logger;
  pools: { get(name: string, namespace?: string): PodPool | undefined };
  /** Warm pods of every pool (label kzero.dev/pool-state=warm). */
  warmPods: { list(namespace?: string): readonly V1Pod[] };
  podClient: ResourceClient<V1Pod>;
  token(pool: PodPool): string;
  specialize: Specialize;
  prefetch?: Prefetch;
  random(): number;
  metrics: ClaimMetrics;
}

const ATTEMPTS_PER_POD = 3;
const TAKEN_MS = 5_000;

/** The runtime's /specialize over HTTP (runtime/), bounded by a timeout: a hung pod is a failed claim. */
export const httpPrefetch: Prefetch = (ip, token, code) => {
  request(`http://${ip}:${RUNTIME_ADMIN_PORT}/prefetch`, {
    method: 'POST', body: JSON.stringify({ code }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    headersTimeout: 5_000, bodyTimeout: 5_000,
  }).then((res) => res.body.dump(), () => undefined).catch(() => undefined);
};

export const httpSpecialize: Specialize = async (ip, token, body) => {
  const res = await request(`http://${ip}:${RUNTIME_ADMIN_PORT}/specialize`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    headersTimeout: 60_000, bodyTimeout: 60_000,
  });
  const text = await res.body.text();
  if (res.statusCode === 200) return { status: 200 };
  let error = text.trim();
  try {
    error = (JSON.parse(text) as { error?: string }).error ?? error;
  } catch {
    // not JSON: the text is the error
  }
  return { status: res.statusCode, error };
};

/**
 * Claims warm pods for Revisions (see claim.ts) and loads their code. Two claimers never share a pod: the
 * claim patch is conditional on the pod's resourceVersion, and a claimer that loses tries another pod.
 */
export class PoolClaimer {
  /**
   * UIDs of warm pods this process claimed, is claiming or lost a race for (uid -> when), until the informer
   * no longer shows them warm, or for TAKEN_MS: a 422 may have come from a harmless change to a pod that is
   * still warm, and it must not be skipped for good.
   */
  private readonly taken = new Map<string, number>();

  constructor(private readonly deps: PoolClaimerDeps) {}

  async claim(rev: Revision, pa: PodAutoscaler, count: number): Promise<ClaimOutcome> {
    const ns = rev.metadata.namespace ?? '';
    const poolName = rev.metadata.annotations?.[KzeroAnnotations.pool];
    const pool = poolName ? this.deps.pools.get(poolName, ns) : undefined;
    const fit = poolFit(rev, pool);
    if (!fit.ok) {
      if (fit.pool) for (let i = 0; i < count; i++) this.deps.metrics.missed(ns, fit.pool, 'unfit');
      return { pods: [], missed: count, missReason: fit.reason, specialized: Promise.resolve(undefined) };
    }
    const token = this.deps.token(pool!); // a fit names an existing pool
    const owner: V1OwnerReference = { apiVersion: rev.apiVersion ?? 'serving.knative.dev/v1', kind: 'Revision', name: rev.metadata.name ?? '', uid: rev.metadata.uid ?? '', controller: true };
    const labels = pa.metadata.labels ?? {};
    this.prune();
    const pods: ClaimedPod[] = [];
    const loading: Array<Promise<CodeFailure | undefined>> = [];
    let missed = 0;
    let missReason: string | undefined;
    await Promise.all(Array.from({ length: count }, async () => {
      const got = await this.claimOne(rev, fit.pool, fit.request, labels, owner, token);
      if ('pod' in got) {
        pods.push(got.pod);
        loading.push(got.specialized);
      } else {
        missed++;
        missReason = got.miss;
        this.deps.metrics.missed(ns, fit.pool, got.miss.startsWith('claim failed') ? 'error' : 'empty');
      }
    }));
    const specialized = Promise.all(loading).then((failures) => failures.find((f) => f !== undefined));
    return { pods, missed, ...(missReason ? { missReason } : {}), specialized };
  }

  /**
   * Takes one warm pod and starts loading the code into it. Answers once the pod is taken: its runtime holds
   * the requests sent to it until the code is loaded (or answers them 503 with the reason), so the caller
   * can route to it while it specializes, one round trip sooner.
   */
  private async claimOne(rev: Revision, pool: string, body: SpecializeRequest, labels: Record<string, string>, owner: V1OwnerReference, token: string): Promise<{ pod: ClaimedPod; specialized: Promise<CodeFailure | undefined> } | { miss: string }> {
    const ns = rev.metadata.namespace ?? '';
    const revKey = `${ns}/${rev.metadata.name}`;
    let lastMiss: string | undefined;
    for (let attempt = 0; attempt < ATTEMPTS_PER_POD; attempt++) {
      const pod = pickWarmPod(claimable(this.deps.warmPods.list(ns), pool, new Set(this.taken.keys())), () => this.deps.random());
      if (!pod) return { miss: lastMiss ?? 'no warm pod' };
      const uid = pod.metadata?.uid ?? '';
      const name = pod.metadata?.name ?? '';
      const started = this.deps.clock.now();
      this.taken.set(uid, started);
      // The runtime fetches the code while the claim patch is in flight (if we lose the pod, no harm done).
      this.deps.prefetch?.(pod.status!.podIP!, token, body.code);
      try {
        await this.deps.podClient.patch(ns, name, claimPatch(pod, pool, labels, owner, started), 'json');
      } catch (err) {
        const code = statusCodeOf(err);
        // 422: the test on resourceVersion failed (another claimer, or the pod changed); 404: it is gone.
        if (code === 422 || code === 409 || code === 404) {
          lastMiss = 'lost the race for a warm pod';
          continue;
        }
        this.deps.log.warn('autoscaler: claim failed', { revision: revKey, pod: `${ns}/${name}`, error: err });
        return { miss: `claim failed: ${(err as Error).message}` };
      }
      const ip = pod.status!.podIP!;
      const patched = this.deps.clock.now();
      return { pod: { name, ip }, specialized: this.specialize(revKey, pool, { name, uid, ip }, token, body, started, patched) };
    }
    return { miss: lastMiss ?? 'no warm pod' };
  }

  private async specialize(revKey: string, pool: string, pod: { name: string; uid: string; ip: string }, token: string, body: SpecializeRequest, started: number, patched: number): Promise<CodeFailure | undefined> {
    const ns = revKey.split('/')[0] ?? '';
    let answer: { status: number; error?: string };
    try {
      answer = await this.deps.specialize(pod.ip, token, body);
    } catch (err) {
      answer = { status: 0, error: (err as Error).message };
    }
    if (answer.status === 200) {
      const seconds = (this.deps.clock.now() - started) / 1000;
      this.deps.metrics.claimed(ns, pool, seconds);
      this.deps.log.info('autoscaler: claimed a warm pod', { revision: revKey, pod: `${ns}/${pod.name}`, pool, ms: Math.round(seconds * 1000), patchMs: Math.round(patched - started) });
      return undefined;
    }
    // A pod that failed to specialize is not put back: it may be half-loaded. Delete it; the pool refills, and
    // the next decision finds the Revision short of a pod and claims or scales again.
    this.deps.podClient.delete(ns, pod.name, { uid: pod.uid }).catch((err: unknown) => this.deps.log.warn('autoscaler: deleting a failed pool pod', { pod: `${ns}/${pod.name}`, error: err }));
    this.deps.log.warn('autoscaler: specialize failed', { revision: revKey, pod: `${ns}/${pod.name}`, status: answer.status, error: answer.error });
    const code = answer.status === 422 ? 'code' : 'error';
    this.deps.metrics.missed(ns, pool, code);
    if (answer.status === 422) return { reason: 'CodePackageInvalid', message: answer.error ?? 'the code package was rejected' };
    if (answer.status === 502) return { reason: 'CodeFetchFailed', message: answer.error ?? 'the code package could not be fetched' };
    return undefined;
  }

  /** Forget pods the informer no longer shows warm: they are claimed (by anyone) or gone. */
  private prune(): void {
    const warm = new Set(this.deps.warmPods.list().map((p) => p.metadata?.uid ?? ''));
    const horizon = this.deps.clock.now() - TAKEN_MS;
    for (const [uid, at] of this.taken) if (!warm.has(uid) || at < horizon) this.taken.delete(uid);
  }
}
