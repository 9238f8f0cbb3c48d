import type { V1Container, V1Deployment, V1EnvVar, V1PodSpec } from '@kubernetes/client-node';
import { KZERO_API_VERSION, type PodAutoscaler } from '../../../api/kzero/v1alpha1/types.js';
import { poolCode } from '../../../api/kzero/v1alpha1/pool.js';
import { KzeroLabels, ServingAnnotations, ServingLabels } from '../../../api/serving/labels.js';
import { servingContainerIndex, servingEnv, userPort } from '../../../api/serving/v1/serving-container.js';
import { SERVING_API_VERSION, type Revision } from '../../../api/serving/v1/types.js';
import { inheritedAnnotations, ownerRef } from '../meta.js';
import { codeCacheDir } from '../podpool/resources.js';
import { deploymentName, podAutoscalerName } from '../names.js';
import { jsonCopy } from '../../../lib/json.js';

// A Revision's desired Deployment and PodAutoscaler (pure), as Knative's revision/resources.

const AUTOSCALING_PREFIX = 'autoscaling.knative.dev/';

export interface DeploymentOptions {
  replicas: number;
  progressDeadlineSeconds: number;
}

// Routing bookkeeping on a Revision changes when traffic moves; on a pod template it would restart pods.
const ROUTING_LABELS = [ServingLabels.route, ServingLabels.routingState];
const ROUTING_ANNOTATIONS = [ServingAnnotations.routes, ServingAnnotations.routingStateModified, ServingAnnotations.lastPinned];

const without = (m: Record<string, string>, keys: readonly string[]): Record<string, string> =>
  Object.fromEntries(Object.entries(m).filter(([k]) => !keys.includes(k)));

/** Labels every child of the Revision (and its pods) carries; the selector uses the Revision's UID. */
export function revisionChildLabels(rev: Revision): Record<string, string> {
  return { ...without(rev.metadata.labels ?? {}, ROUTING_LABELS), [ServingLabels.revision]: rev.metadata.name ?? '', [ServingLabels.revisionUID]: rev.metadata.uid ?? '', app: rev.metadata.name ?? '' };
}

function servingContainer(rev: Revision, c: V1Container): V1Container {
  const port = userPort(rev);
  const code = poolCode(rev);
  const env: V1EnvVar[] = [
    ...(c.env ?? []),
    ...servingEnv(rev),
    // Without a warm pod, the same runtime image loads the code package itself at start.
    ...(code ? [{ name: 'KZERO_CODE_URL', value: code.url }, { name: 'KZERO_CODE_SHA256', value: code.sha256 }, { name: 'KZERO_CODE_CACHE', value: codeCacheDir(rev.metadata.namespace ?? '') }] : []),
  ];
  const probe = c.readinessProbe ?? {};
  const handled = probe.httpGet || probe.exec || probe.grpc;
  // Knative's default readiness is a TCP check of the user port; a probe without a port gets the user port.
  const readinessProbe = handled
    ? { ...probe, ...(probe.httpGet ? { httpGet: { ...probe.httpGet, port: probe.httpGet.port || port } } : {}) }
    : { ...probe, tcpSocket: { ...(probe.tcpSocket ?? {}), port: probe.tcpSocket?.port || port }, periodSeconds: probe.periodSeconds || 1 };
  return {
    ...c,
    ports: [{ name: c.ports?.[0]?.name || 'user-port', containerPort: port, protocol: 'TCP' }],
    env,
    readinessProbe,
    terminationMessagePolicy: c.terminationMessagePolicy ?? 'FallbackToLogsOnError',
  };
}

export function makePodSpec(rev: Revision): V1PodSpec {
  const { containerConcurrency: _cc, timeoutSeconds, responseStartTimeoutSeconds: _rs, idleTimeoutSeconds: _it, ...pod } = jsonCopy(rev.spec);
  const serving = servingContainerIndex(rev.spec);
  return {
    ...pod,
    containers: pod.containers.map((c, i) => (i === serving ? servingContainer(rev, c) : c)),
    enableServiceLinks: pod.enableServiceLinks ?? false,
    // A request may run for the revision's whole timeout: let it finish before the pod is killed.
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? timeoutSeconds ?? 300,
  };
}

export function makeDeployment(rev: Revision, opts: DeploymentOptions): V1Deployment {
  const labels = revisionChildLabels(rev);
  const annotations = without(inheritedAnnotations(rev.metadata), ROUTING_ANNOTATIONS);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(rev),
      namespace: rev.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [ownerRef(SERVING_API_VERSION, 'Revision', rev.metadata)],
    },
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: { [ServingLabels.revisionUID]: rev.metadata.uid ?? '' } },
      progressDeadlineSeconds: opts.progressDeadlineSeconds,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      // A pool-backed Revision's own pods carry the pool's label: each is a cold start the pool missed.
      template: { metadata: { labels: withPoolLabel(rev, labels), annotations }, spec: makePodSpec(rev) },
    },
  };
}

function withPoolLabel(rev: Revision, labels: Record<string, string>): Record<string, string> {
  const code = poolCode(rev);
  return code ? { ...labels, [KzeroLabels.pool]: code.pool } : labels;
}

export function makePodAutoscaler(rev: Revision): PodAutoscaler {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rev.metadata.annotations ?? {})) if (k.startsWith(AUTOSCALING_PREFIX)) annotations[k] = v;
  return {
    apiVersion: KZERO_API_VERSION,
    kind: 'PodAutoscaler',
    metadata: {
      name: podAutoscalerName(rev),
      namespace: rev.metadata.namespace,
      labels: revisionChildLabels(rev),
      annotations,
      ownerReferences: [ownerRef(SERVING_API_VERSION, 'Revision', rev.metadata)],
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(rev) },
      containerConcurrency: rev.spec.containerConcurrency ?? 0,
      protocolType: 'http1',
      reachability: rev.metadata.labels?.[ServingLabels.routingState] === 'reserve' ? 'Unreachable' : 'Reachable',
    },
  };
}
