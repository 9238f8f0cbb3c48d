import type { KubernetesObject, V1Container, V1Deployment, V1Namespace, V1ObjectMeta, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { KZERO_API_VERSION, type PodAutoscaler, type PodPool } from '../api/kzero/v1alpha1/types.js';
import { KzeroLabels, ServingLabels } from '../api/serving/labels.js';
import {
  SERVING_API_VERSION, type Condition, type ConditionStatus, type Configuration, type Revision, type Route, type Service, type Status,
  type TrafficTarget,
} from '../api/serving/v1/types.js';
import { ownerRef } from '../controller/reconciler/meta.js';
import { T0 } from './fake-clock.js';
import { uidFor } from './fake-client.js';

// Object builders with functional options, as Knative's pkg/testing/v1 (`Service("foo", "default",
// WithRunLatestRollout, WithInitSvcConditions...)`). Every object starts in namespace `default`, at
// generation 1, with uid `<kind>-<name>-uid`, and with one container `user-container` running `busybox`.

export const NAMESPACE = 'default';
export const IMAGE = 'busybox';
/** The transition time conditions get from a reconcile at the FakeClock's start. */
export const NOW = new Date(T0).toISOString();
/** A transition time well before NOW, for conditions that were already there. */
export const EARLIER = '2024-04-01T00:00:00.000Z';

export type Opt<T> = (obj: T) => void;

type HasMeta = { metadata?: V1ObjectMeta };
type HasStatus = { status?: Status };
type WithTemplate = Service | Configuration;
type WithContainers = Service | Configuration | Revision;

function meta(kind: string, name: string): V1ObjectMeta {
  return { name, namespace: NAMESPACE, uid: uidFor(kind, name), generation: 1 };
}

function apply<T>(obj: T, opts: Array<Opt<T>>): T {
  for (const o of opts) o(obj);
  return obj;
}

const userContainer = (): V1Container => ({ name: 'user-container', image: IMAGE });

// Kinds -----------------------------------------------------------------------------------------------

export function service(name: string, ...opts: Array<Opt<Service>>): Service {
  return apply<Service>({ apiVersion: SERVING_API_VERSION, kind: 'Service', metadata: meta('Service', name), spec: { template: { spec: { containers: [userContainer()] } } } }, opts);
}

export function configuration(name: string, ...opts: Array<Opt<Configuration>>): Configuration {
  return apply<Configuration>({ apiVersion: SERVING_API_VERSION, kind: 'Configuration', metadata: meta('Configuration', name), spec: { template: { spec: { containers: [userContainer()] } } } }, opts);
}

export function revision(name: string, ...opts: Array<Opt<Revision>>): Revision {
  return apply<Revision>({ apiVersion: SERVING_API_VERSION, kind: 'Revision', metadata: meta('Revision', name), spec: { containers: [userContainer()] } }, opts);
}

export function route(name: string, ...opts: Array<Opt<Route>>): Route {
  return apply<Route>({ apiVersion: SERVING_API_VERSION, kind: 'Route', metadata: meta('Route', name), spec: {} }, opts);
}

export function deployment(name: string, ...opts: Array<Opt<V1Deployment>>): V1Deployment {
  return apply<V1Deployment>({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('Deployment', name),
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [userContainer()] } } },
  }, opts);
}

