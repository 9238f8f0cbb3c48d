import { validatePodPool } from '../../api/kzero/v1alpha1/podpool-validation.js';
import type { PodPool } from '../../api/kzero/v1alpha1/types.js';
import { KzeroLabels } from '../../api/serving/labels.js';
import { setConfigurationDefaults, setRevisionDefaults, setRouteDefaults, setServiceDefaults, type DefaultsConfig } from '../../api/serving/v1/defaults.js';
import type { Configuration, Revision, Route, Service, ServingObject } from '../../api/serving/v1/types.js';
import { validateConfiguration, validateRevision, validateRoute, validateService, type ValidationContext } from '../../api/serving/v1/validation.js';
import { errorString, type FieldError } from '../../api/field-error.js';
import { shardFor } from '../shards/assign.js';
import { diff } from './jsonpatch.js';
import { jsonCopy } from '../../lib/json.js';

// Admission for serving.knative.dev/v1 and kzero.dev/v1alpha1 PodPools (pure, given lookups): defaulting
// (with the creator/lastModifier annotations and the shard label) and validation, answering AdmissionReview
// v1 requests.

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  /** The object's name (on DELETE, request.object is empty). */
  name?: string;
  subResource?: string;
  userInfo?: { username?: string };
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  patchType?: 'JSONPatch';
  patch?: string;
}

export interface AdmissionDeps {
  defaults(): DefaultsConfig;
  validation(): Omit<ValidationContext<unknown>, 'operation' | 'old' | 'revisionExists'>;
  revisionExists(namespace: string, name: string): boolean;
  namespaceShard(namespace: string): string | undefined;
  shardCount(): number;
}

type Kind = 'Service' | 'Configuration' | 'Revision' | 'Route' | 'PodPool';
const KINDS = new Set<string>(['Service', 'Configuration', 'Revision', 'Route', 'PodPool']);

const allow = (uid: string): AdmissionResponse => ({ uid, allowed: true });

export function defaultObject(req: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  if (!KINDS.has(req.kind.kind) || (req.operation !== 'CREATE' && req.operation !== 'UPDATE')) return allow(req.uid);
  const before = req.object as ServingObject;
  const after = jsonCopy(before);
  const ctx = { operation: req.operation, config: deps.defaults(), ...(req.userInfo?.username ? { user: req.userInfo.username } : {}), ...(req.oldObject ? { old: req.oldObject } : {}) };
  switch (req.kind.kind as Kind) {
    case 'Service': setServiceDefaults(after as Service, ctx as Parameters<typeof setServiceDefaults>[1]); break;
    case 'Configuration': setConfigurationDefaults(after as Configuration, ctx as Parameters<typeof setConfigurationDefaults>[1]); break;
    case 'Revision': setRevisionDefaults(after as Revision, ctx as Parameters<typeof setRevisionDefaults>[1]); break;
    case 'Route': setRouteDefaults(after as Route, ctx as Parameters<typeof setRouteDefaults>[1]); break;
    case 'PodPool': break; // nothing to default: only its shard
  }
  assignShard(after, req, deps);
  const ops = diff(before, after);
  if (ops.length === 0) return allow(req.uid);
  return { uid: req.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
}

/** Top-level objects get their shard at creation; children inherit theirs from the parent's labels. */
function assignShard(obj: ServingObject, req: AdmissionRequest, deps: AdmissionDeps): void {
  const meta = obj.metadata;
  if (meta.labels?.[KzeroLabels.shard] !== undefined) return;
  if ((meta.ownerReferences ?? []).some((r) => r.controller)) return;
  const old = (req.oldObject as ServingObject | undefined)?.metadata?.labels?.[KzeroLabels.shard];
  const namespace = meta.namespace ?? req.namespace ?? '';
  // On update, an existing shard is kept even if the new manifest omits the label (kubectl apply, GitOps).
  const shard = old ?? shardFor(namespace, meta.name ?? '', deps.namespaceShard(namespace), deps.shardCount());
  meta.labels = { ...(meta.labels ?? {}), [KzeroLabels.shard]: shard };
}

export function validateObject(req: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  if (!KINDS.has(req.kind.kind) || (req.operation !== 'CREATE' && req.operation !== 'UPDATE')) return allow(req.uid);
  const obj = req.object as ServingObject;
  const namespace = obj.metadata.namespace ?? req.namespace ?? '';
  const ctx = {
    ...deps.validation(),
    operation: req.operation,
    ...(req.oldObject ? { old: req.oldObject } : {}),
    revisionExists: (name: string) => deps.revisionExists(namespace, name),
  };
  if (req.kind.kind === 'PodPool') {
    const invalid = validatePodPool(obj as unknown as PodPool);
    return invalid ? { uid: req.uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: `invalid PodPool "${obj.metadata.name}": ${invalid}` } } : allow(req.uid);
  }
  let err: FieldError | undefined;
  switch (req.kind.kind as Kind) {
    case 'Service': err = validateService(obj as Service, ctx as ValidationContext<Service>); break;
    case 'Configuration': err = validateConfiguration(obj as Configuration, ctx as ValidationContext<Configuration>); break;
    case 'Revision': err = validateRevision(obj as Revision, ctx as ValidationContext<Revision>); break;
    case 'Route': err = validateRoute(obj as Route, ctx as ValidationContext<Route>); break;
  }
  if (!err) return allow(req.uid);
  return { uid: req.uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: errorString(err) } };
}
