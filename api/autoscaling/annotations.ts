import { FieldError, also, errGeneric, errInvalidKeyName, errInvalidValue, errMultipleOneOf, errOutOfBoundsValue } from '../field-error.js';
import { HOUR, SECOND, formatGoDuration, parseGoDuration } from './duration.js';

// The autoscaling.knative.dev/* annotations, as Knative Serving knows them (pkg/apis/autoscaling/register.go)
// and validates them (annotation_validation.go), and the defaults of its config-autoscaler ConfigMap
// (pkg/autoscaler/config/config.go).
//
// kzero is stricter than Knative in two ways, on purpose: an unknown key under autoscaling.knative.dev/ is
// an error (a typo must not be silently ignored), and so is setting two spellings of the same key.

export const AUTOSCALING_GROUP = 'autoscaling.knative.dev';
export const AUTOSCALING_PREFIX = `${AUTOSCALING_GROUP}/`;

export const AutoscalingAnnotations = Object.freeze({
  class: `${AUTOSCALING_GROUP}/class`,
  metric: `${AUTOSCALING_GROUP}/metric`,
  target: `${AUTOSCALING_GROUP}/target`,
  targetUtilizationPercentage: `${AUTOSCALING_GROUP}/target-utilization-percentage`,
  targetBurstCapacity: `${AUTOSCALING_GROUP}/target-burst-capacity`,
  minScale: `${AUTOSCALING_GROUP}/min-scale`,
  maxScale: `${AUTOSCALING_GROUP}/max-scale`,
  initialScale: `${AUTOSCALING_GROUP}/initial-scale`,
  activationScale: `${AUTOSCALING_GROUP}/activation-scale`,
  window: `${AUTOSCALING_GROUP}/window`,
  panicWindowPercentage: `${AUTOSCALING_GROUP}/panic-window-percentage`,
  panicThresholdPercentage: `${AUTOSCALING_GROUP}/panic-threshold-percentage`,
  scaleDownDelay: `${AUTOSCALING_GROUP}/scale-down-delay`,
  scaleToZeroPodRetentionPeriod: `${AUTOSCALING_GROUP}/scale-to-zero-pod-retention-period`,
  metricAggregationAlgorithm: `${AUTOSCALING_GROUP}/metric-aggregation-algorithm`,
});

export type AutoscalingAnnotationName = keyof typeof AutoscalingAnnotations;

/**
 * Every accepted spelling of each annotation, canonical key first (Knative's kmap.KeyPriority: when
 * several are present Knative reads the first; kzero rejects that instead).
 */
export const AutoscalingAnnotationAliases: Readonly<Record<AutoscalingAnnotationName, readonly string[]>> = Object.freeze({
  class: Object.freeze([AutoscalingAnnotations.class]),
  metric: Object.freeze([AutoscalingAnnotations.metric]),
  target: Object.freeze([AutoscalingAnnotations.target]),
  targetUtilizationPercentage: Object.freeze([AutoscalingAnnotations.targetUtilizationPercentage, `${AUTOSCALING_GROUP}/targetUtilizationPercentage`]),
  targetBurstCapacity: Object.freeze([AutoscalingAnnotations.targetBurstCapacity, `${AUTOSCALING_GROUP}/targetBurstCapacity`]),
  minScale: Object.freeze([AutoscalingAnnotations.minScale, `${AUTOSCALING_GROUP}/minScale`]),
  maxScale: Object.freeze([AutoscalingAnnotations.maxScale, `${AUTOSCALING_GROUP}/maxScale`]),
  initialScale: Object.freeze([AutoscalingAnnotations.initialScale, `${AUTOSCALING_GROUP}/initialScale`]),
  activationScale: Object.freeze([AutoscalingAnnotations.activationScale]),
  window: Object.freeze([AutoscalingAnnotations.window]),
  panicWindowPercentage: Object.freeze([AutoscalingAnnotations.panicWindowPercentage, `${AUTOSCALING_GROUP}/panicWindowPercentage`]),
  panicThresholdPercentage: Object.freeze([AutoscalingAnnotations.panicThresholdPercentage, `${AUTOSCALING_GROUP}/panicThresholdPercentage`]),
  scaleDownDelay: Object.freeze([AutoscalingAnnotations.scaleDownDelay, `${AUTOSCALING_GROUP}/scaleDownDelay`]),
  scaleToZeroPodRetentionPeriod: Object.freeze([AutoscalingAnnotations.scaleToZeroPodRetentionPeriod, `${AUTOSCALING_GROUP}/scaleToZeroPodRetentionPeriod`]),
  metricAggregationAlgorithm: Object.freeze([AutoscalingAnnotations.metricAggregationAlgorithm, `${AUTOSCALING_GROUP}/metricAggregationAlgorithm`]),
});

