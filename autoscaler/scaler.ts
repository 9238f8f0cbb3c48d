import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { ConditionManager, conditionSet } from '../api/conditions.js';
import { CODE_READY, type PodAutoscaler } from '../api/kzero/v1alpha1/types.js';
import { KzeroAnnotations, KzeroLabels, PoolStates, ServingLabels } from '../api/serving/labels.js';
import type { Revision } from '../api/serving/v1/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { ResourceClient } from '../lib/kube/rest.js';
import { isNotFound } from '../lib/kube/client.js';
import type { Lister } from '../lib/kube/lister.js';
import type { ClaimedPod, ClaimOutcome, CodeFailure } from './pool/claimer.js';
import { planScale } from './pool/plan.js';
import type { ScalingSpec } from './config/revision-spec.js';
import type { RevisionStat } from '../api/kzero/v1alpha1/autoscaler-wire.js';
import { isPodReady } from '../lib/kube/pods.js';
import { jsonCopy } from '../lib/json.js';

/** What the scaler needs of a revision's decider (autoscaler/scaling/decider.ts). */
export interface DeciderLike {
  record(now: number, stat: { concurrency: number; requests: number }): void;
  /** -1: not enough data, keep the current scale. */
  scale(now: number, state: { readyPods: number }): { desiredScale: number; panicking: boolean };
  /** Takes a new spec (config-autoscaler changed), keeping its windows' data. */
  update?(spec: ScalingSpec): void;
}

// PodAutoscaler conditions: Ready = Active (it has pods) and ScaleTargetInitialized, as Knative's PA.
const paConditions = conditionSet('Ready', 'Active', 'ScaleTargetInitialized');

export interface ScalerDeps {
  clock: Clock;
  log: Logger;
  podAutoscalers: Lister<PodAutoscaler> & { list(namespace?: string): ReadonlyArray<PodAutoscaler> };
  deployments: Lister<V1Deployment>;
  pods: { list(namespace?: string): ReadonlyArray<V1Pod> };
  paClient: ResourceClient<PodAutoscaler>;
  deploymentClient: ResourceClient<V1Deployment>;
  /** Deletes claimed pods on the way down (they never go back to a pool). */
  podClient?: ResourceClient<V1Pod>;
  /** A decider for a revision, from its PodAutoscaler (annotations, containerConcurrency) and the config. */
  newDecider(pa: PodAutoscaler): DeciderLike;
  /** The revision's scaling spec now (config-autoscaler and its annotations), for configChanged. */
  specOf?(pa: PodAutoscaler): ScalingSpec;
  /** The scale a poke from zero asks for: max(1, activation-scale). */
  pokeScale(pa: PodAutoscaler): number;
  onDecision?(pa: PodAutoscaler, desired: number, actual: number, panicking: boolean): void;
  /** The shard's Revisions and a claimer: pool-backed Revisions take warm pods before Deployment replicas. */
  pool?: {
    revisions: Lister<Revision>;
    claimer: { claim(rev: Revision, pa: PodAutoscaler, count: number): Promise<ClaimOutcome> };
    /** config-pool `enabled`. */
    enabled(): boolean;
  };
}

/** What a poke did: the pods it claimed (the activator may use them before its informer sees them). */
export interface PokeResult {
  pods: ClaimedPod[];
}

const keyOf = (ns: string, name: string): string => `${ns}/${name}`;
/** A pod this process claimed for a revision, until the informer shows it. */
interface PendingClaim {
  at: number;
  ip: string;
}

const isClaimed = (p: V1Pod): boolean => p.metadata?.labels?.[KzeroLabels.poolState] === PoolStates.claimed;
/** How long a claim or a delete this process made counts before the informer shows it. */
const PENDING_MS = 30_000;

/**
 * Runs the deciders of one shard's revisions: stats in from activators, a scale decision every tick,
 * applied to the Deployment's /scale, and the PodAutoscaler's status written. A poke from the activator
 * for a revision at zero scales it up at once, without waiting for the next tick.
 */
