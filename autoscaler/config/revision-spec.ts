// The scaling parameters of one revision: its autoscaling.knative.dev/* annotations over config-autoscaler,
// resolved as Knative's KPA reconciler does (pkg/reconciler/autoscaling/kpa/resources/decider.go MakeDecider,
// resources/target.go ResolveMetricTarget, resources/metric.go MakeMetric, pa_lifecycle.go ScaleBounds,
// GetInitialScale). Pure. Annotations that do not parse are ignored here (the config value applies), as in
// Knative: the webhook is what rejects them. Durations are milliseconds.

import { AutoscalingDefaults, AutoscalingLimits, AutoscalingMetrics, MetricAggregationAlgorithms, parseAutoscalingAnnotations } from '../../api/autoscaling/annotations.js';
import { MILLISECOND } from '../../api/autoscaling/duration.js';
import { initialScale } from '../../api/autoscaling/initial-scale.js';
import type { AutoscalerConfig } from '../../api/autoscaling/config-autoscaler.js';

export type ScalingMetric = 'concurrency' | 'rps';
export type Aggregation = 'linear' | 'weighted-exponential';

export interface ScalingSpec {
  /** What the windows average: in-flight requests, or requests per second. */
  readonly metric: ScalingMetric;
  /** metric-aggregation-algorithm: plain average (default) or Knative's weighted exponential decay. */
  readonly aggregation: Aggregation;
  /** Per-pod value to aim for: total * targetUtilization, at least 0.01. desired = ceil(observed / target). */
  readonly target: number;
  /** Per-pod value a pod can take: containerConcurrency, the target annotation, or the metric's default. */
  readonly total: number;
  /** Fraction of `total` to aim for (0.7). */
  readonly targetUtilization: number;
  readonly targetBurstCapacity: number;
  readonly activatorCapacity: number;
  readonly stableWindowMs: number;
  readonly panicWindowPercentage: number;
  /** stableWindow * percentage, rounded to a whole second, at least 1s. */
  readonly panicWindowMs: number;
  /** Ratio, not percent: 2 means panic when the panic window wants twice the ready pods. */
  readonly panicThreshold: number;
  readonly maxScaleUpRate: number;
  readonly maxScaleDownRate: number;
  readonly minScale: number;
  /** 0 = no upper bound. */
  readonly maxScale: number;
  readonly initialScale: number;
  /** Smallest non-zero scale (activation-scale); 1 when unset. */
  readonly activationScale: number;
  readonly scaleDownDelayMs: number;
  readonly enableScaleToZero: boolean;
  readonly scaleToZeroGracePeriodMs: number;
  readonly scaleToZeroPodRetentionPeriodMs: number;
}

const SECOND_MS = 1000;

/**
 * The revision's ScalingSpec. `containerConcurrency` is the revision's spec.containerConcurrency (0 =
 * unlimited). For the concurrency metric the per-pod total is containerConcurrency, or the target
 * annotation (capped at containerConcurrency when that is set), or container-concurrency-target-default;
 * for rps it is the target annotation or requests-per-second-target-default. The target is that total
 * times the utilization (target-utilization-percentage, else config), as in Knative. `poolBacked`: the
 * Revision claims warm pool pods (api/autoscaling/initial-scale.ts: it starts at 0).
 */
export function revisionScalingSpec(
  config: AutoscalerConfig,
  annotations: Readonly<Record<string, string>> | undefined,
  containerConcurrency: number,
  poolBacked: boolean,
): ScalingSpec {
  const { values: a } = parseAutoscalingAnnotations(annotations);
  const cc = Number.isFinite(containerConcurrency) && containerConcurrency > 0 ? containerConcurrency : 0;
  const metric: ScalingMetric = a.metric === AutoscalingMetrics.rps ? 'rps' : 'concurrency';

  let total: number;
  let utilization: number;
  if (metric === 'rps') {
    total = a.target ?? config.rpsTargetDefault;
    utilization = config.targetUtilization;
  } else {
    total = a.target !== undefined ? (cc > 0 ? Math.min(a.target, cc) : a.target) : cc > 0 ? cc : config.containerConcurrencyTargetDefault;
    utilization = config.containerConcurrencyTargetFraction;
  }
  if (a.targetUtilizationPercentage !== undefined) utilization = a.targetUtilizationPercentage / 100;
  const target = Math.max(AutoscalingLimits.targetMin, total * utilization);

  const stableWindowMs = a.window !== undefined ? a.window / MILLISECOND : config.stableWindowMs;
  const panicWindowPercentage = a.panicWindowPercentage ?? config.panicWindowPercentage;
  const panicWindowMs = Math.max(SECOND_MS, Math.round((stableWindowMs * panicWindowPercentage) / 100 / SECOND_MS) * SECOND_MS);

  const alg = a.metricAggregationAlgorithm;
  const aggregation: Aggregation =
    alg === MetricAggregationAlgorithms.weightedExponential || alg === MetricAggregationAlgorithms.weightedExponentialAlt ? 'weighted-exponential' : 'linear';

  return Object.freeze({
    metric,
    aggregation,
    target,
    total,
    targetUtilization: utilization,
    targetBurstCapacity: a.targetBurstCapacity ?? config.targetBurstCapacity,
    activatorCapacity: config.activatorCapacity,
    stableWindowMs,
    panicWindowPercentage,
    panicWindowMs,
    panicThreshold: (a.panicThresholdPercentage ?? config.panicThresholdPercentage) / 100,
    maxScaleUpRate: config.maxScaleUpRate,
    maxScaleDownRate: config.maxScaleDownRate,
    minScale: Math.max(0, a.minScale ?? config.minScale),
    maxScale: Math.max(0, a.maxScale ?? config.maxScale),
    initialScale: initialScale(config, annotations, poolBacked),
    activationScale: Math.max(1, a.activationScale ?? AutoscalingDefaults.activationScale),
    scaleDownDelayMs: a.scaleDownDelay !== undefined ? a.scaleDownDelay / MILLISECOND : config.scaleDownDelayMs,
    enableScaleToZero: config.enableScaleToZero,
    scaleToZeroGracePeriodMs: config.scaleToZeroGracePeriodMs,
    scaleToZeroPodRetentionPeriodMs:
      a.scaleToZeroPodRetentionPeriod !== undefined ? a.scaleToZeroPodRetentionPeriod / MILLISECOND : config.scaleToZeroPodRetentionPeriodMs,
  });
}
