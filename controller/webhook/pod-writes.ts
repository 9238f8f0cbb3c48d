import type { V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { KzeroAnnotations, KzeroLabels, PoolStates, ServingLabels } from '../../api/serving/labels.js';
import type { AdmissionRequest, AdmissionResponse } from './admission.js';

// What the autoscaler may do to pods (pure). RBAC cannot grant "patch pods labelled X", so its ServiceAccount
// may patch and delete any pod and this admission check narrows it to what its work needs:
// - the claim (autoscaler/pool/claim.ts claimPatch): a warm pool pod's labels, ownerReferences and its
//   kzero.dev/claimed-at annotation, the pod staying in its pool;
// - deletes of pods kzero manages: pool pods (orphans, failed claims) and Revision pods (scale-down).
// Anything else by that identity is denied; every other user passes untouched.

export const AUTOSCALER_USER = 'system:serviceaccount:kzero-system:kzero-autoscaler';

/** Fields the API server keeps for itself: a client's write cannot mean anything by them. */
const SERVER_METADATA = new Set(['managedFields', 'resourceVersion', 'generation']);
/** What the claim changes. */
const CLAIM_METADATA = new Set(['labels', 'ownerReferences', 'annotations']);

export function reviewPodWrite(req: AdmissionRequest): AdmissionResponse {
  if (req.userInfo?.username !== AUTOSCALER_USER) return { uid: req.uid, allowed: true };
  const old = req.oldObject as V1Pod | undefined;
  const key = `${req.namespace ?? old?.metadata?.namespace}/${req.name ?? old?.metadata?.name}`;
  const deny = (why: string): AdmissionResponse => ({ uid: req.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: `kzero-autoscaler: ${why}` } });
  if (req.kind.kind !== 'Pod' || req.subResource) return deny(`may not ${req.operation} ${req.kind.kind}${req.subResource ? `/${req.subResource}` : ''} ${key}: it only claims and deletes kzero's pods`);
  if (!old) return deny(`${req.operation} of pod ${key} without the pod's current state: cannot check it`);
  const labels = old.metadata?.labels ?? {};
  if (req.operation === 'DELETE') {
    if (labels[KzeroLabels.pool] !== undefined || labels[ServingLabels.revision] !== undefined) return { uid: req.uid, allowed: true };
    return deny(`may only delete pods kzero manages (labelled ${KzeroLabels.pool} or ${ServingLabels.revision}): pod ${key} is neither`);
  }
  if (req.operation !== 'UPDATE') return deny(`may not ${req.operation} pod ${key}`);
  if (labels[KzeroLabels.pool] === undefined || labels[KzeroLabels.poolState] !== PoolStates.warm) {
    return deny(`may only claim a warm pool pod (labelled ${KzeroLabels.pool} and ${KzeroLabels.poolState}=${PoolStates.warm}): pod ${key} is not one`);
  }
  const changed = claimViolations(old, req.object as V1Pod);
  if (changed.length) {
    return deny(`a claim may change only the labels, ownerReferences and the ${KzeroAnnotations.claimedAt} annotation of a warm pool pod; this update of pod ${key} changes ${changed.join(', ')}`);
  }
  return { uid: req.uid, allowed: true };
}

/** What `next` changes of `old` beyond a claim, as field paths. */
function claimViolations(old: V1Pod, next: V1Pod | undefined): string[] {
  const out: string[] = [];
  const keys = (a: object | undefined, b: object | undefined): Set<string> => new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  const field = <T extends object>(o: T | undefined, k: string): unknown => (o as Record<string, unknown> | undefined)?.[k];
  for (const k of keys(old, next)) {
    if (k !== 'metadata' && !isDeepStrictEqual(field(old, k), field(next, k))) out.push(k);
  }
  for (const k of keys(old.metadata, next?.metadata)) {
    if (SERVER_METADATA.has(k) || CLAIM_METADATA.has(k)) continue;
    if (!isDeepStrictEqual(field(old.metadata, k), field(next?.metadata, k))) out.push(`metadata.${k}`);
  }
  const was = old.metadata?.annotations ?? {};
  const now = next?.metadata?.annotations ?? {};
  for (const k of keys(was, now)) {
    if (k !== KzeroAnnotations.claimedAt && was[k] !== now[k]) out.push(`metadata.annotations[${k}]`);
  }
  if (next?.metadata?.labels?.[KzeroLabels.pool] !== old.metadata?.labels?.[KzeroLabels.pool]) out.push(`metadata.labels[${KzeroLabels.pool}]`);
  return out;
}
