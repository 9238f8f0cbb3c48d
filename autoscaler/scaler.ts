import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { ConditionManager, conditionSet } from '../api/conditions.js';
import type { PodAutoscaler } from '../api/kzero/v1alpha1/types.js';
import { ServingLabels } from '../api/serving/labels.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { ResourceClient } from '../lib/kube/rest.js';
import { isNotFound } from '../lib/kube/client.js';
import type { Lister } from '../controller/runtime/driver.js';
import type { StatMessage } from './server.js';

/** What the scaler needs of a revision's decider (autoscaler/scaling/decider.ts). */
export interface DeciderLike {
  record(now: number, stat: { concurrency: number; requests: number }): void;
  /** -1: not enough data, keep the current scale. */
  scale(now: number, state: { readyPods: number }): { desiredScale: number; panicking: boolean };
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
  /** A decider for a revision, from its PodAutoscaler (annotations, containerConcurrency) and the config. */
  newDecider(pa: PodAutoscaler): DeciderLike;
  /** The scale a poke from zero asks for: max(1, activation-scale). */
  pokeScale(pa: PodAutoscaler): number;
  onDecision?(pa: PodAutoscaler, desired: number, actual: number, panicking: boolean): void;
}

const keyOf = (ns: string, name: string): string => `${ns}/${name}`;
const podReady = (p: V1Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * Runs the deciders of one shard's revisions: stats in from activators, a scale decision every tick,
 * applied to the Deployment's /scale, and the PodAutoscaler's status written. A poke from the activator
 * for a revision at zero scales it up at once, without waiting for the next tick.
 */
export class Scaler {
  private readonly deciders = new Map<string, { decider: DeciderLike; generation: number | undefined }>();

  constructor(private readonly deps: ScalerDeps) {}

  stats(stats: StatMessage[]): void {
    const now = this.deps.clock.now();
    for (const s of stats) {
      const pa = this.deps.podAutoscalers.get(s.revision, s.namespace);
      if (!pa) continue; // another shard's revision, or gone
      this.decider(pa).record(now, { concurrency: Number(s.concurrency) || 0, requests: Number(s.requests) || 0 });
    }
  }

  async poke(namespace: string, revision: string): Promise<void> {
    const pa = this.deps.podAutoscalers.get(revision, namespace);
    if (!pa) throw new Error(`no PodAutoscaler ${namespace}/${revision} in this shard`);
    // The poke is load: the decider must not take the revision back to zero before stats arrive.
    this.decider(pa).record(this.deps.clock.now(), { concurrency: 1, requests: 1 });
    const dep = this.deps.deployments.get(pa.spec.scaleTargetRef.name, namespace);
    if ((dep?.spec?.replicas ?? 0) > 0) return;
    const scale = this.deps.pokeScale(pa);
    this.deps.log.info('autoscaler: scaling from zero', { revision: keyOf(namespace, revision), scale });
    await this.scaleTo(pa, scale);
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
    const dep = this.deps.deployments.get(pa.spec.scaleTargetRef.name, ns);
    if (!dep) return;
    const ready = this.deps.pods.list(ns).filter((p) => p.metadata?.labels?.[ServingLabels.revision] === pa.metadata.name && !p.metadata?.deletionTimestamp && podReady(p)).length;
    const current = dep.spec?.replicas ?? 0;
    const decision = this.decider(pa).scale(now, { readyPods: ready });
    const desired = decision.desiredScale < 0 ? current : decision.desiredScale;
    if (desired !== current) {
      this.deps.log.info('autoscaler: scaling', { revision: keyOf(ns, pa.metadata.name ?? ''), from: current, to: desired, panicking: decision.panicking });
      await this.scaleTo(pa, desired);
    }
    this.deps.onDecision?.(pa, desired, ready, decision.panicking);
    await this.writeStatus(pa, desired, ready, now);
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

  forget(pa: PodAutoscaler): void {
    this.deciders.delete(keyOf(pa.metadata.namespace ?? '', pa.metadata.name ?? ''));
  }

  private async scaleTo(pa: PodAutoscaler, replicas: number): Promise<void> {
    try {
      await this.deps.deploymentClient.patch(pa.metadata.namespace, pa.spec.scaleTargetRef.name, { spec: { replicas } }, 'merge', 'scale');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async writeStatus(pa: PodAutoscaler, desired: number, actual: number, now: number): Promise<void> {
    const status = structuredClone(pa.status ?? {});
    const c = new ConditionManager(paConditions, status, new Date(now).toISOString()).initialize();
    c.markTrue('ScaleTargetInitialized');
    if (actual > 0) c.markTrue('Active');
    else if (desired === 0) c.markFalse('Active', 'NoTraffic', 'The target is not receiving traffic.');
    else c.markUnknown('Active', 'Queued', 'Requests to the target are being buffered as resources are provisioned.');
    status.desiredScale = desired;
    status.actualScale = actual;
    status.observedGeneration = pa.metadata.generation;
    if (isDeepStrictEqual(status, pa.status ?? {})) return;
    await this.deps.paClient.patch(pa.metadata.namespace, pa.metadata.name ?? '', { status }, 'merge', 'status');
  }
}
