// The KPA decider of one revision: Knative's pkg/autoscaler/scaling/autoscaler.go Scale(), with the scale
// bounds and scale-to-zero rules of pkg/reconciler/autoscaling/kpa/scaler.go folded in, so one pure call
// answers "how many pods now". Time is always an argument: no timers, no I/O.
//
// Inputs: record() takes what the activators report each second for the revision (several activators'
// reports for one second add up); scale() takes the ready pod count. Silence counts as no traffic (see
// window.ts); only during the first stable window of a decider that has heard nothing is there "no data"
// (-1: keep the current scale), as Knative after an autoscaler restart.

import type { ScalingSpec } from '../config/revision-spec.js';
import { MaxWindow } from './max-window.js';
import { BucketWindow } from './window.js';

/** One second of one revision, from one activator. */
export interface Stat {
  /** Average in-flight requests over the second (queued ones included). */
  concurrency: number;
  /** Requests that arrived (or completed) in the second. */
  requests: number;
}

export interface ScaleState {
  readyPods: number;
  /** Whether a route sends traffic to the revision (Knative's Reachability); default true. Unreachable: no
   *  min-scale, initial-scale, scale-down rate, scale-down delay or pod retention. */
  reachable?: boolean;
  /** Whether the revision has once had max(min-scale, initial-scale) ready pods (Knative's
   *  ScaleTargetInitialized, see reachedInitialScale); default true. Until then it keeps its initial scale. */
  initialized?: boolean;
}

export type DecisionReason =
  | 'NoData' // -1: nothing heard yet, keep the current scale
  | 'Stable' // ceil(stable average / target)
  | 'ScaleUpRate' // capped at ceil(ready * max-scale-up-rate)
  | 'ScaleDownRate' // held at floor(ready / max-scale-down-rate)
  | 'ActivationScale' // raised to activation-scale
  | 'Panic' // panic mode: the larger of both windows, never down
  | 'ScaleDownDelay' // held at the max over scale-down-delay
  | 'MinScale'
  | 'InitialScale'
  | 'MaxScale'
  | 'ScaleToZeroDisabled' // enable-scale-to-zero=false keeps one pod
  | 'IdleWindow' // one pod until a whole stable window without traffic (and since it became ready)
  | 'ScaleToZeroGrace' // one pod for scale-to-zero-grace-period / pod retention
  | 'ScaleToZero'
  | 'Poke'; // a request arrived for a revision at zero

export interface Decision {
  /** Pods wanted; -1 for "no data yet, keep the current scale". */
  desiredScale: number;
  panicking: boolean;
  observedStableValue: number;
  observedPanicValue: number;
  reason: DecisionReason;
}

export const NO_DATA = -1;

/** The scale a poke asks for: at least max(1, activation-scale, min-scale), within max-scale. */
export function pokeFromZero(spec: ScalingSpec): number {
  const n = Math.max(1, spec.activationScale, spec.minScale);
  return spec.maxScale > 0 ? Math.min(n, spec.maxScale) : n;
}

/** Knative's ScaleTargetInitialized: the revision has had max(min-scale, initial-scale) ready pods. */
export function reachedInitialScale(spec: ScalingSpec, readyPods: number): boolean {
  return readyPods >= Math.max(spec.minScale, spec.initialScale);
}

export class Decider {
  private spec: ScalingSpec;
  private readonly createdAt: number;
  private readonly concurrency: BucketWindow;
  private readonly requests: BucketWindow;
  private delay: MaxWindow | undefined;
  /** Knative's panicTime: the last time the panic window was over the threshold. */
  private panicSince: number | undefined;
  private maxPanicPods = 0;
  /** The last second with traffic, or the last poke. */
  private lastActivity: number | undefined;
  /** When ready pods were first seen (since the last time there were none). */
  private activeSince: number | undefined;
  /** When the decider first wanted zero pods (since it last wanted more). */
  private inactiveSince: number | undefined;

  /** `readyPods` at creation: above 1, the decider starts in panic mode so that it does not scale down on the
   *  little data it has (Knative). */
  constructor(spec: ScalingSpec, init: { now: number; readyPods?: number }) {
    this.spec = spec;
    this.createdAt = init.now;
    this.concurrency = new BucketWindow(spec.stableWindowMs);
    this.requests = new BucketWindow(spec.stableWindowMs);
    this.delay = spec.scaleDownDelayMs > 0 ? new MaxWindow(spec.scaleDownDelayMs) : undefined;
    const ready = init.readyPods ?? 0;
    if (ready > 0) this.activeSince = init.now;
    if (ready > 1) {
      this.panicSince = init.now;
      this.maxPanicPods = ready;
    }
  }

  /** Takes a new spec (annotations or config changed); the windows keep what still fits. */
  update(spec: ScalingSpec): void {
    if (spec.stableWindowMs !== this.spec.stableWindowMs) {
      this.concurrency.resize(spec.stableWindowMs);
      this.requests.resize(spec.stableWindowMs);
    }
    if (spec.scaleDownDelayMs !== this.spec.scaleDownDelayMs) {
      this.delay = spec.scaleDownDelayMs > 0 ? new MaxWindow(spec.scaleDownDelayMs) : undefined;
    }
    this.spec = spec;
  }

  /** One activator's report for the second `now` falls in. */
  record(now: number, stat: Stat): void {
    const c = Math.max(0, stat.concurrency);
    const r = Math.max(0, stat.requests);
    this.concurrency.record(now, c);
    this.requests.record(now, r);
    if (c > 0 || r > 0) this.noteActivity(now);
  }

