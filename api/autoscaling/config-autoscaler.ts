// config-autoscaler: the cluster-wide knobs of kzero's KPA, with Knative's key names, defaults and rules
// (knative/serving pkg/autoscaler/config/config.go). Pure: parseAutoscalerConfig(data) returns a frozen
// value or throws an AutoscalerConfigError naming every bad key. Unknown keys (and `_example`) are
// ignored, as in Knative. Durations are milliseconds here.
//
// Keys (all optional; the default follows each):
//   container-concurrency-target-percentage "70"   share of a pod's concurrency to aim for; (0, 100]. A value
//                                                  <= 1 is read as a fraction (Knative's legacy form: "0.7").
//   container-concurrency-target-default    "100"  per-pod concurrency when containerConcurrency is 0
//                                                  (unlimited); times the percentage must be >= 0.01.
//   requests-per-second-target-default      "200"  per-pod requests/s for the rps metric; >= 0.01.
//   target-burst-capacity                   "211"  spare concurrency to keep; >= 0, or -1 for unlimited.
//   stable-window                           "60s"  averaging window of the stable mode; 6s..1h, whole seconds.
//   panic-window-percentage                 "10"   panic window as a share of the stable window; 1..100.
//   panic-threshold-percentage              "200"  panic when the panic window wants this share of the ready pods.
//   max-scale-up-rate                       "1000" at most ready * rate pods per decision; > 1.
//   max-scale-down-rate                     "2"    at least ready / rate pods per decision; > 1.
//   enable-scale-to-zero                    "true" false keeps at least one pod.
//   scale-to-zero-grace-period              "30s"  how long an idle revision keeps its last pod; > 0.
//   scale-to-zero-pod-retention-period      "0s"   a floor on that time for reachable revisions; >= 0.
//   pod-autoscaler-class                    "kpa.autoscaling.knative.dev"  class when no annotation names one.
//   activator-capacity                      "100"  concurrent requests one activator takes; >= 1.
//   initial-scale                           "1"    pods of a new revision; >= 1, or 0 with allow-zero-initial-scale.
//   allow-zero-initial-scale                "false" lets initial-scale (and the annotation) be 0.
//   min-scale                               "0"    default lower bound; >= 0.
//   max-scale                               "0"    default upper bound; 0 = none; <= max-scale-limit when that is set.
//   max-scale-limit                         "0"    largest max-scale a revision may ask for; 0 = no limit.
//   scale-down-delay                        "0s"   hold scale-downs at the max over this long; >= 0, whole seconds.
//
// Booleans are Go's strconv.ParseBool ("true", "1", "T", "False", ...), numbers strconv.ParseFloat/ParseInt
// (no spaces), durations time.ParseDuration ("90s", "1m30s").

import { AutoscalingDefaults as D, AutoscalingLimits as L, parseGoFloat } from './annotations.js';
import { MILLISECOND, SECOND, formatGoDuration, parseGoDuration } from './duration.js';

export const AUTOSCALER_CONFIG_NAME = 'config-autoscaler';

export interface AutoscalerConfig {
  readonly podAutoscalerClass: string;
  readonly enableScaleToZero: boolean;
  readonly allowZeroInitialScale: boolean;
  /** container-concurrency-target-percentage as a fraction (0.7). */
  readonly containerConcurrencyTargetFraction: number;
  readonly containerConcurrencyTargetDefault: number;
  /** Utilization for metrics other than concurrency (rps): Knative's fixed 0.7, not a ConfigMap key. */
  readonly targetUtilization: number;
  readonly rpsTargetDefault: number;
  readonly targetBurstCapacity: number;
  readonly activatorCapacity: number;
  readonly maxScaleUpRate: number;
  readonly maxScaleDownRate: number;
  readonly stableWindowMs: number;
  readonly panicWindowPercentage: number;
  readonly panicThresholdPercentage: number;
  readonly scaleToZeroGracePeriodMs: number;
  readonly scaleToZeroPodRetentionPeriodMs: number;
  readonly scaleDownDelayMs: number;
  readonly initialScale: number;
  readonly minScale: number;
  readonly maxScale: number;
  readonly maxScaleLimit: number;
}

export interface ConfigProblem {
  readonly key: string;
  readonly value: string | undefined;
  readonly message: string;
}

