import type { V1ObjectMeta, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { Status } from '../../serving/v1/types.js';

// kzero.dev/v1alpha1 PodAutoscaler: one per Revision, written by the revision reconciler (spec) and by the
// shard's autoscaler (status).

export const KZERO_GROUP = 'kzero.dev';
export const KZERO_VERSION = 'v1alpha1';
export const KZERO_API_VERSION = `${KZERO_GROUP}/${KZERO_VERSION}`;

export interface PodAutoscalerSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  containerConcurrency?: number;
  protocolType?: 'http1' | 'h2c';
  /** Whether a Route sends the revision traffic: an unreachable revision may scale to zero at once. */
  reachability?: 'Reachable' | 'Unreachable' | '';
}

/**
 * PodAutoscaler condition (kzero's, outside Ready): whether the Revision's code package loads. False, with
 * the reason, once a warm pod failed to load it (bad sha256, unsafe archive, fetch failure); the Revision
 * then reports ContainerHealthy=False with the same reason.
 */
export const CODE_READY = 'CodeReady';

export interface PodAutoscalerStatus extends Status {
  desiredScale?: number;
  actualScale?: number;
  serviceName?: string;
  metricsServiceName?: string;
}

export interface PodAutoscaler {
  apiVersion?: string;
  kind?: 'PodAutoscaler';
  metadata: V1ObjectMeta;
  spec: PodAutoscalerSpec;
  status?: PodAutoscalerStatus;
}

// kzero.dev/v1alpha1 PodPool: warm generic pods that cold starts claim. The pool controller owns status;
// autoscalers claim its pods.

export interface PodPoolAutosizing {
  /** Claims (and misses) over this window set the pool's size. Default 60. */
  windowSeconds?: number;
  /** How long a new warm pod takes to become Ready: the pool must cover the claims of that long. Default 3. */
  refillSeconds?: number;
  /** Extra warm pods over the expected claims of one refill, in percent. Default 50. */
  headroomPercent?: number;
}

export interface PodPoolSpec {
  /** The generic runtime's pod: one container (the runtime image and its resources). */
  template: V1PodTemplateSpec;
  /** Warm pods kept Ready even when nothing claims. Default 1. */
  minReady?: number;
  /** Never more warm pods than this, however high the claim rate. Default max(minReady, 10). */
  maxReady?: number;
  autosizing?: PodPoolAutosizing;
}

export interface PodPoolStatus extends Status {
  /** Warm pods Ready to be claimed. */
  readyReplicas?: number;
  /** The warm size the pool is being kept at (from the claim rate, within minReady..maxReady). */
  targetSize?: number;
  /** Pods claimed from the pool over the last window. */
  claimedLastMinute?: number;
  /** Cold starts of the pool's Revisions that found no warm pod and took the Deployment path, over the last window. */
  missedLastMinute?: number;
}

export interface PodPool {
  apiVersion?: string;
  kind?: 'PodPool';
  metadata: V1ObjectMeta;
  spec: PodPoolSpec;
  status?: PodPoolStatus;
}