/** Every key kzero accepts under autoscaling.knative.dev/, aliases included. */
export const KNOWN_AUTOSCALING_KEYS: ReadonlySet<string> = new Set(Object.values(AutoscalingAnnotationAliases).flat());

export const AutoscalingClasses = Object.freeze({
  kpa: 'kpa.autoscaling.knative.dev',
  hpa: 'hpa.autoscaling.knative.dev',
});

export const AutoscalingMetrics = Object.freeze({
  concurrency: 'concurrency',
  rps: 'rps',
  cpu: 'cpu',
  memory: 'memory',
});

export const MetricAggregationAlgorithms = Object.freeze({
  linear: 'linear',
  weightedExponential: 'weighted-exponential',
  /** The camel-case spelling Knative also accepts. */
  weightedExponentialAlt: 'weightedExponential',
});

/** Knative's bounds on the annotation values. Durations are in nanoseconds. */
export const AutoscalingLimits = Object.freeze({
  targetMin: 0.01,
  windowMin: 6 * SECOND,
  windowMax: 1 * HOUR,
  panicWindowPercentageMin: 1,
  panicWindowPercentageMax: 100,
  panicThresholdPercentageMin: 110,
  panicThresholdPercentageMax: 1000,
  targetUtilizationPercentageMin: 1,
  targetUtilizationPercentageMax: 100,
  scaleDownDelayMax: 1 * HOUR,
  scaleToZeroPodRetentionPeriodMax: 1 * HOUR,
  int32Max: 2147483647,
});

/** Knative's config-autoscaler defaults. Durations are in nanoseconds. */
export const AutoscalingDefaults = Object.freeze({
  class: AutoscalingClasses.kpa,
  metric: AutoscalingMetrics.concurrency,
  enableScaleToZero: true,
  /** container-concurrency-target-default */
  containerConcurrencyTargetDefault: 100,
  /** container-concurrency-target-percentage, i.e. target-utilization-percentage */
  targetUtilizationPercentage: 70,
  /** requests-per-second-target-default */
  rpsTargetDefault: 200,
  targetBurstCapacity: 211,
  activatorCapacity: 100,
  /** stable-window, i.e. the window annotation */
  window: 60 * SECOND,
  panicWindowPercentage: 10,
  panicThresholdPercentage: 200,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  initialScale: 1,
  allowZeroInitialScale: false,
  minScale: 0,
  /** 0 = unbounded. */
  maxScale: 0,
  /** 0 = no limit. */
  maxScaleLimit: 0,
  activationScale: 1,
  scaleToZeroGracePeriod: 30 * SECOND,
  scaleToZeroPodRetentionPeriod: 0,
  scaleDownDelay: 0,
});

/** The annotations that were set, typed. Durations are in nanoseconds (see duration.ts). */
export interface AutoscalingValues {
  class?: string;
  metric?: string;
  target?: number;
  targetUtilizationPercentage?: number;
  targetBurstCapacity?: number;
  minScale?: number;
  maxScale?: number;
  initialScale?: number;
  activationScale?: number;
  window?: number;
  panicWindowPercentage?: number;
  panicThresholdPercentage?: number;
  scaleDownDelay?: number;
  scaleToZeroPodRetentionPeriod?: number;
  metricAggregationAlgorithm?: string;
}

export interface AutoscalingParseResult {
  values: AutoscalingValues;
  /** Values that could not be parsed (they are left out of `values`). Paths are the annotation keys. */
  error?: FieldError;
}

export interface AutoscalingValidationOptions {
  /** config-autoscaler allow-zero-initial-scale. */
  allowZeroInitialScale: boolean;
  /** config-autoscaler max-scale-limit; 0 or absent for none. */
  maxScaleLimit?: number;
  /** config-autoscaler pod-autoscaler-class, used when the class annotation is absent. Default kpa. */
  defaultClass?: string;
}

interface Found {
  key: string;
  value: string;
}