export function podAutoscaler(name: string, ...opts: Array<Opt<PodAutoscaler>>): PodAutoscaler {
  return apply<PodAutoscaler>({
    apiVersion: KZERO_API_VERSION, kind: 'PodAutoscaler', metadata: meta('PodAutoscaler', name),
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-deployment` } },
  }, opts);
}

/** A PodPool whose one container, `runtime`, runs `kzero/runtime:1` with 100m CPU / 128Mi requested. */
export function podPool(name: string, ...opts: Array<Opt<PodPool>>): PodPool {
  return apply<PodPool>({
    apiVersion: KZERO_API_VERSION, kind: 'PodPool', metadata: meta('PodPool', name),
    spec: { template: { spec: { containers: [{ name: 'runtime', image: POOL_IMAGE, resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } } },
  }, opts);
}
export const POOL_IMAGE = 'kzero/runtime:1';

/** A running pod with one container, `user-container`, that is not (yet) ready. */
export function pod(name: string, ...opts: Array<Opt<V1Pod>>): V1Pod {
  const p: V1Pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE, uid: uidFor('Pod', name) },
    spec: { containers: [userContainer()] },
    status: { phase: 'Running', containerStatuses: [{ name: 'user-container', image: IMAGE, imageID: '', ready: false, restartCount: 0, state: { running: {} } }] },
  };
  return apply(p, opts);
}

export function namespace(name: string, ...opts: Array<Opt<V1Namespace>>): V1Namespace {
  return apply<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: uidFor('Namespace', name) } }, opts);
}

// Metadata --------------------------------------------------------------------------------------------

export const withNamespace = (ns: string): Opt<HasMeta> => (o) => void ((o.metadata ??= {}).namespace = ns);
export const withUID = (uid: string): Opt<HasMeta> => (o) => void ((o.metadata ??= {}).uid = uid);
export const withGeneration = (n: number): Opt<HasMeta> => (o) => void ((o.metadata ??= {}).generation = n);
export const withResourceVersion = (rv: string): Opt<HasMeta> => (o) => void ((o.metadata ??= {}).resourceVersion = rv);
export const withLabels = (labels: Record<string, string>): Opt<HasMeta> => (o) => {
  const m = (o.metadata ??= {});
  m.labels = { ...m.labels, ...labels };
};
export const withoutLabel = (key: string): Opt<HasMeta> => (o) => void delete o.metadata?.labels?.[key];
export const withAnnotations = (annotations: Record<string, string>): Opt<HasMeta> => (o) => {
  const m = (o.metadata ??= {});
  m.annotations = { ...m.annotations, ...annotations };
};
export const withShard = (shard: string): Opt<HasMeta> => withLabels({ [KzeroLabels.shard]: shard });
/** A controller owner reference to `owner`, as the reconcilers set it. */
export const withOwner = (owner: KubernetesObject): Opt<HasMeta> => (o) => {
  (o.metadata ??= {}).ownerReferences = [ownerRef(owner.apiVersion ?? '', owner.kind ?? '', owner.metadata ?? {})];
};
export const withoutOwner: Opt<HasMeta> = (o) => void delete o.metadata?.ownerReferences;
export const withCreationTimestamp = (ts: string): Opt<HasMeta> => (o) => void ((o.metadata ??= {}).creationTimestamp = new Date(ts));
export const withDeletionTimestamp = (ts = NOW): Opt<HasMeta> => (o) => void ((o.metadata ??= {}).deletionTimestamp = new Date(ts));

// Specs -----------------------------------------------------------------------------------------------

function containersOf(o: WithContainers): V1Container[] {
  return 'template' in o.spec ? o.spec.template.spec.containers : o.spec.containers;
}

/** The image of the first container (Service and Configuration: of the template). */
export const withImage = (image: string): Opt<WithContainers> => (o) => {
  const c = containersOf(o)[0];
  if (c) c.image = image;
};
export const withContainerPort = (port: number, name?: string): Opt<WithContainers> => (o) => {
  const c = containersOf(o)[0];
  if (c) c.ports = [{ containerPort: port, ...(name ? { name } : {}) }];
};
export const withContainer = (c: V1Container): Opt<WithContainers> => (o) => void containersOf(o).push(c);
export const withEnv = (name: string, value: string): Opt<WithContainers> => (o) => {
  const c = containersOf(o)[0];
  if (c) c.env = [...(c.env ?? []), { name, value }];
};
/** The BYO revision name of the template. */
export const withTemplateName = (name: string): Opt<WithTemplate> => (o) => void ((o.spec.template.metadata ??= {}).name = name);
export const withTemplateLabels = (labels: Record<string, string>): Opt<WithTemplate> => (o) => {
  const m = (o.spec.template.metadata ??= {});
  m.labels = { ...m.labels, ...labels };
};
export const withTemplateAnnotations = (annotations: Record<string, string>): Opt<WithTemplate> => (o) => {
  const m = (o.spec.template.metadata ??= {});
  m.annotations = { ...m.annotations, ...annotations };
};
/** Spec traffic of a Service or Route. */
export const withTraffic = (...targets: TrafficTarget[]): Opt<Service | Route> => (o) => void (o.spec.traffic = targets);
export const withRoutingState = (state: 'active' | 'reserve' | 'pending'): Opt<Revision> => withLabels({ [ServingLabels.routingState]: state });

// Status ----------------------------------------------------------------------------------------------

/** A condition as the ConditionManager writes it (lastTransitionTime NOW unless given). */
export function cond(type: string, status: ConditionStatus, reason?: string, message?: string, opts: { at?: string; severity?: 'Info' | 'Warning' } = {}): Condition {
  return {
    type, status,
    ...(opts.severity ? { severity: opts.severity } : {}),
    lastTransitionTime: opts.at ?? NOW,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** Sets (replaces) a condition; the list stays sorted by type, as the ConditionManager keeps it. */
export const withCondition = (c: Condition): Opt<HasStatus> => (o) => {
  const s = (o.status ??= {});
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c].sort((a, b) => a.type.localeCompare(b.type));
};
export const withReadyCondition = (status: ConditionStatus, reason?: string, message?: string, at = EARLIER): Opt<HasStatus> =>
  withCondition(cond('Ready', status, reason, message, { at }));
/** status.observedGeneration: metadata.generation unless given. */
export const withObservedGeneration = (n?: number): Opt<HasStatus & HasMeta> => (o) => void ((o.status ??= {}).observedGeneration = n ?? o.metadata?.generation);
export const withLatestReady = (name: string): Opt<Service | Configuration> => (o) => void ((o.status ??= {}).latestReadyRevisionName = name);
export const withLatestCreated = (name: string): Opt<Service | Configuration> => (o) => void ((o.status ??= {}).latestCreatedRevisionName = name);
export const withStatusTraffic = (...targets: TrafficTarget[]): Opt<Service | Route> => (o) => void ((o.status ??= {}).traffic = targets);
export const withURL = (url: string): Opt<Service | Route> => (o) => void ((o.status ??= {}).url = url);
export const withAddress = (url: string): Opt<Service | Route> => (o) => void ((o.status ??= {}).address = { url });

// Deployments, pods, PodAutoscalers ----------------------------------------------------------------------

export const withReplicas = (n: number): Opt<V1Deployment> => (d) => void ((d.spec ??= { selector: {}, template: {} }).replicas = n);
export const withReadyReplicas = (n: number): Opt<V1Deployment> => (d) => {
  d.status = { ...d.status, replicas: Math.max(n, d.status?.replicas ?? 0), readyReplicas: n };
};
export const withProgressDeadlineExceeded: Opt<V1Deployment> = (d) => {
  d.status = {
    ...d.status,
    conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${d.metadata?.name}-abc" has timed out progressing.` }],
  };
};

