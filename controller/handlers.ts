import type { KubernetesObject } from '@kubernetes/client-node';
import { rivalsFor } from '../api/serving/host-claims.js';
import { ServingLabels } from '../api/serving/labels.js';
import { hostLabel } from '../api/serving/route-hosts.js';
import type { Route } from '../api/serving/v1/types.js';
import type { RouteReferences } from './reconciler/route/references.js';

// Which keys to look at again when an object changes: itself, its parent (by label), and the Routes that
// send traffic to it. Level-triggered: enqueueing too much is harmless, too little is a bug.

export type Enqueue = (obj: KubernetesObject) => void;

/** The part of a Controller that handlers need. */
export interface Queue {
  enqueue(obj: KubernetesObject): void;
  enqueueKey(key: string): void;
}

export function byLabel(ctl: Queue, label: string): Enqueue {
  return (obj) => {
    const name = obj.metadata?.labels?.[label];
    if (name) ctl.enqueueKey(`${obj.metadata?.namespace ?? ''}/${name}`);
  };
}

/**
 * The Routes whose traffic names the object: a Configuration by name; a Revision by name or through its
 * Configuration.
 */
export function referencingRoutes(ctl: Queue, refs: RouteReferences, kind: 'configuration' | 'revision'): Enqueue {
  return (obj) => {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    for (const key of refs.routes(ns, kind, name)) ctl.enqueueKey(key);
    const config = kind === 'revision' ? obj.metadata?.labels?.[ServingLabels.configuration] : undefined;
    if (config !== undefined) for (const key of refs.routes(ns, 'configuration', config)) ctl.enqueueKey(key);
  };
}

/**
 * The Routes whose tag hosts may compete with a changed Route's hosts (api/serving/host-claims.ts), so that a
 * winner's arrival or departure shows on the loser at once. Only this shard's Routes are queued; a rival in
 * another shard shows at its next reconcile (a loser re-checks every CONFLICT_RECHECK_MS).
 */
export function hostRivals(ctl: Queue): Enqueue {
  return (obj) => {
    const route = obj as Route;
    const ns = route.metadata?.namespace ?? '';
    const name = route.metadata?.name ?? '';
    const tags = [...(route.spec?.traffic ?? []), ...(route.status?.traffic ?? [])].map((t) => t.tag).filter((t) => !!t);
    const labels = new Set([name, ...tags.map((t) => hostLabel(name, t))]);
    for (const label of labels) for (const rival of rivalsFor(label, name)) ctl.enqueueKey(`${ns}/${rival}`);
  };
}

export function all(...fns: Enqueue[]): { add: Enqueue; update: Enqueue; delete: Enqueue } {
  const each: Enqueue = (obj) => {
    for (const f of fns) f(obj);
  };
  return { add: each, update: each, delete: each };
}
