import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { RUNTIME_ADMIN_PORT } from '../../api/kzero/v1alpha1/pool.js';
import type { SpecializeRequest } from '../../api/kzero/v1alpha1/specialize.js';
import type { PodAutoscaler, PodPool } from '../../api/kzero/v1alpha1/types.js';
import { KzeroAnnotations } from '../../api/serving/labels.js';
import type { Revision } from '../../api/serving/v1/types.js';
import type { Clock } from '../../lib/clock.js';
import { messageOf } from '../../lib/errors.js';
import { statusCodeOf } from '../../lib/kube/client.js';
import type { ResourceClient } from '../../lib/kube/rest.js';
import type { Logger } from '../../lib/log.js';
import type { PoolIdentity, SigningKey } from '../../lib/specialize-signature.js';
import { claimPatch } from '../../api/kzero/v1alpha1/pool-claim.js';
import { claimable, pickWarmPod } from './claim.js';
import { poolFit } from './fit.js';

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

/** Where a /specialize goes: the pod's IP, and its name and pool, which the request's signature is bound to. */
export interface SpecializeTarget {
  ip: string;
  pod: string;
  pool: PoolIdentity;
}

/**
 * The runtime's POST /specialize. With `reserve`, it answers at once: 202 when the pod took this Revision
 * (it is loading the code), 409 when it is another Revision's. Without, it answers when loading ends (200,
 * 422 bad package, 502 fetch failed), sharing the outcome of a load already running for the same Revision.
 */
export type Specialize = (target: SpecializeTarget, body: SpecializeRequest, opts?: { reserve?: boolean }) => Promise<SpecializeAnswer>;

/** A /specialize answer; a 409 says how long ago the runtime was taken (`takenMs`). */
export interface SpecializeAnswer {
  status: number;
  error?: string;
  takenMs?: number;
}

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
  specialize: Specialize;
  random(): number;
  metrics: ClaimMetrics;
}

const ATTEMPTS_PER_POD = 3;
const TAKEN_MS = 5_000;
/**
 * A warm-labelled pod whose runtime was taken this long ago lost its claimer between the reservation and
 * the claim patch (the patch follows the load, which a package's fetch timeout bounds at 10 s): no one
 * will label it, and it would sit in the pool unclaimable. Whoever finds it deletes it; the pool refills.
 */
const ORPHAN_MS = 60_000;

/**
 * The runtime's /specialize over HTTP (runtime/server.ts), each request signed with `key` just before it goes
 * (lib/specialize-signature.ts), bounded by a timeout: a hung pod is a failed claim.
 */
export function httpSpecialize({ key, now, port = RUNTIME_ADMIN_PORT }: { key: SigningKey; now: () => number; port?: number }): Specialize {
  return async (target, body, opts = {}) => {
    const timeout = opts.reserve ? 5_000 : 60_000;
    const raw = JSON.stringify(body);
    const signature = key.sign({ pool: target.pool, pod: target.pod, claim: body.claim ?? '', body: raw }, now());
    const res = await request(`http://${target.ip}:${port}/specialize`, {
      method: 'POST', body: raw,
      headers: { 'content-type': 'application/json', ...signature, ...(opts.reserve ? { prefer: 'respond-async' } : {}) },
      headersTimeout: timeout, bodyTimeout: timeout,
    });
    return answerOf(res.statusCode, await res.body.text());
  };
}

function answerOf(status: number, text: string): SpecializeAnswer {
  if (status === 200 || status === 202) return { status };
  let error = text.trim();
  let takenMs: number | undefined;
  try {
    const body = JSON.parse(text) as { error?: string; takenMs?: unknown };
    error = body.error ?? error;
    if (typeof body.takenMs === 'number') takenMs = body.takenMs;
  } catch {
    // not JSON: the text is the error
  }
  return { status, error, ...(takenMs === undefined ? {} : { takenMs }) };
}

/**
 * Claims warm pods for Revisions (see claim.ts) and loads their code. Two claimers never share a pod: the
 * pod's runtime takes one claim only (the first /specialize; later ones for another claim get 409), and
 * the claim patch that follows is conditional on the pod still being labelled warm.
 */