/** The first spelling of `name` present in `annotations` (Knative's KeyPriority.Get). */
export function getAutoscalingAnnotation(annotations: Readonly<Record<string, string>> | undefined, name: AutoscalingAnnotationName): Found | undefined {
  if (!annotations) return undefined;
  for (const key of AutoscalingAnnotationAliases[name]) {
    const value = annotations[key];
    if (value !== undefined && Object.prototype.hasOwnProperty.call(annotations, key)) return { key, value };
  }
  return undefined;
}

// Go's strconv, strictly: no surrounding spaces, no empty strings.
const GO_INT = /^[+-]?\d+$/;
const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** strconv.ParseFloat, less NaN and the infinities (kzero rejects them; Go accepts them). */
export function parseGoFloat(s: string): number | undefined {
  if (!GO_FLOAT.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

type IntParse = { ok: true; value: number } | { ok: false; range: boolean };

/** strconv.ParseInt(s, 10, bits): a syntax error, or a range error when it overflows int32/int64. */
function parseGoInt(s: string, bits: 32 | 64): IntParse {
  if (!GO_INT.test(s)) return { ok: false, range: false };
  const big = BigInt(s);
  const limit = 2n ** BigInt(bits - 1);
  if (big >= limit || big < -limit) return { ok: false, range: true };
  return { ok: true, value: Number(big) };
}

type Kind = 'string' | 'float' | 'int32' | 'int' | 'duration';

const KINDS: Readonly<Record<AutoscalingAnnotationName, Kind>> = {
  class: 'string',
  metric: 'string',
  target: 'float',
  targetUtilizationPercentage: 'float',
  targetBurstCapacity: 'float',
  minScale: 'int32',
  maxScale: 'int32',
  initialScale: 'int',
  activationScale: 'int32',
  window: 'duration',
  panicWindowPercentage: 'float',
  panicThresholdPercentage: 'float',
  scaleDownDelay: 'duration',
  scaleToZeroPodRetentionPeriod: 'duration',
  metricAggregationAlgorithm: 'string',
};

/**
 * Reads the autoscaling annotations that are set into typed values. Values that do not parse are left
 * out and reported (`invalid value: x: autoscaling.knative.dev/min-scale`); ranges are not checked here
 * (see validateAutoscalingAnnotations).
 */
export function parseAutoscalingAnnotations(annotations: Readonly<Record<string, string>> | undefined): AutoscalingParseResult {
  const values: AutoscalingValues = {};
  let error: FieldError | undefined;
  const v = values as Record<AutoscalingAnnotationName, string | number | undefined>;
  for (const name of Object.keys(KINDS) as AutoscalingAnnotationName[]) {
    const found = getAutoscalingAnnotation(annotations, name);
    if (!found) continue;
    const { key, value } = found;
    switch (KINDS[name]) {
      case 'string':
        v[name] = value;
        break;
      case 'float': {
        const f = parseGoFloat(value);
        if (f === undefined) error = also(error, errInvalidValue(value, key));
        else v[name] = f;
        break;
      }
      case 'int32':
      case 'int': {
        const i = parseGoInt(value, KINDS[name] === 'int32' ? 32 : 64);
        if (i.ok) v[name] = i.value;
        else if (i.range && (name === 'minScale' || name === 'maxScale')) error = also(error, errOutOfBoundsValue(value, 0, AutoscalingLimits.int32Max, key));
        else error = also(error, errInvalidValue(value, key));
        break;
      }
      case 'duration': {
        const d = parseGoDuration(value);
        if (d === undefined) error = also(error, errInvalidValue(value, key));
        else v[name] = d;
        break;
      }
    }
  }
  return error ? { values, error } : { values };
}

/** Edit distance, to suggest the key an unknown one was probably meant to be. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function suggestion(key: string): string | undefined {
  const squash = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  let best: { key: string; d: number } | undefined;
  for (const name of Object.keys(AutoscalingAnnotations) as AutoscalingAnnotationName[]) {
    const canonical = AutoscalingAnnotations[name];
    for (const alias of AutoscalingAnnotationAliases[name]) {
      const d = squash(alias) === squash(key) ? 0 : distance(alias, key);
      if (!best || d < best.d) best = { key: canonical, d };
    }
  }
  return best && best.d <= 3 ? best.key : undefined;
}

/**
 * Knative's rules for the autoscaling annotations, plus kzero's: no unknown autoscaling.knative.dev/ keys
 * and no two spellings of one key. Paths are the annotation keys; callers nest them under
 * metadata.annotations.
 */
export function validateAutoscalingAnnotations(annotations: Readonly<Record<string, string>> | undefined, opts: AutoscalingValidationOptions): FieldError | undefined {
  const anns = annotations ?? {};
  const { values, error: parseError } = parseAutoscalingAnnotations(anns);
  let errs: FieldError | undefined = parseError;
  const get = (name: AutoscalingAnnotationName): Found | undefined => getAutoscalingAnnotation(anns, name);
  const L = AutoscalingLimits;

  // kzero: unknown keys and aliases set together.
  for (const key of Object.keys(anns).sort()) {
    if (key.startsWith(AUTOSCALING_PREFIX) && !KNOWN_AUTOSCALING_KEYS.has(key)) {
      const s = suggestion(key);
      errs = also(errs, new FieldError({ message: 'unknown autoscaling annotation', paths: [key], details: s ? `did you mean "${s}"?` : '' }));
    }
  }
  for (const name of Object.keys(AutoscalingAnnotationAliases) as AutoscalingAnnotationName[]) {
    const present = AutoscalingAnnotationAliases[name].filter((k) => Object.prototype.hasOwnProperty.call(anns, k));
    if (present.length > 1) errs = also(errs, errMultipleOneOf(...present));
  }

  // class: values in the knative.dev domain must be one Knative knows; other classes are custom autoscalers.
  const cls = get('class');
  if (cls && cls.value.endsWith('.knative.dev') && cls.value !== AutoscalingClasses.kpa && cls.value !== AutoscalingClasses.hpa) {
    errs = also(errs, errInvalidValue(cls.value, cls.key));
  }

  // min-scale, max-scale, activation-scale.
  const min = values.minScale;
  const max = values.maxScale;
  for (const [name, n] of [['minScale', min], ['maxScale', max]] as const) {
    const f = get(name);
    if (f && n !== undefined && n < 0) errs = also(errs, errOutOfBoundsValue(f.value, 0, L.int32Max, f.key));
  }
  const minV = min !== undefined && min >= 0 ? min : 0;
  const maxV = max !== undefined && max >= 0 ? max : 0;
  if (maxV !== 0 && maxV < minV) {
    errs = also(errs, errGeneric(`max-scale=${maxV} is less than min-scale=${minV}`, AutoscalingAnnotations.maxScale, AutoscalingAnnotations.minScale));
  }
  const maxF = get('maxScale');
  const limit = opts.maxScaleLimit ?? 0;
  if (maxF && limit > 0) {
    if (maxV > limit) errs = also(errs, errOutOfBoundsValue(maxV, 1, limit, maxF.key));
    if (maxV === 0) errs = also(errs, errGeneric(`max-scale=0 (unlimited), must be less than ${limit}`, maxF.key));
  }
  const act = get('activationScale');
  if (act && values.activationScale !== undefined) {
    const a = values.activationScale;
    if (minV > a) errs = also(errs, errGeneric(`min-scale=${minV} is greater than activation-scale=${a}`, act.key));
    else if (maxV !== 0 && maxV < a) errs = also(errs, errGeneric(`max-scale=${maxV} is less than activation-scale=${a}`, act.key));
    else if (a < 2) errs = also(errs, errGeneric(`activation-scale=${a} must be greater than 1`, act.key));
  }

  // Floats.
  const pw = get('panicWindowPercentage');
  if (pw && values.panicWindowPercentage !== undefined) {
    const x = values.panicWindowPercentage;
    if (x < L.panicWindowPercentageMin || x > L.panicWindowPercentageMax) {
      errs = also(errs, errOutOfBoundsValue(pw.value, L.panicWindowPercentageMin, L.panicWindowPercentageMax, pw.key));
    }
  }
  const pt = get('panicThresholdPercentage');
  if (pt && values.panicThresholdPercentage !== undefined) {
    const x = values.panicThresholdPercentage;
    if (x < L.panicThresholdPercentageMin || x > L.panicThresholdPercentageMax) {
      errs = also(errs, errOutOfBoundsValue(pt.value, L.panicThresholdPercentageMin, L.panicThresholdPercentageMax, pt.key));
    }
  }
  const tg = get('target');
  if (tg && values.target !== undefined && values.target < L.targetMin) {
    errs = also(errs, errGeneric(`target ${tg.value} should be at least ${L.targetMin}`, tg.key));
  }
  const tu = get('targetUtilizationPercentage');
  if (tu && values.targetUtilizationPercentage !== undefined) {
    const x = values.targetUtilizationPercentage;
    if (x < L.targetUtilizationPercentageMin || x > L.targetUtilizationPercentageMax) {
      errs = also(errs, errOutOfBoundsValue(tu.value, L.targetUtilizationPercentageMin, L.targetUtilizationPercentageMax, tu.key));
    }
  }
  const tbc = get('targetBurstCapacity');
  if (tbc && values.targetBurstCapacity !== undefined && values.targetBurstCapacity < 0 && values.targetBurstCapacity !== -1) {
    errs = also(errs, errInvalidValue(tbc.value, tbc.key));
  }

  // Durations.
  const win = get('window');
  if (win && values.window !== undefined) {
    const d = values.window;
    if (d < L.windowMin || d > L.windowMax) {
      errs = also(errs, errOutOfBoundsValue(win.value, formatGoDuration(L.windowMin), formatGoDuration(L.windowMax), win.key));
    } else if (d % SECOND !== 0) {
      errs = also(errs, errGeneric('must be specified with at most second precision', win.key));
    }
  }
  const ret = get('scaleToZeroPodRetentionPeriod');
  if (ret && values.scaleToZeroPodRetentionPeriod !== undefined) {
    const d = values.scaleToZeroPodRetentionPeriod;
    if (d < 0 || d > L.scaleToZeroPodRetentionPeriodMax) {
      errs = also(errs, errOutOfBoundsValue(ret.value, formatGoDuration(0), formatGoDuration(L.scaleToZeroPodRetentionPeriodMax), ret.key));
    }
  }
  const sdd = get('scaleDownDelay');
  if (sdd && values.scaleDownDelay !== undefined) {
    const d = values.scaleDownDelay;
    if (d < 0 || d > L.scaleDownDelayMax) {
      errs = also(errs, errOutOfBoundsValue(sdd.value, formatGoDuration(0), formatGoDuration(L.scaleDownDelayMax), sdd.key));
    } else if (d % SECOND !== 0) {
      errs = also(errs, errGeneric('must be specified with at most second precision', sdd.key));
    }
  }

  // metric: KPA scales on concurrency or rps; HPA on anything but nothing; other classes are left alone.
  const met = get('metric');
  if (met) {
    const classValue = cls ? cls.value : (opts.defaultClass ?? AutoscalingDefaults.class);
    const ok =
      classValue === AutoscalingClasses.kpa
        ? met.value === AutoscalingMetrics.concurrency || met.value === AutoscalingMetrics.rps
        : classValue === AutoscalingClasses.hpa
          ? met.value !== ''
          : true;
    if (!ok) errs = also(errs, errInvalidValue(met.value, AutoscalingAnnotations.metric));
  }

  // metric-aggregation-algorithm: only checked when the class annotation says KPA.
  const alg = get('metricAggregationAlgorithm');
  if (cls?.value === AutoscalingClasses.kpa && alg && alg.value !== '') {
    const known: string[] = Object.values(MetricAggregationAlgorithms);
    if (!known.includes(alg.value)) errs = also(errs, errInvalidValue(alg.value, alg.key));
  }

  // initial-scale.
  const init = get('initialScale');
  if (init && values.initialScale !== undefined) {
    if (values.initialScale < 0) errs = also(errs, errInvalidValue(init.value, `${init.key} must be greater than 0`));
    else if (values.initialScale === 0 && !opts.allowZeroInitialScale) errs = also(errs, errInvalidValue(init.value, `${init.key}=0 not allowed by cluster`));
  }

  return errs;
}

/**
 * Knative's check for Service, Configuration and Route metadata: autoscaling annotations only work on
 * the Revision template, so any autoscaling.knative.dev key there is an error. Paths are relative to the
 * annotations map (CURRENT_FIELD), as in Knative.
 */
export function validateHasNoAutoscalingAnnotation(annotations: Readonly<Record<string, string>> | undefined): FieldError | undefined {
  let errs: FieldError | undefined;
  for (const key of Object.keys(annotations ?? {}).sort()) {
    if (key.startsWith(AUTOSCALING_GROUP)) {
      errs = also(errs, errInvalidKeyName(key, '', 'autoscaling annotations must be put under "spec.template.metadata.annotations" to work'));
    }
  }
  return errs;
}

export { formatGoDuration, parseGoDuration } from './duration.js';