export class Scaler {
  private readonly deciders = new Map<string, { decider: DeciderLike; generation: number | undefined }>();
  /** Per revision: scaling in progress (a poke and a tick, or two pokes, must not both scale from zero). */
  private readonly busy = new Map<string, Promise<unknown>>();
  /** Claimed pods the informer may not show yet (by name: when, and the pod's IP), per revision. */
  private readonly claimedRecently = new Map<string, Map<string, PendingClaim>>();
  /** Claimed pods being deleted, by namespace/name: when. */
  private readonly deletedRecently = new Map<string, number>();
  /** Revisions whose code package failed to load, until their PodAutoscaler changes. */
  private readonly codeFailures = new Map<string, CodeFailure & { generation: number | undefined }>();
  private readonly codeLoaded = new Set<string>();

  constructor(private readonly deps: ScalerDeps) {}

  stats(stats: RevisionStat[]): void {
    const now = this.deps.clock.now();
    for (const s of stats) {
      const pa = this.deps.podAutoscalers.get(s.revision, s.namespace);
      if (!pa) continue; // another shard's revision, or gone
      this.decider(pa).record(now, { concurrency: s.concurrency, requests: s.requests });
    }
  }

  async poke(namespace: string, revision: string): Promise<PokeResult> {
    const pa = this.deps.podAutoscalers.get(revision, namespace);
    if (!pa) throw new Error(`no PodAutoscaler ${namespace}/${revision} in this shard`);
    // The poke is load: the decider must not take the revision back to zero before stats arrive.
    this.decider(pa).record(this.deps.clock.now(), { concurrency: 1, requests: 1 });
    return this.serial(keyOf(namespace, revision), async () => {
      // A Deployment the cache does not show yet is at zero: its /scale is tried all the same.
      const dep = this.deps.deployments.get(pa.spec.scaleTargetRef.name, namespace);
      const claimed = this.claimedPods(pa);
      // Scaled already (by a tick, another poke, another activator's poke): the claimed pods the informers
      // may not show yet are the answer, so that this activator need not wait for them.
      if ((dep?.spec?.replicas ?? 0) + claimed.length > 0) return { pods: this.pendingClaims(keyOf(namespace, revision), claimed) };
      const scale = this.deps.pokeScale(pa);
      this.deps.log.info('autoscaler: scaling from zero', { revision: keyOf(namespace, revision), scale });
      return { pods: await this.scaleTo(pa, dep, claimed, scale) };
    });
  }

  /** Runs `fn` after any scaling of the same revision in progress. */
  private serial<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const next = (this.busy.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.busy.set(key, next);
    const clear = (): void => void (this.busy.get(key) === next && this.busy.delete(key));
    next.then(clear, clear);
    return next;
  }

  /** Of `claimed` (claimedPods: being deleted left out), those the informer does not show yet, with their IPs. */
  private pendingClaims(key: string, claimed: readonly string[]): ClaimedPod[] {
    const recent = this.claimedRecently.get(key);
    return claimed.flatMap((name) => {
      const pending = recent?.get(name);
      return pending ? [{ name, ip: pending.ip }] : [];
    });
  }

  /** The revision's claimed pods, newest first: the informer's, plus claims it may not show yet, minus deletes. */
  private claimedPods(pa: PodAutoscaler): string[] {
    const ns = pa.metadata.namespace ?? '';
    const key = keyOf(ns, pa.metadata.name ?? '');
    const now = this.deps.clock.now();
    const recent = this.claimedRecently.get(key) ?? new Map<string, PendingClaim>();
    const seen = new Map<string, number>();
    for (const p of this.deps.pods.list(ns)) {
      if (p.metadata?.labels?.[ServingLabels.revision] !== pa.metadata.name || !isClaimed(p)) continue;
      const name = p.metadata?.name ?? '';
      recent.delete(name);
      if (!p.metadata?.deletionTimestamp) seen.set(name, Date.parse(p.metadata?.annotations?.[KzeroAnnotations.claimedAt] ?? '') || 0);
    }
    for (const [name, { at }] of recent) {
      if (at > now - PENDING_MS) seen.set(name, at);
      else recent.delete(name); // never seen (deleted before the informer caught up): forget it
    }
    for (const [name, at] of this.deletedRecently) if (at <= now - PENDING_MS) this.deletedRecently.delete(name);
    return [...seen].filter(([name]) => !this.deletedRecently.has(`${ns}/${name}`)).sort((a, b) => b[1] - a[1]).map(([name]) => name);
  }

