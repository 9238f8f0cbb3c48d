import type { V1Container, V1ContainerPort, V1ObjectMeta, V1OwnerReference, V1Probe, V1Volume } from '@kubernetes/client-node';
import { SECOND, parseGoDuration } from '../../autoscaling/duration.js';
import { AutoscalingLimits, validateAutoscalingAnnotations, validateHasNoAutoscalingAnnotation } from '../../autoscaling/annotations.js';
import {
  CURRENT_FIELD,
  FieldError,
  also,
  errDisallowedFields,
  errGeneric,
  errInvalidKeyName,
  errInvalidValue,
  errMissingField,
  errMissingOneOf,
  errMultipleOneOf,
  errOutOfBoundsValue,
} from '../../field-error.js';
import { KzeroAnnotations, ServingAnnotations, ServingLabels } from '../labels.js';
import type { Configuration, Revision, RevisionSpec, RevisionTemplateSpec, Route, Service, TrafficTarget } from './types.js';

// Validation of the serving.knative.dev/v1 kinds, after Knative Serving's webhook
// (pkg/apis/serving/v1/*_validation.go, pkg/apis/serving/k8s_validation.go and metadata_validation.go).
// Every function is pure and returns undefined when the object is valid. Objects are expected to have
// been defaulted first (see defaults.ts), as the webhook does.

export type Operation = 'CREATE' | 'UPDATE';

export interface ValidationFeatures {
  /** Knative's multi-container flag; default enabled. */
  multiContainer?: boolean;
  /** kubernetes.podspec-init-containers; default disabled. */
  initContainers?: boolean;
  /** kubernetes.podspec-fieldref (env valueFrom.fieldRef/resourceFieldRef); default disabled. */
  fieldRef?: boolean;
}

export interface ValidationContext<T> {
  operation: Operation;
  /** The stored object, on UPDATE. */
  old?: T;
  /** config-autoscaler allow-zero-initial-scale. */
  allowZeroInitialScale: boolean;
  /** config-defaults max-revision-timeout-seconds. */
  maxRevisionTimeoutSeconds: number;
  /** kzero: when given, traffic targets naming a revision that does not exist are rejected. */
  revisionExists?: (name: string) => boolean;
  /** config-autoscaler max-scale-limit (0 or absent: none). */
  maxScaleLimit?: number;
  /** config-autoscaler pod-autoscaler-class. Default kpa. */
  defaultAutoscalingClass?: string;
  /** config-defaults container-concurrency-max-limit. Default 1000. */
  containerConcurrencyMaxLimit?: number;
  /** config-defaults allow-container-concurrency-zero. Default true. */
  allowContainerConcurrencyZero?: boolean;
  features?: ValidationFeatures;
}

/** What validating a spec needs (the kinds' contexts without operation and old object). */
export type SpecValidationContext = Omit<ValidationContext<unknown>, 'old' | 'operation'>;

/** The largest int32: Kubernetes' integer fields are int32 (one literal, kept with the autoscaling limits). */
export const MAX_INT32 = AutoscalingLimits.int32Max;

// Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation), with their messages --------------

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const maxLenError = (n: number): string => `must be no more than ${n} characters`;
const whole = (fmt: string): RegExp => new RegExp(`^(?:${fmt})$`);

/** IsDNS1035Label: the problems with `value`, none if it is valid. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!whole(DNS1035_LABEL_FMT).test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errs;
}

/** IsDNS1123Label. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!whole(DNS1123_LABEL_FMT).test(value)) {
    errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** IsDNS1123Subdomain. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!whole(DNS1123_SUBDOMAIN_FMT).test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}

/** IsQualifiedName: `name` or `prefix/name`, prefix a DNS-1123 subdomain. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix === '') errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!whole(QUALIFIED_NAME_FMT).test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** NameIsDNS1035Label: as a name, or (prefix) as a generateName, whose trailing dash is allowed. */
function nameIsDNS1035Label(name: string, prefix: boolean): string[] {
  // Kubernetes' maskTrailingDash: the last two characters become "a".
  const masked = prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
  return isDNS1035Label(masked);
}

const goList = (msgs: string[]): string => `[${msgs.join(' ')}]`;

// Structural comparison and diff of JSON values ----------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON-like values; a property set to undefined is the same as an absent one. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/**
 * A zero-context diff of two JSON-like values in the spirit of Knative's kmp.ShortDiff: one entry per
 * differing leaf, `<root>.path:` then `-: old` and/or `+: new`. Empty when they are equal.
 */
export function shortDiff(a: unknown, b: unknown, root: string): string {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (semanticEqual(x, y)) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], `${path}[${i}]`);
      return;
    }
    if (isObject(x) && isObject(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(x[k], y[k], `${path}.${k}`);
      return;
    }
    let entry = `${path}:\n`;
    if (x !== undefined) entry += `\t-: ${JSON.stringify(x)}\n`;
    if (y !== undefined) entry += `\t+: ${JSON.stringify(y)}\n`;
    out.push(entry);
  };
  walk(a, b, root);
  return out.join('');
}

