import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';

// serving.knative.dev/v1: the shapes of Knative Serving's four kinds, as Knative defines them.

export const SERVING_GROUP = 'serving.knative.dev';
export const SERVING_VERSION = 'v1';
export const SERVING_API_VERSION = `${SERVING_GROUP}/${SERVING_VERSION}`;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** '' (or absent) for conditions that make up Ready; 'Warning'/'Info' for the ones that do not. */
  severity?: '' | 'Warning' | 'Info';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Status {
  observedGeneration?: number;
  conditions?: Condition[];
  annotations?: Record<string, string>;
}

export interface RevisionSpec extends V1PodSpec {
  containerConcurrency?: number;
  timeoutSeconds?: number;
  responseStartTimeoutSeconds?: number;
  idleTimeoutSeconds?: number;
}

export interface RevisionTemplateSpec {
  metadata?: V1ObjectMeta;
  spec: RevisionSpec;
}

export interface TrafficTarget {
  tag?: string;
  revisionName?: string;
  configurationName?: string;
  latestRevision?: boolean;
  percent?: number;
  url?: string;
}

export interface Addressable {
  url?: string;
}

export interface ConfigurationSpec {
  template: RevisionTemplateSpec;
}

export interface ConfigurationStatusFields {
  latestReadyRevisionName?: string;
  latestCreatedRevisionName?: string;
}

export interface RouteSpec {
  traffic?: TrafficTarget[];
}

export interface RouteStatusFields {
  url?: string;
  address?: Addressable;
  traffic?: TrafficTarget[];
}

export interface ServiceSpec extends ConfigurationSpec, RouteSpec {}

export interface ContainerStatus {
  name: string;
  imageDigest?: string;
}

export interface RevisionStatus extends Status {
  logUrl?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  actualReplicas?: number;
  desiredReplicas?: number;
}

interface Object<Kind extends string, Spec, S> {
  apiVersion?: string;
  kind?: Kind;
  metadata: V1ObjectMeta;
  spec: Spec;
  status?: S;
}

export type Service = Object<'Service', ServiceSpec, Status & ConfigurationStatusFields & RouteStatusFields>;
export type Configuration = Object<'Configuration', ConfigurationSpec, Status & ConfigurationStatusFields>;
export type Revision = Object<'Revision', RevisionSpec, RevisionStatus>;
export type Route = Object<'Route', RouteSpec, Status & RouteStatusFields>;

export type ServingObject = Service | Configuration | Revision | Route;