  /** The activator's poke: a request is waiting for a revision at zero. Scale to pokeFromZero(spec) at once
   *  (the caller never scales down on a poke); it also restarts the idle window. */
  poke(now: number): Decision {
    this.noteActivity(now);
    this.inactiveSince = undefined;
    const desiredScale = pokeFromZero(this.spec);
    this.delay?.record(now, desiredScale);
    const obs = this.observe(now) ?? { stable: 0, panic: 0 };
    return { desiredScale, panicking: this.panicSince !== undefined, observedStableValue: obs.stable, observedPanicValue: obs.panic, reason: 'Poke' };
  }

  scale(now: number, state: ScaleState): Decision {
    const spec = this.spec;
    const ready = Math.max(0, Math.floor(state.readyPods));
    const reachable = state.reachable ?? true;
    if (ready === 0) this.activeSince = undefined;
    else this.activeSince ??= now;

    const obs = this.observe(now);
    if (!obs) return { desiredScale: NO_DATA, panicking: this.panicSince !== undefined, observedStableValue: 0, observedPanicValue: 0, reason: 'NoData' };
    const decide = (desiredScale: number, reason: DecisionReason): Decision => ({
      desiredScale,
      panicking: this.panicSince !== undefined,
      observedStableValue: obs.stable,
      observedPanicValue: obs.panic,
      reason,
    });

    // Knative works with at least one ready pod, so that rates and the threshold mean something at zero.
    const readyF = Math.max(1, ready);
    const maxUp = Math.ceil(spec.maxScaleUpRate * readyF);
    const maxDown = reachable ? Math.floor(readyF / spec.maxScaleDownRate) : 0;
    const dspc = Math.ceil(obs.stable / spec.target);
    const dppc = Math.ceil(obs.panic / spec.target);
    const stable = this.limit(dspc, maxDown, maxUp);
    const panic = this.limit(dppc, maxDown, maxUp);

    // Knative: panic when the panic window wants panicThreshold times the ready pods; stay until a whole
    // stable window has passed since it last did.
    const over = dppc / readyF >= spec.panicThreshold;
    if (over) this.panicSince = now;
    else if (this.panicSince !== undefined && this.panicSince + spec.stableWindowMs < now) {
      this.panicSince = undefined;
      this.maxPanicPods = 0;
    }

    let desired = stable.n;
    let reason = stable.reason;
    if (this.panicSince !== undefined) {
      // Provision for whichever window wants more, and never go down while panicking.
      this.maxPanicPods = Math.max(this.maxPanicPods, stable.n, panic.n);
      desired = this.maxPanicPods;
      reason = 'Panic';
    }

    if (reachable && this.delay) {
      const held = this.delay.record(now, desired);
      if (held > desired) {
        desired = held;
        reason = 'ScaleDownDelay';
      }
    }

    // Bounds (Knative's scaler.scale): min-scale, or initial-scale until reached; max-scale.
    const min = reachable ? spec.minScale : 0;
    const initial = reachable && state.initialized === false ? spec.initialScale : 0;
    if (desired < Math.max(min, initial)) {
      desired = Math.max(min, initial);
      reason = initial > min ? 'InitialScale' : 'MinScale';
    }
    if (spec.maxScale > 0 && desired > spec.maxScale) {
      desired = spec.maxScale;
      reason = 'MaxScale';
    }

    if (desired > 0) {
      this.inactiveSince = undefined;
      return decide(desired, reason);
    }
    return this.toZero(now, ready, reachable, decide);
  }

  /** Desired 0: Knative's handleScaleToZero, with the activator always in the path. */
  private toZero(now: number, ready: number, reachable: boolean, decide: (n: number, r: DecisionReason) => Decision): Decision {
    const spec = this.spec;
    if (!spec.enableScaleToZero) return decide(1, 'ScaleToZeroDisabled');
    const sw = spec.stableWindowMs;
    if (this.lastActivity !== undefined && now - this.lastActivity < sw) return decide(1, 'IdleWindow');
    if (ready === 0) {
      this.inactiveSince = undefined;
      return decide(0, 'ScaleToZero');
    }
    if (this.activeSince !== undefined && now - this.activeSince < sw) return decide(1, 'IdleWindow');
    this.inactiveSince ??= now;
    const wait = Math.max(spec.scaleToZeroGracePeriodMs, reachable ? spec.scaleToZeroPodRetentionPeriodMs : 0);
    if (now - this.inactiveSince >= wait) return decide(0, 'ScaleToZero');
    return decide(1, 'ScaleToZeroGrace');
  }

  /** Clamps to [maxDown, maxUp] and applies activation-scale, naming what changed the value. */
  private limit(want: number, maxDown: number, maxUp: number): { n: number; reason: DecisionReason } {
    let n = want;
    let reason: DecisionReason = 'Stable';
    if (n < maxDown) {
      n = maxDown;
      reason = 'ScaleDownRate';
    }
    if (n > maxUp) {
      n = maxUp;
      reason = 'ScaleUpRate';
    }
    if (this.spec.activationScale > 1 && want > 0 && n < this.spec.activationScale) {
      n = this.spec.activationScale;
      reason = 'ActivationScale';
    }
    return { n, reason };
  }

  /** Stable and panic averages of the spec's metric, or undefined for "no data yet". */
  private observe(now: number): { stable: number; panic: number } | undefined {
    const spec = this.spec;
    const w = spec.metric === 'rps' ? this.requests : this.concurrency;
    if (w.isEmpty()) return now - this.createdAt < spec.stableWindowMs ? undefined : { stable: 0, panic: 0 };
    const avg = (span: number): number => (spec.aggregation === 'weighted-exponential' ? w.weightedAverage(now, span) : w.average(now, span));
    return { stable: avg(spec.stableWindowMs), panic: avg(spec.panicWindowMs) };
  }

  private noteActivity(now: number): void {
    if (this.lastActivity === undefined || now > this.lastActivity) this.lastActivity = now;
  }
}