// Metadata ----------------------------------------------------------------------------------------

/** apis.ValidateObjectMetadata: name or generateName, each a DNS-1035 label. Paths relative to metadata. */
export function validateObjectMeta(meta: V1ObjectMeta | undefined): FieldError | undefined {
  const name = meta?.name ?? '';
  const generateName = meta?.generateName ?? '';
  if (generateName !== '') {
    const msgs = nameIsDNS1035Label(generateName, true);
    if (msgs.length > 0) return errGeneric(`not a DNS 1035 label prefix: ${goList(msgs)}`, 'generateName');
  }
  if (name !== '') {
    const msgs = nameIsDNS1035Label(name, false);
    if (msgs.length > 0) return errGeneric(`not a DNS 1035 label: ${goList(msgs)}`, 'name');
  }
  if (name === '' && generateName === '') return errGeneric('name or generateName is required', 'name');
  return undefined;
}

function durationAnnotation(annotations: Record<string, string> | undefined, keys: readonly string[], what: string): FieldError | undefined {
  let found: { key: string; value: string } | undefined;
  for (const key of keys) {
    const value = annotations?.[key];
    if (value !== undefined) {
      found = { key, value };
      break;
    }
  }
  if (!found || found.value === '') return undefined;
  const d = parseGoDuration(found.value);
  if (d === undefined) return errInvalidValue(found.value, found.key);
  if (d % SECOND !== 0) return errGeneric(`${what}=${found.value} is not at second precision`, found.key);
  if (d < 0) return errGeneric(`${what}=${found.value} must be positive`, found.key);
  return undefined;
}

export const ROLLOUT_DURATION_KEYS = Object.freeze(['serving.knative.dev/rollout-duration', 'serving.knative.dev/rolloutDuration']);

/** serving.knative.dev/rollout-duration (Services and Routes). Paths are annotation keys. */
export function validateRolloutDurationAnnotation(annotations: Record<string, string> | undefined): FieldError | undefined {
  return durationAnnotation(annotations, ROLLOUT_DURATION_KEYS, 'rollout-duration');
}

/** serving.knative.dev/progress-deadline (Revision templates). Paths are annotation keys. */
export function validateProgressDeadlineAnnotation(annotations: Record<string, string> | undefined): FieldError | undefined {
  return durationAnnotation(annotations, [ServingAnnotations.progressDeadline], 'progress-deadline');
}

function hasOwner(refs: V1OwnerReference[] | undefined): boolean {
  return (refs ?? []).length > 0;
}

/** A label naming a parent must be backed by an owner reference to that parent. Paths are label keys. */
function verifyLabelOwnerRef(value: string, label: string, kind: string, refs: V1OwnerReference[] | undefined): FieldError | undefined {
  if ((refs ?? []).some((r) => r.kind === kind && r.name === value)) return undefined;
  return errMissingField(label);
}

function parentLabel(meta: V1ObjectMeta, label: string, kind: string): FieldError | undefined {
  const value = meta.labels?.[label];
  if (value === undefined) return undefined;
  return verifyLabelOwnerRef(value, label, kind, meta.ownerReferences);
}

/** apis.ValidateCreatorAndModifier: creator never changes; lastModifier changes only with the spec. */
function validateCreatorAndModifier(oldSpec: unknown, newSpec: unknown, oldAnns: Record<string, string> | undefined, newAnns: Record<string, string> | undefined): FieldError | undefined {
  let errs: FieldError | undefined;
  const c = ServingAnnotations.creator;
  const m = ServingAnnotations.lastModifier;
  if ((oldAnns?.[c] ?? '') !== (newAnns?.[c] ?? '')) errs = also(errs, errGeneric('annotation value is immutable', c));
  if (semanticEqual(oldSpec, newSpec) && (oldAnns?.[m] ?? '') !== (newAnns?.[m] ?? '')) errs = also(errs, errInvalidValue(newAnns?.[m] ?? '', m));
  return errs;
}

// Traffic -----------------------------------------------------------------------------------------

interface TrafficContext {
  /** Within a Service: the configuration is implied, configurationName is not allowed. */
  defaultConfiguration: boolean;
  revisionExists?: (name: string) => boolean;
  /** The parent's own BYO revision name, which need not exist yet. */
  pendingRevisionName?: string;
}

