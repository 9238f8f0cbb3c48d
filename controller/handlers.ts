import type { KubernetesObject } from '@kubernetes/client-node';
import { ServingLabels } from '../api/serving/labels.js';
import type { Route } from '../api/serving/v1/types.js';
import { referencedNames } from './reconciler/route/traffic.js';

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

/** Routes in the object's namespace whose traffic names it (a Revision or a Configuration). */
export function referencingRoutes(ctl: Queue, routes: { list(namespace?: string): ReadonlyArray<Route> }, kind: 'configuration' | 'revision'): Enqueue {
  return (obj) => {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const config = obj.metadata?.labels?.[ServingLabels.configuration];
    for (const route of routes.list(ns)) {
      const refs = referencedNames(route);
      const hit = kind === 'configuration' ? refs.configurations.has(name) : refs.revisions.has(name) || (config !== undefined && refs.configurations.has(config));
      if (hit) ctl.enqueue(route);
    }
  };
}

export function all(...fns: Enqueue[]): { add: Enqueue; update: Enqueue; delete: Enqueue } {
  const each: Enqueue = (obj) => {
    for (const f of fns) f(obj);
  };
  return { add: each, update: each, delete: each };
}