/** Every problem found, each as `config-autoscaler: key=value: why`, joined by "; ". */
export class AutoscalerConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('; '));
    this.name = 'AutoscalerConfigError';
    this.problems = Object.freeze([...problems]);
  }
}

function formatProblem(p: ConfigProblem): string {
  if (p.value === undefined) return `${AUTOSCALER_CONFIG_NAME}: ${p.key}: ${p.message}`;
  const shown = /^[\w.+-]+$/.test(p.value) ? p.value : JSON.stringify(p.value);
  return `${AUTOSCALER_CONFIG_NAME}: ${p.key}=${shown}: ${p.message}`;
}

/** "6s", "1h", "1m30s": Go's Duration.String() without the trailing zero units. */
export function shortDuration(ns: number): string {
  const s = formatGoDuration(ns);
  return s.replace(/(\d)h0m0s$/, '$1h').replace(/(\d)m0s$/, '$1m');
}

const GO_BOOL: Readonly<Record<string, boolean>> = Object.freeze({
  '1': true, t: true, T: true, TRUE: true, true: true, True: true,
  '0': false, f: false, F: false, FALSE: false, false: false, False: false,
});

const INT32 = /^[+-]?\d+$/;

/** Parses config-autoscaler's data. Throws AutoscalerConfigError listing every bad key. */
export function parseAutoscalerConfig(data: Record<string, string> | undefined): AutoscalerConfig {
  const raw = (key: string): string | undefined => (data && Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined);
  const problems: ConfigProblem[] = [];
  const bad = (key: string, message: string, value: string | undefined = raw(key)): void => {
    problems.push({ key, value, message });
  };

  const bool = (key: string, def: boolean): boolean => {
    const v = raw(key);
    if (v === undefined) return def;
    const b = GO_BOOL[v];
    if (b === undefined) bad(key, 'must be true or false');
    return b ?? def;
  };
  const float = (key: string, def: number): number => {
    const v = raw(key);
    if (v === undefined) return def;
    const f = parseGoFloat(v);
    if (f === undefined) bad(key, 'must be a number');
    return f ?? def;
  };
  const int32 = (key: string, def: number): number => {
    const v = raw(key);
    if (v === undefined) return def;
    const n = INT32.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || Math.abs(n) > L.int32Max) {
      bad(key, 'must be a whole number');
      return def;
    }
    return n === 0 ? 0 : n; // no -0
  };
  // Nanoseconds, as Go; converted to ms at the end.
  const duration = (key: string, def: number): number => {
    const v = raw(key);
    if (v === undefined) return def;
    const d = parseGoDuration(v);
    if (d === undefined) bad(key, 'must be a duration such as "30s" or "1m30s"');
    return d ?? def;
  };

  const podAutoscalerClass = raw('pod-autoscaler-class') ?? D.class;
  const enableScaleToZero = bool('enable-scale-to-zero', D.enableScaleToZero);
  const allowZeroInitialScale = bool('allow-zero-initial-scale', D.allowZeroInitialScale);
  const maxScaleUpRate = float('max-scale-up-rate', D.maxScaleUpRate);
  const maxScaleDownRate = float('max-scale-down-rate', D.maxScaleDownRate);
  let ccFraction = float('container-concurrency-target-percentage', D.targetUtilizationPercentage);
  const ccDefault = float('container-concurrency-target-default', D.containerConcurrencyTargetDefault);
  const rpsTargetDefault = float('requests-per-second-target-default', D.rpsTargetDefault);
  const targetBurstCapacity = float('target-burst-capacity', D.targetBurstCapacity);
  const panicWindowPercentage = float('panic-window-percentage', D.panicWindowPercentage);
  const activatorCapacity = float('activator-capacity', D.activatorCapacity);
  const panicThresholdPercentage = float('panic-threshold-percentage', D.panicThresholdPercentage);
  const initialScale = int32('initial-scale', D.initialScale);
  const minScale = int32('min-scale', D.minScale);
  const maxScale = int32('max-scale', D.maxScale);
  const maxScaleLimit = int32('max-scale-limit', D.maxScaleLimit);
  const stableWindow = duration('stable-window', D.window);
  const scaleDownDelay = duration('scale-down-delay', D.scaleDownDelay);
  const grace = duration('scale-to-zero-grace-period', D.scaleToZeroGracePeriod);
  const retention = duration('scale-to-zero-pod-retention-period', D.scaleToZeroPodRetentionPeriod);

  // Knative: a percentage above 1 is a percentage, anything else a fraction (legacy "0.7").
  if (ccFraction > 1) ccFraction /= 100;

  // Knative's validate(), in its order; parse errors above already reported their keys.
  const parsed = (key: string): boolean => !problems.some((p) => p.key === key);
  if (parsed('scale-to-zero-grace-period') && grace <= 0) bad('scale-to-zero-grace-period', 'must be positive');
  if (parsed('scale-down-delay')) {
    if (scaleDownDelay < 0) bad('scale-down-delay', 'must not be negative');
    else if (scaleDownDelay % SECOND !== 0) bad('scale-down-delay', 'must be a whole number of seconds');
  }
  if (parsed('scale-to-zero-pod-retention-period') && retention < 0) bad('scale-to-zero-pod-retention-period', 'must not be negative');
  if (targetBurstCapacity < 0 && targetBurstCapacity !== -1) bad('target-burst-capacity', 'must be at least 0, or -1 for unlimited');
  if (ccFraction <= 0 || ccFraction > 1) {
    bad('container-concurrency-target-percentage', 'must be in (0, 100]');
  } else if (ccFraction * ccDefault < L.targetMin) {
    bad(
      'container-concurrency-target-default',
      `times container-concurrency-target-percentage gives a target of ${ccFraction * ccDefault}, below the minimum ${L.targetMin}`,
    );
  }
  if (rpsTargetDefault < L.targetMin) bad('requests-per-second-target-default', `must be at least ${L.targetMin}`);
  if (activatorCapacity < 1) bad('activator-capacity', 'must be at least 1');
  if (maxScaleUpRate <= 1) bad('max-scale-up-rate', 'must be greater than 1');
  if (maxScaleDownRate <= 1) bad('max-scale-down-rate', 'must be greater than 1');
  if (parsed('stable-window')) {
    if (stableWindow < L.windowMin || stableWindow > L.windowMax) {
      bad('stable-window', `must be between ${shortDuration(L.windowMin)} and ${shortDuration(L.windowMax)}`);
    } else if (stableWindow % SECOND !== 0) {
      bad('stable-window', 'must be a whole number of seconds');
    }
  }
  if (panicWindowPercentage < L.panicWindowPercentageMin || panicWindowPercentage > L.panicWindowPercentageMax) {
    bad('panic-window-percentage', `must be between ${L.panicWindowPercentageMin} and ${L.panicWindowPercentageMax}`);
  }
  if (parsed('initial-scale')) {
    if (initialScale < 0) bad('initial-scale', 'must be at least 0');
    else if (initialScale === 0 && !allowZeroInitialScale) bad('initial-scale', 'may only be 0 when allow-zero-initial-scale is true');
  }
  if (minScale < 0) bad('min-scale', 'must be at least 0');
  if (maxScaleLimit < 0) bad('max-scale-limit', 'must be at least 0');
  if (maxScaleLimit > 0 && (maxScale < 1 || maxScale > maxScaleLimit)) {
    bad('max-scale', `must be between 1 and max-scale-limit (${maxScaleLimit})`, raw('max-scale') ?? String(maxScale));
  } else if (maxScale < 0) {
    bad('max-scale', 'must be at least 0 (0 for no limit)');
  }
  if (maxScale > 0 && minScale > maxScale) bad('min-scale', `must not be greater than max-scale (${maxScale})`);

  if (problems.length > 0) throw new AutoscalerConfigError(problems);

  const ms = (ns: number): number => ns / MILLISECOND;
  return Object.freeze({
    podAutoscalerClass,
    enableScaleToZero,
    allowZeroInitialScale,
    containerConcurrencyTargetFraction: ccFraction,
    containerConcurrencyTargetDefault: ccDefault,
    targetUtilization: D.targetUtilizationPercentage / 100,
    rpsTargetDefault,
    targetBurstCapacity,
    activatorCapacity,
    maxScaleUpRate,
    maxScaleDownRate,
    stableWindowMs: ms(stableWindow),
    panicWindowPercentage,
    panicThresholdPercentage,
    scaleToZeroGracePeriodMs: ms(grace),
    scaleToZeroPodRetentionPeriodMs: ms(retention),
    scaleDownDelayMs: ms(scaleDownDelay),
    initialScale,
    minScale,
    maxScale,
    maxScaleLimit,
  });
}
