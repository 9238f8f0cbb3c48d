import { createHash } from 'node:crypto';
import type { V1Container, V1ObjectMeta, V1Probe } from '@kubernetes/client-node';
import { ServingAnnotations } from '../labels.js';
import type { Configuration, Revision, RevisionSpec, RevisionTemplateSpec, Route, RouteSpec, Service, TrafficTarget } from './types.js';
import { MAX_INT32, semanticEqual } from './validation.js';

// Defaulting of the serving.knative.dev/v1 kinds, after Knative Serving's webhook
// (pkg/apis/serving/v1/*_defaults.go) and its config-defaults ConfigMap (pkg/apis/config/defaults.go).
// The set*Defaults functions mutate the object they are given, are pure otherwise (the user and the
// operation are passed in), and are idempotent: defaulting a defaulted object changes nothing.

// config-defaults ---------------------------------------------------------------------------------

export interface DefaultsConfig {
  /** revision-timeout-seconds: timeoutSeconds when a Revision does not set it. */
  readonly revisionTimeoutSeconds: number;
  /** max-revision-timeout-seconds: the largest timeoutSeconds allowed. */
  readonly maxRevisionTimeoutSeconds: number;
  /** revision-response-start-timeout-seconds (defaults to revision-timeout-seconds). */
  readonly revisionResponseStartTimeoutSeconds: number;
  /** revision-idle-timeout-seconds (0: none). */
  readonly revisionIdleTimeoutSeconds: number;
  /** container-concurrency: containerConcurrency when a Revision does not set it (0: unlimited). */
  readonly containerConcurrency: number;
  /** container-concurrency-max-limit. */
  readonly containerConcurrencyMaxLimit: number;
  /** allow-container-concurrency-zero. */
  readonly allowContainerConcurrencyZero: boolean;
  /** container-name-template: a Go template over the parent's metadata ({{.Name}}, {{.Namespace}}, ...). */
  readonly containerNameTemplate: string;
  /** init-container-name-template. */
  readonly initContainerNameTemplate: string;
  /** enable-service-links: enableServiceLinks on create, when unset; undefined leaves it unset. */
  readonly enableServiceLinks: boolean | undefined;
}

export const DEFAULT_DEFAULTS_CONFIG: DefaultsConfig = Object.freeze({
  revisionTimeoutSeconds: 300,
  maxRevisionTimeoutSeconds: 600,
  revisionResponseStartTimeoutSeconds: 300,
  revisionIdleTimeoutSeconds: 0,
  containerConcurrency: 0,
  containerConcurrencyMaxLimit: 1000,
  allowContainerConcurrencyZero: true,
  containerNameTemplate: 'user-container',
  initContainerNameTemplate: 'init-container',
  enableServiceLinks: false,
});