function validateTrafficTarget(tt: TrafficTarget, ctx: TrafficContext): FieldError | undefined {
  let errs: FieldError | undefined;
  const revisionName = tt.revisionName ?? '';
  const configurationName = tt.configurationName ?? '';

  if (tt.latestRevision !== undefined && tt.latestRevision !== null) {
    const pinned = revisionName !== '';
    if (pinned === tt.latestRevision) {
      errs = also(errs, errGeneric(`may not set revisionName ${JSON.stringify(revisionName)} when latestRevision is ${tt.latestRevision}`, 'latestRevision'));
    }
  }

  if (ctx.defaultConfiguration && configurationName !== '') {
    errs = also(errs, errDisallowedFields('configurationName'));
  } else if (revisionName !== '' && configurationName !== '') {
    errs = also(errs, errMultipleOneOf('revisionName', 'configurationName'));
  } else if (revisionName !== '') {
    const msgs = isQualifiedName(revisionName);
    if (msgs.length > 0) {
      errs = also(errs, errInvalidKeyName(revisionName, 'revisionName', ...msgs));
    } else if (ctx.revisionExists && revisionName !== ctx.pendingRevisionName && !ctx.revisionExists(revisionName)) {
      // kzero: a pinned revision must exist.
      errs = also(errs, errGeneric(`revision ${JSON.stringify(revisionName)} not found`, 'revisionName'));
    }
  } else if (configurationName !== '') {
    const msgs = isQualifiedName(configurationName);
    if (msgs.length > 0) errs = also(errs, errInvalidKeyName(configurationName, 'configurationName', ...msgs));
  } else if (!ctx.defaultConfiguration) {
    errs = also(errs, errMissingOneOf('revisionName', 'configurationName'));
  }

  if (tt.percent !== undefined && tt.percent !== null) {
    if (!Number.isInteger(tt.percent)) errs = also(errs, errInvalidValue(tt.percent, 'percent'));
    else if (tt.percent < 0 || tt.percent > 100) errs = also(errs, errOutOfBoundsValue(tt.percent, 0, 100, 'percent'));
  }

  // url is status only.
  if (tt.url !== undefined && tt.url !== '') errs = also(errs, errDisallowedFields('url'));
  return errs;
}

/** A traffic block (spec.traffic of a Service or Route). Paths start at `traffic`. */
function validateTraffic(traffic: TrafficTarget[] | undefined, ctx: TrafficContext): FieldError | undefined {
  let errs: FieldError | undefined;
  const tags = new Map<string, number>();
  let sum = 0;
  (traffic ?? []).forEach((tt, i) => {
    errs = also(errs, validateTrafficTarget(tt, ctx)?.viaIndex(i));
    if (typeof tt.percent === 'number') sum += tt.percent;
    const tag = tt.tag ?? '';
    if (tag === '') return;
    const msgs = isDNS1035Label(tag);
    if (msgs.length > 0) errs = also(errs, errInvalidValue(`not a DNS 1035 label: ${goList(msgs)}`, 'tag').viaIndex(i));
    const first = tags.get(tag);
    if (first !== undefined) {
      errs = also(errs, errGeneric(`Multiple definitions for ${JSON.stringify(tag)}`, `[${i}].tag`, `[${first}].tag`));
    } else {
      tags.set(tag, i);
    }
  });
  if (sum !== 100) errs = also(errs, errGeneric(`Traffic targets sum to ${sum}, want 100`, CURRENT_FIELD));
  return errs?.viaField('traffic');
}

// Pod spec ----------------------------------------------------------------------------------------

const RESERVED_ENV_VARS: ReadonlySet<string> = new Set(['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION']);
const RESERVED_SIDECAR_ENV_VARS: ReadonlySet<string> = new Set(['K_SERVICE', 'K_CONFIGURATION', 'K_REVISION']);
/** queue-proxy's ports (8012 http, 8013 h2c, 8022 admin, 9090/9091 metrics) and the profiling port 8008. */
export const RESERVED_PORTS: ReadonlySet<number> = new Set([8012, 8013, 8022, 9090, 9091, 8008]);
const RESERVED_CONTAINER_NAMES: ReadonlySet<string> = new Set(['queue-proxy']);
const RESERVED_PATHS: ReadonlySet<string> = new Set(['/', '/dev', '/dev/log']);
const VALID_PORT_NAMES: ReadonlySet<string> = new Set(['h2c', 'http1', '']);

type ContainerRole = 'user' | 'sidecar' | 'init';

interface PodContext {
  features: Required<ValidationFeatures>;
  volumes: Map<string, V1Volume>;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return false;
  if (isObject(v)) return Object.values(v).every((x) => x === undefined);
  return false;
}

/** Go's path.Clean, for mount paths. */
function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else {
      out.push(seg);
    }
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined === '' ? '.' : joined;
}

function validateVolumeMounts(c: V1Container, pod: PodContext): FieldError | undefined {
  let errs: FieldError | undefined;
  const seenPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((vm, i) => {
    let e: FieldError | undefined;
    const volume = pod.volumes.get(vm.name);
    if (!volume) e = also(e, errGeneric('volumeMount has no matching volume', 'name'));
    const mountPath = vm.mountPath ?? '';
    const clean = cleanPath(mountPath);
    if (mountPath === '') e = also(e, errMissingField('mountPath'));
    else if (RESERVED_PATHS.has(clean)) e = also(e, errGeneric(`mountPath ${JSON.stringify(clean)} is a reserved path`, 'mountPath'));
    else if (!mountPath.startsWith('/')) e = also(e, errInvalidValue(mountPath, 'mountPath'));
    else if (seenPaths.has(clean)) e = also(e, errInvalidValue(`${JSON.stringify(mountPath)} must be unique`, 'mountPath'));
    seenPaths.add(clean);
    const writable = volume && (volume.emptyDir || volume.persistentVolumeClaim || volume.ephemeral);
    if (!writable && !vm.readOnly) e = also(e, errGeneric('volume mount should be readOnly for this type of volume', 'readOnly'));
    if (volume?.persistentVolumeClaim?.readOnly && !vm.readOnly) e = also(e, errGeneric('volume is readOnly but volume mount is not', 'readOnly'));
    errs = also(errs, e?.viaIndex(i));
  });
  return errs?.viaField('volumeMounts');
}