/**
 * What the API server and the Deployment controller add to a Deployment they were sent: defaults of the
 * Deployment, pod and container, the revision annotation, and a status.
 */
export const withDeploymentDefaults: Opt<V1Deployment> = (d) => {
  d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, 'deployment.kubernetes.io/revision': '1' }, creationTimestamp: new Date(EARLIER) };
  const spec = d.spec!;
  spec.revisionHistoryLimit ??= 10;
  const pod = (spec.template.spec ??= { containers: [] });
  pod.restartPolicy ??= 'Always';
  pod.dnsPolicy ??= 'ClusterFirst';
  pod.schedulerName ??= 'default-scheduler';
  pod.securityContext ??= {};
  for (const c of pod.containers) {
    c.imagePullPolicy ??= 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.resources ??= {};
    if (c.readinessProbe) Object.assign(c.readinessProbe, { timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...c.readinessProbe });
  }
  d.status = { observedGeneration: d.metadata.generation ?? 1, replicas: spec.replicas ?? 0, ...d.status };
};

export const withPodLabels = (labels: Record<string, string>): Opt<V1Pod> => withLabels(labels);
/** The pod belongs to the Revision (the label the revision reconciler selects pods by). */
export const withRevisionUID = (uid: string): Opt<V1Pod> => withLabels({ [ServingLabels.revisionUID]: uid });
export const withPodImage = (image: string): Opt<V1Pod> => (p) => {
  const c = p.spec?.containers[0];
  if (c) c.image = image;
};
/** The container is waiting, e.g. ErrImagePull, CrashLoopBackOff, CreateContainerConfigError. */
export const withWaiting = (reason: string, message?: string): Opt<V1Pod> => (p) => {
  const cs = p.status?.containerStatuses?.[0];
  if (cs) cs.state = { waiting: { reason, ...(message ? { message } : {}) } };
};
/** The container's last run ended with `exitCode` (lastState.terminated). */
export const withLastTerminated = (exitCode: number, message?: string, reason = 'Error'): Opt<V1Pod> => (p) => {
  const cs = p.status?.containerStatuses?.[0];
  if (cs) cs.lastState = { terminated: { exitCode, reason, ...(message ? { message } : {}) } };
};
export const withUnschedulable = (message: string): Opt<V1Pod> => (p) => {
  const c: V1PodCondition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message };
  p.status = { ...p.status, phase: 'Pending', conditions: [c] };
  delete p.status.containerStatuses;
};

export const withPAActive = (status: ConditionStatus, reason?: string, message?: string): Opt<PodAutoscaler> =>
  withCondition(cond('Active', status, reason, message, { at: EARLIER, severity: 'Info' })) as Opt<PodAutoscaler>;

/**
 * A child object as the reconcilers make it (e.g. `makeConfiguration(svc)`), as the API server stored it:
 * uid `<kind>-<name>-uid`, generation 1, then `opts`.
 */
export function child<T extends KubernetesObject>(obj: T, ...opts: Array<Opt<T>>): T {
  const o = structuredClone(obj);
  const m = (o.metadata ??= {});
  m.uid ??= uidFor(o.kind ?? '', m.name ?? '');
  m.generation ??= 1;
  return apply(o, opts);
}