function parseInt64(data: Record<string, string>, key: string, fallback: number): number {
  const raw = data[key];
  if (raw === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(raw)) throw new Error(`failed to parse ${JSON.stringify(key)}: invalid integer ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`failed to parse ${JSON.stringify(key)}: value out of range ${JSON.stringify(raw)}`);
  return n;
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function parseBool(data: Record<string, string>, key: string, fallback: boolean): boolean {
  const raw = data[key];
  if (raw === undefined) return fallback;
  if (GO_TRUE.has(raw)) return true;
  if (GO_FALSE.has(raw)) return false;
  throw new Error(`failed to parse ${JSON.stringify(key)}: invalid boolean ${JSON.stringify(raw)}`);
}

const TEMPLATE_ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const TEMPLATE_FIELDS: Readonly<Record<string, (m: V1ObjectMeta) => string>> = {
  '.Name': (m) => m.name ?? '',
  '.Namespace': (m) => m.namespace ?? '',
  '.GenerateName': (m) => m.generateName ?? '',
  '.UID': (m) => m.uid ?? '',
};

/** Renders a container-name template: the {{.Name}}-style fields of ObjectMeta, nothing else. */
export function renderNameTemplate(template: string, parent: V1ObjectMeta): string {
  return template.replace(TEMPLATE_ACTION, (_, field: string) => {
    const get = TEMPLATE_FIELDS[field];
    if (!get) throw new Error(`unsupported template action {{${field}}}`);
    return get(parent);
  });
}

function parseTemplate(data: Record<string, string>, key: string, fallback: string): string {
  const raw = data[key];
  if (raw === undefined) return fallback;
  try {
    renderNameTemplate(raw, {});
  } catch (e) {
    throw new Error(`error executing template: ${key}: ${(e as Error).message}`);
  }
  return raw;
}

/**
 * Reads the data of a config-defaults ConfigMap as Knative does (absent keys keep their defaults, unknown
 * keys are ignored) and checks it. Throws an Error naming the key on an invalid value. The result is frozen.
 */
export function parseDefaultsConfig(data: Record<string, string>): DefaultsConfig {
  const d = DEFAULT_DEFAULTS_CONFIG;
  const revisionTimeoutSeconds = parseInt64(data, 'revision-timeout-seconds', d.revisionTimeoutSeconds);
  const maxRevisionTimeoutSeconds = parseInt64(data, 'max-revision-timeout-seconds', d.maxRevisionTimeoutSeconds);
  // Knative defaults the response-start timeout to the revision timeout.
  const revisionResponseStartTimeoutSeconds = parseInt64(data, 'revision-response-start-timeout-seconds', revisionTimeoutSeconds);
  const revisionIdleTimeoutSeconds = parseInt64(data, 'revision-idle-timeout-seconds', d.revisionIdleTimeoutSeconds);
  const containerConcurrency = parseInt64(data, 'container-concurrency', d.containerConcurrency);
  const containerConcurrencyMaxLimit = parseInt64(data, 'container-concurrency-max-limit', d.containerConcurrencyMaxLimit);
  const allowContainerConcurrencyZero = parseBool(data, 'allow-container-concurrency-zero', d.allowContainerConcurrencyZero);
  const containerNameTemplate = parseTemplate(data, 'container-name-template', d.containerNameTemplate);
  const initContainerNameTemplate = parseTemplate(data, 'init-container-name-template', d.initContainerNameTemplate);
  let enableServiceLinks = d.enableServiceLinks;
  const esl = data['enable-service-links'];
  if (esl !== undefined) {
    // A tri-state: true, false (either case), or anything else to leave the field unset.
    enableServiceLinks = esl.toLowerCase() === 'true' ? true : esl.toLowerCase() === 'false' ? false : undefined;
  }

  if (revisionTimeoutSeconds > maxRevisionTimeoutSeconds) {
    throw new Error(`revision-timeout-seconds (${revisionTimeoutSeconds}) cannot be greater than max-revision-timeout-seconds (${maxRevisionTimeoutSeconds})`);
  }
  if (revisionResponseStartTimeoutSeconds > 0 && revisionResponseStartTimeoutSeconds > revisionTimeoutSeconds) {
    throw new Error(`revision-response-start-timeout-seconds (${revisionResponseStartTimeoutSeconds}) cannot be greater than revision-timeout-seconds (${revisionTimeoutSeconds})`);
  }
  if (revisionIdleTimeoutSeconds > 0 && revisionIdleTimeoutSeconds > revisionTimeoutSeconds) {
    throw new Error(`revision-idle-timeout-seconds (${revisionIdleTimeoutSeconds}) cannot be greater than revision-timeout-seconds (${revisionTimeoutSeconds})`);
  }
  if (containerConcurrencyMaxLimit < 1) {
    throw new Error(`expected 1 <= ${containerConcurrencyMaxLimit} <= ${MAX_INT32}: container-concurrency-max-limit`);
  }
  if (containerConcurrency < 0 || containerConcurrency > containerConcurrencyMaxLimit) {
    throw new Error(`expected 0 <= ${containerConcurrency} <= ${containerConcurrencyMaxLimit}: container-concurrency`);
  }
  return Object.freeze({
    revisionTimeoutSeconds,
    maxRevisionTimeoutSeconds,
    revisionResponseStartTimeoutSeconds,
    revisionIdleTimeoutSeconds,
    containerConcurrency,
    containerConcurrencyMaxLimit,
    allowContainerConcurrencyZero,
    containerNameTemplate,
    initContainerNameTemplate,
    enableServiceLinks,
  });
}

// Contexts ----------------------------------------------------------------------------------------

export interface DefaultsContext<T> {
  /** The user making the request, for serving.knative.dev/creator and lastModifier. */
  user?: string;
  operation: 'CREATE' | 'UPDATE';
  /** The stored object, on UPDATE. */
  old?: T;
  config: DefaultsConfig;
}

interface SpecContext {
  create: boolean;
  config: DefaultsConfig;
  /** The metadata of the object whose template this is (for the container-name template). */
  parent: V1ObjectMeta;
}

// Names -------------------------------------------------------------------------------------------

const LONGEST_NAME = 63;
const MD5_LEN = 32;
const HEAD = LONGEST_NAME - MD5_LEN;

/**
 * Knative's kmeta.ChildName: parent + suffix, or, when that is longer than 63 characters, a truncated
 * parent, the md5 of the parent and the suffix, so that names stay unique.
 */
export function childName(parent: string, suffix: string): string {
  if (parent.length <= LONGEST_NAME - suffix.length) return parent + suffix;
  if (HEAD - suffix.length <= 0) {
    const h = createHash('md5').update(parent + suffix).digest('hex');
    let ret = parent.slice(0, Math.min(HEAD, parent.length)) + h;
    const d = LONGEST_NAME - ret.length;
    if (d > 0) ret += suffix.slice(0, d);
    return ret.replace(/[^a-zA-Z0-9]+$/, '');
  }
  const h = createHash('md5').update(parent).digest('hex');
  return parent.slice(0, HEAD - suffix.length) + h + suffix;
}

function applyDefaultContainerNames(containers: V1Container[], taken: ReadonlySet<string>, defaultName: string): void {
  // One container gets the name as is; several get numbered names, skipping the names users chose.
  let next = 0;
  for (const c of containers) {
    if (c.name) continue;
    let name = defaultName;
    if (containers.length > 1 || taken.has(name)) {
      do {
        name = childName(defaultName, `-${next}`);
        next++;
      } while (taken.has(name));
    }
    c.name = name;
  }
}

// Revision spec -----------------------------------------------------------------------------------

function hasHandler(p: V1Probe): boolean {
  return Boolean(p.tcpSocket || p.httpGet || p.exec || p.grpc);
}

function applyContainerDefaults(spec: RevisionSpec, c: V1Container): void {
  // Knative fills in empty requests/limits maps, which serialise as `resources: {}`.
  c.resources ??= {};

  // The serving container (the only one, or the one with a port) is probed on its port by default.
  if ((spec.containers ?? []).length === 1 || (c.ports ?? []).length > 0) {
    c.readinessProbe ??= {};
    if (!hasHandler(c.readinessProbe)) c.readinessProbe.tcpSocket = { port: 0 };
  }
  const rp = c.readinessProbe;
  if (rp) {
    if (!rp.successThreshold) rp.successThreshold = 1;
    // Kubernetes' own defaults, once the probe is not Knative's aggressive one (periodSeconds 0).
    if (rp.periodSeconds) {
      if (!rp.failureThreshold) rp.failureThreshold = 3;
      if (!rp.timeoutSeconds) rp.timeoutSeconds = 1;
    }
  }
  for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
    if (p?.grpc && p.grpc.service === undefined) p.grpc.service = '';
  }

  // Mounts of volumes that are not writable by nature are read-only.
  const writable = new Set((spec.volumes ?? []).filter((v) => v.emptyDir || v.persistentVolumeClaim || v.ephemeral).map((v) => v.name));
  for (const vm of c.volumeMounts ?? []) if (!writable.has(vm.name)) vm.readOnly = true;
}

function setRevisionSpecDefaults(spec: RevisionSpec, ctx: SpecContext): void {
  const cfg = ctx.config;
  if (!spec.timeoutSeconds) spec.timeoutSeconds = cfg.revisionTimeoutSeconds;
  const timeout = spec.timeoutSeconds;
  // The request timeouts get the configured default only when it is set and below the revision timeout.
  if (spec.idleTimeoutSeconds === undefined && cfg.revisionIdleTimeoutSeconds !== 0 && cfg.revisionIdleTimeoutSeconds < timeout) {
    spec.idleTimeoutSeconds = cfg.revisionIdleTimeoutSeconds;
  }
  if (spec.responseStartTimeoutSeconds === undefined && cfg.revisionResponseStartTimeoutSeconds !== 0 && cfg.revisionResponseStartTimeoutSeconds < timeout) {
    spec.responseStartTimeoutSeconds = cfg.revisionResponseStartTimeoutSeconds;
  }
  spec.containerConcurrency ??= cfg.containerConcurrency;

  const containers = spec.containers ?? [];
  const inits = spec.initContainers ?? [];
  const taken = new Set([...containers, ...inits].map((c) => c.name ?? ''));
  applyDefaultContainerNames(containers, taken, renderNameTemplate(cfg.containerNameTemplate, ctx.parent));
  applyDefaultContainerNames(inits, taken, renderNameTemplate(cfg.initContainerNameTemplate, ctx.parent));
  for (const c of containers) applyContainerDefaults(spec, c);

  if (spec.enableServiceLinks === undefined && ctx.create && cfg.enableServiceLinks !== undefined) {
    spec.enableServiceLinks = cfg.enableServiceLinks;
  }
}

function setTemplateDefaults(tpl: RevisionTemplateSpec | undefined, ctx: SpecContext): void {
  if (!tpl) return;
  tpl.spec ??= {} as RevisionSpec;
  setRevisionSpecDefaults(tpl.spec, ctx);
}

// Traffic -----------------------------------------------------------------------------------------

function setTrafficTargetDefaults(tt: TrafficTarget): void {
  tt.latestRevision ??= !tt.revisionName;
  // Knative makes the percent explicit, so that later code need not tell 0 from absent.
  tt.percent ??= 0;
}

function setRouteSpecDefaults(spec: RouteSpec, defaultConfiguration: boolean): void {
  if ((spec.traffic ?? []).length === 0 && defaultConfiguration) {
    spec.traffic = [{ percent: 100, latestRevision: true }];
  }
  for (const tt of spec.traffic ?? []) setTrafficTargetDefaults(tt);
}

// User info ---------------------------------------------------------------------------------------

/**
 * serving.SetUserInfo: on create, creator and lastModifier are the user; on update, lastModifier becomes
 * the user only when the spec changed. Without a user, nothing changes.
 */
function setUserInfo(meta: V1ObjectMeta, user: string | undefined, operation: 'CREATE' | 'UPDATE', oldSpec: unknown, newSpec: unknown): void {
  if (user === undefined) return;
  if (operation === 'UPDATE') {
    if (oldSpec !== undefined && semanticEqual(oldSpec, newSpec)) return;
    meta.annotations = { ...meta.annotations, [ServingAnnotations.lastModifier]: user };
  } else {
    meta.annotations = { ...meta.annotations, [ServingAnnotations.creator]: user, [ServingAnnotations.lastModifier]: user };
  }
}

function isOwned(meta: V1ObjectMeta): boolean {
  return (meta.ownerReferences ?? []).length > 0;
}

/** On update, a template that keeps its BYO name is not defaulted (it would look like a change). */
function keepsByoName(next: RevisionTemplateSpec | undefined, prev: RevisionTemplateSpec | undefined): boolean {
  const name = next?.metadata?.name ?? '';
  return name !== '' && name === (prev?.metadata?.name ?? '');
}

// The kinds ---------------------------------------------------------------------------------------

export function setServiceDefaults(svc: Service, ctx: DefaultsContext<Service>): void {
  svc.metadata ??= {};
  svc.spec ??= { template: { spec: {} as RevisionSpec } };
  const old = ctx.operation === 'UPDATE' ? ctx.old : undefined;
  if (!(old && keepsByoName(svc.spec.template, old.spec?.template))) {
    setTemplateDefaults(svc.spec.template, { create: ctx.operation === 'CREATE', config: ctx.config, parent: svc.metadata });
  }
  setRouteSpecDefaults(svc.spec, true);
  setUserInfo(svc.metadata, ctx.user, ctx.operation, old?.spec, svc.spec);
}

export function setConfigurationDefaults(cfg: Configuration, ctx: DefaultsContext<Configuration>): void {
  cfg.metadata ??= {};
  cfg.spec ??= { template: { spec: {} as RevisionSpec } };
  const old = ctx.operation === 'UPDATE' ? ctx.old : undefined;
  if (!(old && keepsByoName(cfg.spec.template, old.spec?.template))) {
    setTemplateDefaults(cfg.spec.template, { create: ctx.operation === 'CREATE', config: ctx.config, parent: cfg.metadata });
  }
  // A Service's Configuration carries the Service's annotations; only a Configuration of its own gets them here.
  if (!isOwned(cfg.metadata)) setUserInfo(cfg.metadata, ctx.user, ctx.operation, old?.spec, cfg.spec);
}

export function setRevisionDefaults(rev: Revision, ctx: DefaultsContext<Revision>): void {
  // A Revision's spec is immutable: defaulting it on update could only make the update fail.
  if (ctx.operation === 'UPDATE') return;
  rev.spec ??= {} as RevisionSpec;
  // Knative gives a Revision no parent here, so {{.Name}}-style container-name templates render empty.
  setRevisionSpecDefaults(rev.spec, { create: true, config: ctx.config, parent: {} });
}

export function setRouteDefaults(route: Route, ctx: DefaultsContext<Route>): void {
  route.metadata ??= {};
  route.spec ??= {};
  setRouteSpecDefaults(route.spec, false);
  const old = ctx.operation === 'UPDATE' ? ctx.old : undefined;
  if (!isOwned(route.metadata)) setUserInfo(route.metadata, ctx.user, ctx.operation, old?.spec, route.spec);
}