function validateEnv(c: V1Container, role: ContainerRole, pod: PodContext): FieldError | undefined {
  let envErrs: FieldError | undefined;
  const reserved = role === 'user' ? RESERVED_ENV_VARS : RESERVED_SIDECAR_ENV_VARS;
  (c.env ?? []).forEach((env, i) => {
    let e: FieldError | undefined;
    const name = env.name ?? '';
    if (name === '') e = also(e, errMissingField('name'));
    else if (reserved.has(name)) e = also(e, errGeneric(`${JSON.stringify(name)} is a reserved environment variable`, 'name'));
    if (!pod.features.fieldRef) {
      const from = env.valueFrom;
      const disallowed = [from?.fieldRef ? 'fieldRef' : '', from?.resourceFieldRef ? 'resourceFieldRef' : ''].filter((x) => x !== '');
      if (disallowed.length > 0) e = also(e, errDisallowedFields(...disallowed).viaField('valueFrom'));
    }
    envErrs = also(envErrs, e?.viaIndex(i));
  });
  let fromErrs: FieldError | undefined;
  (c.envFrom ?? []).forEach((ef, i) => {
    if (ef.configMapRef && ef.secretRef) fromErrs = also(fromErrs, errMultipleOneOf('configMapRef', 'secretRef').viaIndex(i));
    else if (!ef.configMapRef && !ef.secretRef) fromErrs = also(fromErrs, errMissingOneOf('configMapRef', 'secretRef').viaIndex(i));
  });
  return also(envErrs?.viaField('env'), fromErrs?.viaField('envFrom'));
}

function validatePortBasics(port: V1ContainerPort): FieldError | undefined {
  let errs: FieldError | undefined;
  const p = port.containerPort;
  if (RESERVED_PORTS.has(p)) {
    errs = also(errs, errInvalidValue(`${p} is a reserved port`, 'containerPort', `${p} is a reserved port, please use a different value`));
  }
  if (p < 0 || p > 65535) errs = also(errs, errOutOfBoundsValue(p, 0, 65535, 'containerPort'));
  return errs;
}

function validateContainerPorts(c: V1Container, role: ContainerRole): FieldError | undefined {
  const ports = c.ports ?? [];
  if (ports.length === 0) return undefined;
  if (role === 'init') {
    let errs: FieldError | undefined;
    ports.forEach((p, i) => (errs = also(errs, validatePortBasics(p)?.viaIndex(i))));
    return errs?.viaField('ports');
  }
  // Only the first port is the serving port; more than one is reported by validateContainersPorts.
  const port = ports[0] as V1ContainerPort;
  let errs = validatePortBasics(port);
  if (port.protocol !== undefined && port.protocol !== '' && port.protocol !== 'TCP') errs = also(errs, errInvalidValue(port.protocol, 'protocol'));
  if (!VALID_PORT_NAMES.has(port.name ?? '')) {
    errs = also(errs, new FieldError({ message: `Port name ${port.name ?? ''} is not allowed`, paths: [CURRENT_FIELD], details: "Name must be empty, or one of: 'h2c', 'http1'" }));
  }
  return errs?.viaIndex(0).viaField('ports');
}

function validateProbe(p: V1Probe | undefined, port: V1ContainerPort): FieldError | undefined {
  if (!p) return undefined;
  let errs: FieldError | undefined;
  const handlers: string[] = [];
  if (p.httpGet) {
    handlers.push('httpGet');
    const getPort = p.httpGet.port;
    if (typeof getPort === 'string' && getPort !== '' && getPort !== port.name) {
      errs = also(errs, errInvalidValue(getPort, 'httpGet.port', 'Probe port must match container port'));
    }
  }
  if (p.tcpSocket) {
    handlers.push('tcpSocket');
    const tcpPort = p.tcpSocket.port;
    if (typeof tcpPort === 'string' && tcpPort !== '' && tcpPort !== port.name) {
      errs = also(errs, errInvalidValue(tcpPort, 'tcpSocket.port', 'Probe port must match container port'));
    }
  }
  if (p.exec) handlers.push('exec');
  if (p.grpc) handlers.push('gRPC');
  if (handlers.length === 0) errs = also(errs, errMissingOneOf('httpGet', 'tcpSocket', 'exec', 'grpc'));
  else if (handlers.length > 1) errs = also(errs, errMultipleOneOf(...handlers));
  return errs;
}