export class PoolClaimer {
  /**
   * UIDs of warm pods this process claimed, is claiming or lost a race for (uid -> when), until the informer
   * no longer shows them warm, or for TAKEN_MS: a pod another claimer holds stays labelled warm until its
   * claim patch lands (or, if that claimer died, until someone deletes it), and is looked at again later.
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
    const identity: PoolIdentity = { namespace: ns, name: fit.pool, uid: pool!.metadata.uid ?? '' }; // a fit names an existing pool
    const owner: V1OwnerReference = { apiVersion: rev.apiVersion ?? 'serving.knative.dev/v1', kind: 'Revision', name: rev.metadata.name ?? '', uid: rev.metadata.uid ?? '', controller: true };
    const labels = pa.metadata.labels ?? {};
    this.prune();
    const pods: ClaimedPod[] = [];
    const loading: Array<Promise<CodeFailure | undefined>> = [];
    let missed = 0;
    let missReason: string | undefined;
    await Promise.all(Array.from({ length: count }, async () => {
      const got = await this.claimOne(rev, identity, fit.request, labels, owner);
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
   * Takes one warm pod: its runtime is asked first, and once it has taken the Revision (a round trip on the
   * node, not through the API server) the pod is answered. The wait for the code and the claim patch follow
   * in the background: the runtime holds the requests sent to it until the code is loaded (or answers them
   * 503 with the reason), so the activator can route to it at once.
   */
  private async claimOne(rev: Revision, identity: PoolIdentity, body: SpecializeRequest, labels: Record<string, string>, owner: V1OwnerReference): Promise<{ pod: ClaimedPod; specialized: Promise<CodeFailure | undefined> } | { miss: string }> {
    const ns = rev.metadata.namespace ?? '';
    const pool = identity.name;
    const revKey = `${ns}/${rev.metadata.name}`;
    let lastMiss: string | undefined;
    for (let attempt = 0; attempt < ATTEMPTS_PER_POD; attempt++) {
      const pod = pickWarmPod(claimable(this.deps.warmPods.list(ns), pool, new Set(this.taken.keys())), () => this.deps.random());
      if (!pod) return { miss: lastMiss ?? 'no warm pod' };
      const uid = pod.metadata?.uid ?? '';
      const name = pod.metadata?.name ?? '';
      const ip = pod.status!.podIP!;
      const started = this.deps.clock.now();
      this.taken.set(uid, started);
      const claimBody = { ...body, claim: randomUUID() };
      const target: SpecializeTarget = { ip, pod: name, pool: identity };
      const answer = await this.deps.specialize(target, claimBody, { reserve: true }).catch((err: unknown): SpecializeAnswer => ({ status: 0, error: messageOf(err) }));
      if (answer.status === 409) {
        if ((answer.takenMs ?? 0) > ORPHAN_MS) {
          this.deps.log.warn('autoscaler: deleting a warm pod whose claimer never labelled it', { pod: `${ns}/${name}`, takenMs: answer.takenMs, error: answer.error });
          this.deletePod(ns, { name, uid });
        }
        lastMiss = 'lost the race for a warm pod';
        continue;
      }
      if (answer.status !== 202 && answer.status !== 200) {
        // Not answering, or refusing our signature: this pod is no good now; another may be.
        this.deps.log.warn('autoscaler: a warm pod refused the claim', { revision: revKey, pod: `${ns}/${name}`, status: answer.status, error: answer.error });
        lastMiss = `claim failed: pod ${name} answered ${answer.status || 'nothing'}${answer.error ? `: ${answer.error}` : ''}`;
        continue;
      }
      const reserved = this.deps.clock.now();
      return { pod: { name, ip }, specialized: this.settle(revKey, pool, { target, uid, pod }, { body: claimBody, labels, owner }, started, reserved) };
    }
    return { miss: lastMiss ?? 'no warm pod' };
  }

  /**
   * After the runtime took the pod: the outcome of loading the code, then the claim patch. The patch waits
   * for the load on purpose: it sets off the API server, the pool's ReplicaSet and a replacement pod's
   * start, which on a small node would compete for CPU with the load and the first request.
   */
  private async settle(revKey: string, pool: string, claimed: { target: SpecializeTarget; uid: string; pod: V1Pod }, claim: { body: SpecializeRequest; labels: Record<string, string>; owner: V1OwnerReference }, started: number, reserved: number): Promise<CodeFailure | undefined> {
    const ns = revKey.split('/')[0] ?? '';
    const target = { name: claimed.target.pod, uid: claimed.uid, pod: claimed.pod };
    const podKey = `${ns}/${target.name}`;
    const answer = await this.deps.specialize(claimed.target, claim.body).catch((err: unknown): SpecializeAnswer => ({ status: 0, error: messageOf(err) }));
    if (answer.status !== 200) {
      // A pod that failed to specialize is not put back: it may be half-loaded. Delete it; the pool refills, and
      // the next decision finds the Revision short of a pod and claims or scales again.
      this.deletePod(ns, target);
      this.deps.log.warn('autoscaler: specialize failed', { revision: revKey, pod: podKey, status: answer.status, error: answer.error });
      this.deps.metrics.missed(ns, pool, answer.status === 422 ? 'code' : 'error');
      if (answer.status === 422) return { reason: 'CodePackageInvalid', message: answer.error ?? 'the code package was rejected' };
      if (answer.status === 502) return { reason: 'CodeFetchFailed', message: answer.error ?? 'the code package could not be fetched' };
      return undefined;
    }
    const loaded = this.deps.clock.now();
    try {
      await this.deps.podClient.patch(ns, target.name, claimPatch(target.pod, pool, claim.labels, claim.owner, started), 'json');
    } catch (err) {
      // 422: the pod is no longer labelled warm, though its runtime took our claim: a claimer that does not
      // reserve first (an older version, mid-upgrade) labelled it. It serves our Revision either way.
      if (statusCodeOf(err) !== 422) {
        // Gone, or the API server failed: a pod that serves a Revision must not stay labelled warm.
        this.deps.log.warn('autoscaler: claim patch failed', { revision: revKey, pod: podKey, error: err });
        this.deps.metrics.missed(ns, pool, 'error');
        this.deletePod(ns, target);
        return undefined;
      }
    }
    const seconds = (loaded - started) / 1000;
    this.deps.metrics.claimed(ns, pool, seconds);
    this.deps.log.info('autoscaler: claimed a warm pod', { revision: revKey, pod: podKey, pool, ms: Math.round(seconds * 1000), reserveMs: Math.round(reserved - started), patchMs: Math.round(this.deps.clock.now() - loaded) });
    return undefined;
  }

  private deletePod(ns: string, pod: { name: string; uid: string }): void {
    this.deps.podClient.delete(ns, pod.name, { uid: pod.uid }).catch((err: unknown) => this.deps.log.warn('autoscaler: deleting a pool pod', { pod: `${ns}/${pod.name}`, error: err }));
  }

  /** Forget pods the informer no longer shows warm: they are claimed (by anyone) or gone. */
  private prune(): void {
    const warm = new Set(this.deps.warmPods.list().map((p) => p.metadata?.uid ?? ''));
    const horizon = this.deps.clock.now() - TAKEN_MS;
    for (const [uid, at] of this.taken) if (!warm.has(uid) || at < horizon) this.taken.delete(uid);
  }
}
