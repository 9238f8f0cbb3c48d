import type { KubernetesObject } from '@kubernetes/client-node';
import { ServingLabels } from '../api/serving/labels.js';
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

export function all(...fns: Enqueue[]): { add: Enqueue; update: Enqueue; delete: Enqueue } {
  const each: Enqueue = (obj) => {
    for (const f of fns) f(obj);
  };
  return { add: each, update: each, delete: each };
}