function validateReadinessProbe(p: V1Probe | undefined, port: V1ContainerPort): FieldError | undefined {
  if (!p) return undefined;
  let errs = validateProbe(p, port);
  const period = p.periodSeconds ?? 0;
  const initialDelay = p.initialDelaySeconds ?? 0;
  const success = p.successThreshold ?? 0;
  const failure = p.failureThreshold ?? 0;
  const timeout = p.timeoutSeconds ?? 0;
  if (period < 0) errs = also(errs, errOutOfBoundsValue(period, 0, MAX_INT32, 'periodSeconds'));
  if (initialDelay < 0) errs = also(errs, errOutOfBoundsValue(initialDelay, 0, MAX_INT32, 'initialDelaySeconds'));
  if (success < 1) errs = also(errs, errOutOfBoundsValue(success, 1, MAX_INT32, 'successThreshold'));
  if (period === 0) {
    // periodSeconds 0 is Knative's aggressive probing; the thresholds do not apply to it.
    if (failure !== 0) errs = also(errs, errGeneric('failureThreshold is disallowed when periodSeconds is zero', 'failureThreshold'));
    if (timeout !== 0) errs = also(errs, errGeneric('timeoutSeconds is disallowed when periodSeconds is zero', 'timeoutSeconds'));
  } else {
    if (timeout < 1) errs = also(errs, errOutOfBoundsValue(timeout, 1, MAX_INT32, 'timeoutSeconds'));
    if (failure < 1) errs = also(errs, errOutOfBoundsValue(failure, 1, MAX_INT32, 'failureThreshold'));
  }
  return errs;
}

function validateIds(sc: { runAsUser?: number; runAsGroup?: number } | undefined): FieldError | undefined {
  let errs: FieldError | undefined;
  if (sc?.runAsUser !== undefined && (sc.runAsUser < 0 || sc.runAsUser > MAX_INT32)) errs = also(errs, errOutOfBoundsValue(sc.runAsUser, 0, MAX_INT32, 'runAsUser'));
  if (sc?.runAsGroup !== undefined && (sc.runAsGroup < 0 || sc.runAsGroup > MAX_INT32)) errs = also(errs, errOutOfBoundsValue(sc.runAsGroup, 0, MAX_INT32, 'runAsGroup'));
  return errs;
}

/** The checks every container gets (Knative's validate()). Paths relative to the container. */
function validateContainer(c: V1Container, role: ContainerRole, pod: PodContext): FieldError | undefined {
  if (isEmpty(c)) return errMissingField(CURRENT_FIELD);
  let errs: FieldError | undefined;
  const name = c.name ?? '';
  if (RESERVED_CONTAINER_NAMES.has(name)) {
    errs = also(errs, errGeneric(`${JSON.stringify(name)} is a reserved container name`, 'name'));
  } else if (name !== '') {
    // kzero: Kubernetes would reject the pod later; say so now.
    const msgs = isDNS1123Label(name);
    if (msgs.length > 0) errs = also(errs, errInvalidValue(name, 'name', ...msgs));
  }
  errs = also(errs, validateEnv(c, role, pod));
  if ((c.image ?? '') === '') errs = also(errs, errMissingField('image'));
  errs = also(errs, validateContainerPorts(c, role));
  errs = also(errs, validateIds(c.securityContext)?.viaField('securityContext'));
  const tmp = c.terminationMessagePolicy;
  if (tmp !== undefined && tmp !== '' && tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs = also(errs, errInvalidValue(tmp, 'terminationMessagePolicy'));
  errs = also(errs, validateVolumeMounts(c, pod));
  return errs;
}

function validateUserContainer(c: V1Container, port: V1ContainerPort, pod: PodContext): FieldError | undefined {
  return also(
    validateProbe(c.livenessProbe, port)?.viaField('livenessProbe'),
    validateReadinessProbe(c.readinessProbe, port)?.viaField('readinessProbe'),
    validateProbe(c.startupProbe, port)?.viaField('startupProbe'),
    validateContainer(c, 'user', pod),
  );
}

function setKeys(o: object): string[] {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort();
}

function validateSidecarContainer(c: V1Container, pod: PodContext): FieldError | undefined {
  // Without Knative's multi-container-probing flag (off by default), sidecars may not have probes.
  let errs: FieldError | undefined;
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const p = c[probe];
    if (p) {
      const keys = setKeys(p);
      if (keys.length > 0) errs = also(errs, errDisallowedFields(...keys).viaField(probe));
    }
  }
  return also(errs, validateContainer(c, 'sidecar', pod));
}

function validateInitContainer(c: V1Container, pod: PodContext): FieldError | undefined {
  let errs: FieldError | undefined;
  for (const f of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'] as const) {
    if (c[f] !== undefined) errs = also(errs, errGeneric('field not allowed in an init container', f));
  }
  return also(errs, validateContainer(c, 'init', pod));
}

