import type { V1ObjectMeta } from '@kubernetes/client-node';
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
