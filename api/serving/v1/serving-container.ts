import type { V1EnvVar, V1PodSpec } from '@kubernetes/client-node';
import { ServingLabels } from '../labels.js';
import type { Revision } from './types.js';

// A Revision's serving container as Knative defines it: which container it is, its port and the env it gets.
// The controller builds the Revision's pods from these; the autoscaler gives a warm pool pod the same.

export const DEFAULT_USER_PORT = 8080;

/** The container that serves traffic: the one with a port, else the only one. */
export function servingContainerIndex(spec: V1PodSpec): number {
  const i = spec.containers.findIndex((c) => (c.ports?.length ?? 0) > 0);
  return i >= 0 ? i : 0;
}

export function userPort(rev: Revision): number {
  const c = rev.spec.containers[servingContainerIndex(rev.spec)];
  return c?.ports?.[0]?.containerPort || DEFAULT_USER_PORT;
}

/** The env Knative gives the serving container; a warm pool pod gets the same on /specialize. */
export function servingEnv(rev: Revision): V1EnvVar[] {
  return [
    { name: 'PORT', value: String(userPort(rev)) },
    { name: 'K_REVISION', value: rev.metadata.name ?? '' },
    { name: 'K_CONFIGURATION', value: rev.metadata.labels?.[ServingLabels.configuration] ?? '' },
    { name: 'K_SERVICE', value: rev.metadata.labels?.[ServingLabels.service] ?? '' },
  ];
}