/** Exactly one serving port across all containers (paths relative to `containers[*]`). */
function validateContainersPorts(containers: V1Container[]): { port: V1ContainerPort; error?: FieldError } {
  let count = 0;
  let port: V1ContainerPort = { containerPort: 0 };
  for (const c of containers) {
    const ps = c.ports ?? [];
    if (ps.length > 0) {
      count += ps.length;
      port = { ...(ps[0] as V1ContainerPort) };
    }
  }
  if (!port.name) port.name = 'http';
  if (!port.containerPort) port.containerPort = 8080;
  if (count === 0 && containers.length > 1) return { port, error: errMissingField('ports') };
  if (count > 1) {
    return { port, error: new FieldError({ message: 'more than one container port is set', paths: ['ports'], details: 'Only a single port is allowed across all containers' }) };
  }
  return { port };
}

function validateVolumes(spec: RevisionSpec): { volumes: Map<string, V1Volume>; error?: FieldError } {
  const mounted = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) for (const vm of c.volumeMounts ?? []) mounted.add(vm.name);
  const volumes = new Map<string, V1Volume>();
  let errs: FieldError | undefined;
  (spec.volumes ?? []).forEach((v, i) => {
    let e: FieldError | undefined;
    const name = v.name ?? '';
    if (volumes.has(name)) e = also(e, errGeneric(`duplicate volume name ${JSON.stringify(name)}`, 'name'));
    if (!mounted.has(name)) e = also(e, errGeneric(`volume with name ${JSON.stringify(name)} not mounted`, 'name'));
    if (name === '') e = also(e, errMissingField('name'));
    else if (isDNS1123Label(name).length > 0) e = also(e, errInvalidValue(name, 'name'));
    errs = also(errs, e?.viaIndex(i));
    volumes.set(name, v);
  });
  return errs ? { volumes, error: errs.viaField('volumes') } : { volumes };
}

/** serving.ValidatePodSpec (the parts kzero checks). Paths relative to the RevisionSpec. */
function validatePodSpec(spec: RevisionSpec, ctx: SpecValidationContext): FieldError | undefined {
  const features: Required<ValidationFeatures> = {
    multiContainer: ctx.features?.multiContainer ?? true,
    initContainers: ctx.features?.initContainers ?? false,
    fieldRef: ctx.features?.fieldRef ?? false,
  };
  const { volumes, error: volumeErrors } = validateVolumes(spec);
  const pod: PodContext = { features, volumes };
  let errs: FieldError | undefined = volumeErrors;
  errs = also(errs, validateIds(spec.securityContext)?.viaField('securityContext'));

  const containers = spec.containers ?? [];
  const inits = spec.initContainers ?? [];
  if (inits.length > 0) {
    if (!features.initContainers) {
      errs = also(errs, new FieldError({ message: `pod spec support for init-containers is off, but found ${inits.length} init containers` }));
    } else {
      const names = new Set(containers.map((c) => c.name));
      inits.forEach((c, i) => {
        if (names.has(c.name)) errs = also(errs, errGeneric(`duplicate container name ${JSON.stringify(c.name)}`, 'name').viaFieldIndex('initContainers', i));
        names.add(c.name);
        errs = also(errs, validateInitContainer(c, pod)?.viaFieldIndex('initContainers', i));
      });
    }
  }

  const { port, error: portError } = validateContainersPorts(containers);
  errs = also(errs, portError?.viaField('containers[*]'));
  if (containers.length === 0) {
    errs = also(errs, errMissingField('containers'));
  } else if (containers.length === 1) {
    errs = also(errs, validateUserContainer(containers[0] as V1Container, port, pod)?.viaFieldIndex('containers', 0));
  } else if (!features.multiContainer) {
    errs = also(errs, new FieldError({ message: `multi-container is off, but found ${containers.length} containers` }));
  } else {
    const seen = new Set<string>();
    containers.forEach((c, i) => {
      if (seen.has(c.name)) errs = also(errs, errGeneric(`duplicate container name ${JSON.stringify(c.name)}`, 'name').viaFieldIndex('containers', i));
      else seen.add(c.name);
      const e = (c.ports ?? []).length === 0 ? validateSidecarContainer(c, pod) : validateUserContainer(c, port, pod);
      errs = also(errs, e?.viaFieldIndex('containers', i));
    });
  }

  const sa = spec.serviceAccountName ?? '';
  if (sa !== '') for (const m of isDNS1123Subdomain(sa)) errs = also(errs, errInvalidValue(sa, 'serviceAccountName', m));
  return errs;
}

function checkInteger(v: number, path: string): FieldError | undefined {
  return Number.isInteger(v) ? undefined : errInvalidValue(v, path);
}