  /** One round over every PodAutoscaler of the shard. */
  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    await Promise.all(this.deps.podAutoscalers.list().map(async (pa) => {
      try {
        await this.reconcile(pa, now);
      } catch (err) {
        this.deps.log.warn('autoscaler: scaling failed', { revision: keyOf(pa.metadata.namespace ?? '', pa.metadata.name ?? ''), error: err });
      }
    }));
  }

  private async reconcile(pa: PodAutoscaler, now: number): Promise<void> {
    const ns = pa.metadata.namespace ?? '';
    const key = keyOf(ns, pa.metadata.name ?? '');
    if (this.busy.has(key)) return; // a poke is scaling it; look again next tick
    const decided = await this.serial(key, async () => {
      const dep = this.deps.deployments.get(pa.spec.scaleTargetRef.name, ns);
      if (!dep) return undefined;
      const ready = this.deps.pods.list(ns).filter((p) => p.metadata?.labels?.[ServingLabels.revision] === pa.metadata.name && !p.metadata?.deletionTimestamp && isPodReady(p)).length;
      const claimed = this.claimedPods(pa);
      const current = (dep.spec?.replicas ?? 0) + claimed.length;
      const decision = this.decider(pa).scale(now, { readyPods: ready });
      const desired = decision.desiredScale < 0 ? current : decision.desiredScale;
      if (desired !== current) {
        this.deps.log.info('autoscaler: scaling', { revision: key, from: current, to: desired, panicking: decision.panicking });
        await this.scaleTo(pa, dep, claimed, desired);
      }
      this.deps.onDecision?.(pa, desired, ready, decision.panicking);
      return { desired, ready };
    });
    // Outside the revision's turn: a poke must not wait for a status write (seconds on a loaded API server).
    if (decided) await this.writeStatus(pa, decided.desired, decided.ready, now);
  }

  private decider(pa: PodAutoscaler): DeciderLike {
    const key = keyOf(pa.metadata.namespace ?? '', pa.metadata.name ?? '');
    const existing = this.deciders.get(key);
    // A changed PodAutoscaler (annotations) gets a new decider: its windows and targets may differ.
    if (existing && existing.generation === pa.metadata.generation) return existing.decider;
    const decider = this.deps.newDecider(pa);
    this.deciders.set(key, { decider, generation: pa.metadata.generation });
    return decider;
  }

  /** config-autoscaler changed: every decider takes its revision's new spec at once (Knative does too). */
  configChanged(): void {
    if (!this.deps.specOf) return;
    for (const pa of this.deps.podAutoscalers.list()) {
      const entry = this.deciders.get(keyOf(pa.metadata.namespace ?? '', pa.metadata.name ?? ''));
      entry?.decider.update?.(this.deps.specOf(pa));
    }
  }

  forget(pa: PodAutoscaler): void {
    const key = keyOf(pa.metadata.namespace ?? '', pa.metadata.name ?? '');
    this.deciders.delete(key);
    this.claimedRecently.delete(key);
    this.codeFailures.delete(key);
    this.codeLoaded.delete(key);
  }

  /**
   * Takes the revision to `desired` pods: down, claimed pods go first (deleted); up, a pool-backed revision
   * claims warm pods and the Deployment gets the rest (a miss, not an error). Returns the pods claimed.
   */
  private async scaleTo(pa: PodAutoscaler, dep: V1Deployment | undefined, claimed: string[], desired: number): Promise<ClaimedPod[]> {
    const ns = pa.metadata.namespace ?? '';
    const key = keyOf(ns, pa.metadata.name ?? '');
    const replicasNow = dep?.spec?.replicas ?? 0;
    const plan = planScale(desired, replicasNow, claimed);
    const now = this.deps.clock.now();
    await Promise.all(plan.removeClaimed.map(async (name) => {
      this.deletedRecently.set(`${ns}/${name}`, now);
      try {
        await this.deps.podClient?.delete(ns, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }));
    let got: ClaimedPod[] = [];
    const rev = this.deps.pool?.revisions.get(pa.metadata.name ?? '', ns);
    if (plan.add > 0 && rev && this.deps.pool?.enabled() && !this.codeFailed(pa)) {
      const outcome = await this.deps.pool.claimer.claim(rev, pa, plan.add);
      got = outcome.pods;
      if (got.length) {
        const recent = this.claimedRecently.get(key) ?? new Map<string, PendingClaim>();
        for (const p of got) recent.set(p.name, { at: now, ip: p.ip });
        this.claimedRecently.set(key, recent);
      }
      if (outcome.missed) this.deps.log.info('autoscaler: pool miss, scaling the Deployment', { revision: key, missed: outcome.missed, reason: outcome.missReason });
      // The claimed pods load the code in the background (they hold requests meanwhile). A bad package turns
      // the Revision Ready=False, and the activator fails its waiting requests: at once, not next tick.
      void outcome.specialized.then(async (failure) => {
        if (!failure) return void (got.length && this.codeLoaded.add(key));
        this.codeFailures.set(key, { ...failure, generation: pa.metadata.generation });
        await this.writeStatus(pa, desired, 0, this.deps.clock.now());
      }).catch((err: unknown) => this.deps.log.warn('autoscaler: writing the code failure', { revision: key, error: err }));
    }
    const replicas = plan.replicas - got.length;
    if (replicas !== replicasNow || !dep) {
      try {
        await this.deps.deploymentClient.patch(ns, pa.spec.scaleTargetRef.name, { spec: { replicas } }, 'merge', 'scale');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return got;
  }

  private codeFailed(pa: PodAutoscaler): boolean {
    const f = this.codeFailures.get(keyOf(pa.metadata.namespace ?? '', pa.metadata.name ?? ''));
    return (f !== undefined && f.generation === pa.metadata.generation) || pa.status?.conditions?.some((c) => c.type === CODE_READY && c.status === 'False') === true;
  }

  private async writeStatus(pa: PodAutoscaler, desired: number, actual: number, now: number): Promise<void> {
    const status = jsonCopy(pa.status ?? {});
    const c = new ConditionManager(paConditions, status, new Date(now).toISOString()).initialize();
    c.markTrue('ScaleTargetInitialized');
    if (actual > 0) c.markTrue('Active');
    else if (desired === 0) c.markFalse('Active', 'NoTraffic', 'The target is not receiving traffic.');
    else c.markUnknown('Active', 'Queued', 'Requests to the target are being buffered as resources are provisioned.');
    const key = keyOf(pa.metadata.namespace ?? '', pa.metadata.name ?? '');
    const failure = this.codeFailures.get(key);
    if (failure && failure.generation === pa.metadata.generation) c.markFalse(CODE_READY, failure.reason, failure.message);
    else if (this.codeLoaded.has(key)) c.markTrue(CODE_READY);
    status.desiredScale = desired;
    status.actualScale = actual;
    status.observedGeneration = pa.metadata.generation;
    if (isDeepStrictEqual(status, pa.status ?? {})) return;
    await this.deps.paClient.patch(pa.metadata.namespace, pa.metadata.name ?? '', { status }, 'merge', 'status');
  }
}
