import type { PodPool } from './types.js';

// A PodPool's spec, validated (pure): by the admission webhook, which rejects a bad one naming the field,
// and by the pool controller and the claimers, which never act on one.

/** What is wrong with the pool's spec, or undefined. The field is named, as the webhook does. */
export function validatePodPool(pool: PodPool): string | undefined {
  const spec = pool.spec;
  const containers = spec.template?.spec?.containers ?? [];
  if (containers.length !== 1) return `spec.template.spec.containers: want exactly one container (the runtime), got ${containers.length}`;
  if (!containers[0]?.image) return 'spec.template.spec.containers[0].image: required';
  if (spec.minReady !== undefined && (!Number.isInteger(spec.minReady) || spec.minReady < 0)) return `spec.minReady: must be an integer >= 0, got ${spec.minReady}`;
  if (spec.maxReady !== undefined && (!Number.isInteger(spec.maxReady) || spec.maxReady < (spec.minReady ?? 0))) return `spec.maxReady: must be an integer >= minReady, got ${spec.maxReady}`;
  const a = spec.autosizing ?? {};
  for (const [field, v, min] of [['windowSeconds', a.windowSeconds, 1], ['refillSeconds', a.refillSeconds, 0], ['headroomPercent', a.headroomPercent, 0]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !(v >= min))) return `spec.autosizing.${field}: must be a number >= ${min}, got ${v}`;
  }
  return undefined;
}