/** RevisionSpec.Validate. Paths relative to the spec. */
export function validateRevisionSpec(spec: RevisionSpec, ctx: SpecValidationContext): FieldError | undefined {
  let errs = validatePodSpec(spec, ctx);
  const max = ctx.maxRevisionTimeoutSeconds;
  const t = spec.timeoutSeconds;
  if (t !== undefined && t !== null && t !== 0) {
    errs = also(errs, checkInteger(t, 'timeoutSeconds') ?? (t < 0 || t > max ? errOutOfBoundsValue(t, 0, max, 'timeoutSeconds') : undefined));
  }
  // kzero: the request timeouts cannot outlast the revision timeout.
  const upper = t !== undefined && t !== null && t > 0 ? Math.min(t, max) : max;
  for (const f of ['responseStartTimeoutSeconds', 'idleTimeoutSeconds'] as const) {
    const v = spec[f];
    if (v === undefined || v === null) continue;
    errs = also(errs, checkInteger(v, f) ?? (v < 0 || v > upper ? errOutOfBoundsValue(v, 0, upper, f) : undefined));
  }
  const cc = spec.containerConcurrency;
  if (cc !== undefined && cc !== null) {
    const lo = (ctx.allowContainerConcurrencyZero ?? true) ? 0 : 1;
    const hi = ctx.containerConcurrencyMaxLimit ?? 1000;
    errs = also(errs, checkInteger(cc, 'containerConcurrency') ?? (cc < lo || cc > hi ? errOutOfBoundsValue(cc, lo, hi, 'containerConcurrency') : undefined));
  }
  return errs;
}

/** validateRevisionName: a template's BYO name must be a DNS-1035 label prefixed by `<parent>-`. */
function validateRevisionName(parent: V1ObjectMeta, meta: V1ObjectMeta | undefined): FieldError | undefined {
  const generateName = meta?.generateName ?? '';
  const name = meta?.name ?? '';
  if (generateName !== '') {
    const msgs = nameIsDNS1035Label(generateName, true);
    if (msgs.length > 0) return errInvalidValue(`not a DNS 1035 label prefix: ${goList(msgs)}`, 'metadata.generateName');
  }
  if (name === '') return undefined;
  const msgs = nameIsDNS1035Label(name, false);
  if (msgs.length > 0) return errInvalidValue(`not a DNS 1035 label: ${goList(msgs)}`, 'metadata.name');
  const parentName = parent.name ?? '';
  // A parent named by generateName (at creation) cannot have a BYO revision name.
  if (parentName === '' && (parent.generateName ?? '') !== '') return errDisallowedFields('metadata.name');
  const prefix = `${parentName}-`;
  if (!name.startsWith(prefix)) return errInvalidValue(`${JSON.stringify(name)} must have prefix ${JSON.stringify(prefix)}`, 'metadata.name');
  return undefined;
}
/**
 * kzero's pool annotations: kzero.dev/pool names a PodPool and needs the code package (an http(s) URL of a
 * tar.gz) and its sha256; the code annotations mean nothing without a pool. Paths are annotation keys.
 */
export function validatePoolAnnotations(annotations: Record<string, string> | undefined): FieldError | undefined {
  const pool = annotations?.[KzeroAnnotations.pool];
  const code = annotations?.[KzeroAnnotations.code];
  const sha = annotations?.[KzeroAnnotations.codeSha256];
  if (pool === undefined) {
    if (code !== undefined || sha !== undefined) return errGeneric(`only meaningful with ${KzeroAnnotations.pool}`, ...[code !== undefined ? KzeroAnnotations.code : KzeroAnnotations.codeSha256]);
    return undefined;
  }
  let errs: FieldError | undefined;
  const poolName = isDNS1123Label(pool);
  if (poolName.length > 0) errs = also(errs, errInvalidValue(pool, KzeroAnnotations.pool, ...poolName));
  if (code === undefined) errs = also(errs, errMissingField(KzeroAnnotations.code));
  else {
    let url: URL | undefined;
    try {
      url = new URL(code);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) errs = also(errs, errInvalidValue(code, KzeroAnnotations.code, 'want the http(s) URL of a tar.gz code package'));
  }
  if (sha === undefined) errs = also(errs, errMissingField(KzeroAnnotations.codeSha256));
  else if (!/^[0-9a-fA-F]{64}$/.test(sha)) errs = also(errs, errInvalidValue(sha, KzeroAnnotations.codeSha256, 'want 64 hex digits'));
  return errs;
}

/** RevisionTemplateSpec.Validate. Paths relative to the template. */
function validateTemplate(tpl: RevisionTemplateSpec | undefined, parent: V1ObjectMeta, ctx: SpecValidationContext): FieldError | undefined {
  if (!tpl || !tpl.spec) return errMissingField('spec');
  const anns = tpl.metadata?.annotations;
  return also(
    validateRevisionSpec(tpl.spec, ctx)?.viaField('spec'),
    validateAutoscalingAnnotations(anns, autoscalingOptions(ctx))?.viaField('metadata.annotations'),
    validateRevisionName(parent, tpl.metadata),
    validateProgressDeadlineAnnotation(anns)?.viaField('metadata.annotations'),
    validatePoolAnnotations(anns)?.viaField('metadata.annotations'),
  );
}

function autoscalingOptions(ctx: SpecValidationContext): { allowZeroInitialScale: boolean; maxScaleLimit?: number; defaultClass?: string } {
  return {
    allowZeroInitialScale: ctx.allowZeroInitialScale,
    ...(ctx.maxScaleLimit !== undefined ? { maxScaleLimit: ctx.maxScaleLimit } : {}),
    ...(ctx.defaultAutoscalingClass !== undefined ? { defaultClass: ctx.defaultAutoscalingClass } : {}),
  };
}

