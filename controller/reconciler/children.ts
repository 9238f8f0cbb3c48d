import type { KubernetesObject } from '@kubernetes/client-node';
import { isDerivative } from '../../lib/derivative.js';
import { isConflict } from '../../lib/kube/client.js';
import type { ResourceClient } from '../../lib/kube/rest.js';
import type { Lister } from '../../lib/kube/lister.js';
import type { EventRecorder } from '../runtime/events.js';
import { isControlledBy } from './meta.js';

export type WithSpec = KubernetesObject & { spec?: unknown };

export type ChildOutcome<T> = { kind: 'ok'; obj: T } | { kind: 'notOwned'; name: string };

/** True when every label/annotation of `want` is on `have` with the same value (others may be added by webhooks, users). */
export function containsAll(have: Record<string, string> | undefined, want: Record<string, string> | undefined): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);
}

/** Whether `existing` already matches `desired` in what the parent controls: spec, labels, annotations. */
export function childUpToDate(existing: WithSpec, desired: WithSpec): boolean {
  return isDerivative(desired.spec, existing.spec)
    && containsAll(existing.metadata?.labels, desired.metadata?.labels)
    && containsAll(existing.metadata?.annotations, desired.metadata?.annotations);
}

/**
 * Makes the child exist and match `desired`: create it if missing (an AlreadyExists from a racing replica
 * reads it back), update spec, labels and annotations if they drifted, refuse to touch it if another
 * object controls it. Idempotent: with nothing to change, it makes no API call.
 */
export async function ensureChild<T extends WithSpec>(opts: {
  owner: KubernetesObject;
  desired: T;
  lister: Lister<T>;
  client: ResourceClient<T>;
  events: EventRecorder;
  upToDate?: (existing: T, desired: T) => boolean;
  /** Whether creating the child is worth a Normal event on the owner (one API write per event). */
  announce?: boolean;
  /** The spec to write over an existing child (default: the desired spec). */
  specForUpdate?: (existing: T, desired: T) => T['spec'];
}): Promise<ChildOutcome<T>> {
  const { desired, owner } = opts;
  const name = desired.metadata?.name ?? '';
  const namespace = desired.metadata?.namespace;
  let existing = opts.lister.get(name, namespace);
  if (!existing) {
    try {
      const created = await opts.client.create(desired);
      if (opts.announce !== false) opts.events.event(owner, 'Normal', 'Created', `Created ${opts.client.type.kind} "${name}"`);
      return { kind: 'ok', obj: created };
    } catch (err) {
      if (!isConflict(err)) throw err;
      existing = await opts.client.get(namespace, name);
    }
  }
  if (!isControlledBy(existing, owner)) return { kind: 'notOwned', name };
  if ((opts.upToDate ?? childUpToDate)(existing, desired)) return { kind: 'ok', obj: existing };
  const updated: T = {
    ...existing,
    metadata: {
      ...existing.metadata,
      labels: { ...existing.metadata?.labels, ...desired.metadata?.labels },
      annotations: { ...existing.metadata?.annotations, ...desired.metadata?.annotations },
    },
    spec: opts.specForUpdate ? opts.specForUpdate(existing, desired) : desired.spec,
  };
  const result = await opts.client.update(updated);
  opts.events.event(owner, 'Normal', 'Updated', `Updated ${opts.client.type.kind} "${name}"`);
  return { kind: 'ok', obj: result };
}