/** VerifyNameChange: with a BYO name, the template may only change together with the name. */
function verifyNameChange(next: RevisionTemplateSpec | undefined, prev: RevisionTemplateSpec | undefined): FieldError | undefined {
  const name = next?.metadata?.name ?? '';
  if (name === '' || name !== (prev?.metadata?.name ?? '')) return undefined;
  const diff = shortDiff(prev, next, '{*v1.RevisionTemplateSpec}');
  if (diff === '') return undefined;
  return new FieldError({ message: 'Saw the following changes without a name change (-old +new)', paths: ['metadata.name'], details: diff });
}

// The kinds ---------------------------------------------------------------------------------------

export function validateService(svc: Service, ctx: ValidationContext<Service>): FieldError | undefined {
  const meta = svc.metadata ?? {};
  let errs = also(
    validateObjectMeta(meta),
    validateHasNoAutoscalingAnnotation(meta.annotations)?.viaField('annotations'),
    validateRolloutDurationAnnotation(meta.annotations)?.viaField('annotations'),
  )?.viaField('metadata');

  const spec = svc.spec ?? ({} as Service['spec']);
  errs = also(
    errs,
    validateTemplate(spec.template, meta, ctx)?.viaField('spec.template'),
    validateTraffic(spec.traffic, {
      defaultConfiguration: true,
      ...(ctx.revisionExists ? { revisionExists: ctx.revisionExists } : {}),
      ...(spec.template?.metadata?.name ? { pendingRevisionName: spec.template.metadata.name } : {}),
    })?.viaField('spec'),
  );

  if (ctx.operation === 'UPDATE' && ctx.old) {
    errs = also(
      errs,
      validateCreatorAndModifier(ctx.old.spec, svc.spec, ctx.old.metadata?.annotations, meta.annotations)?.viaField('metadata.annotations'),
      verifyNameChange(spec.template, ctx.old.spec?.template)?.viaField('spec.template'),
    );
  }
  return errs;
}

export function validateConfiguration(cfg: Configuration, ctx: ValidationContext<Configuration>): FieldError | undefined {
  const meta = cfg.metadata ?? {};
  let errs = also(
    validateObjectMeta(meta),
    validateHasNoAutoscalingAnnotation(meta.annotations)?.viaField('annotations'),
    parentLabel(meta, ServingLabels.service, 'Service')?.viaField('labels'),
  )?.viaField('metadata');
  errs = also(errs, validateTemplate(cfg.spec?.template, meta, ctx)?.viaField('spec.template'));

  if (ctx.operation === 'UPDATE' && ctx.old) {
    // Only a Configuration of its own (not a Service's) carries creator and lastModifier.
    if (!hasOwner(meta.ownerReferences)) {
      errs = also(errs, validateCreatorAndModifier(ctx.old.spec, cfg.spec, ctx.old.metadata?.annotations, meta.annotations)?.viaField('metadata.annotations'));
    }
    errs = also(errs, verifyNameChange(cfg.spec?.template, ctx.old.spec?.template)?.viaField('spec.template'));
  }
  return errs;
}

export function validateRevision(rev: Revision, ctx: ValidationContext<Revision>): FieldError | undefined {
  const meta = rev.metadata ?? {};
  const errs = also(
    validateObjectMeta(meta),
    validateAutoscalingAnnotations(meta.annotations, autoscalingOptions(ctx))?.viaField('annotations'),
    validatePoolAnnotations(meta.annotations)?.viaField('annotations'),
    parentLabel(meta, ServingLabels.configuration, 'Configuration')?.viaField('labels'),
  )?.viaField('metadata');

  if (ctx.operation === 'UPDATE' && ctx.old) {
    const diff = shortDiff(ctx.old.spec, rev.spec, '{v1.RevisionSpec}');
    if (diff !== '') return new FieldError({ message: 'Immutable fields changed (-old +new)', paths: ['spec'], details: diff });
    return errs;
  }
  return also(errs, rev.spec ? validateRevisionSpec(rev.spec, ctx)?.viaField('spec') : errMissingField('spec'));
}

export function validateRoute(route: Route, ctx: ValidationContext<Route>): FieldError | undefined {
  const meta = route.metadata ?? {};
  let errs = also(
    validateObjectMeta(meta),
    validateHasNoAutoscalingAnnotation(meta.annotations)?.viaField('annotations'),
    parentLabel(meta, ServingLabels.service, 'Service')?.viaField('labels'),
    validateRolloutDurationAnnotation(meta.annotations)?.viaField('annotations'),
  )?.viaField('metadata');
  errs = also(
    errs,
    validateTraffic(route.spec?.traffic, { defaultConfiguration: false, ...(ctx.revisionExists ? { revisionExists: ctx.revisionExists } : {}) })?.viaField('spec'),
  );
  if (ctx.operation === 'UPDATE' && ctx.old && !hasOwner(meta.ownerReferences)) {
    errs = also(errs, validateCreatorAndModifier(ctx.old.spec, route.spec, ctx.old.metadata?.annotations, meta.annotations)?.viaField('metadata.annotations'));
  }
  return errs;
}
