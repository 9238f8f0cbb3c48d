import type { V1Container, V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { RUNTIME_ADMIN_PORT, poolServingPort } from '../../../api/kzero/v1alpha1/pool.js';
import { KZERO_API_VERSION, type PodPool } from '../../../api/kzero/v1alpha1/types.js';
import { KzeroLabels, PoolStates } from '../../../api/serving/labels.js';
import { ownerRef, shardLabel } from '../meta.js';

// A PodPool's desired child (pure): the Deployment that keeps its warm pods. Its runtimes get no secret: they
// check the autoscalers' signature on /specialize with public keys, against their own pool and pod name
// (lib/specialize-signature.ts), so nothing a pod's env holds is good for another pod.

/**
 * Where the runtimes keep code packages by sha256: per namespace, so tenants never share entries. On the
 * process node pods share the host's /tmp; in a container it is the pod's own unless a volume is mounted.
 */
export const codeCacheDir = (namespace: string): string => `/tmp/kzero-code-cache/${namespace}`;

export const poolDeploymentName = (pool: PodPool): string => `${pool.metadata.name}-podpool`;

/** The labels that select a pool's warm pods: claiming a pod changes the state, and its ReplicaSet lets it go and starts another. */
export function warmSelector(pool: PodPool): Record<string, string> {
  return { [KzeroLabels.pool]: pool.metadata.name ?? '', [KzeroLabels.poolState]: PoolStates.warm };
}

/** The env kzero sets on a pool's runtime (runtime/config.ts); a template's own values of these are dropped. */
function runtimeEnv(pool: PodPool, port: number, publicKeys: string): V1EnvVar[] {
  return [
    { name: 'PORT', value: String(port) },
    { name: 'KZERO_POOL', value: pool.metadata.name ?? '' },
    { name: 'KZERO_POOL_UID', value: pool.metadata.uid ?? '' },
    { name: 'KZERO_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'KZERO_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'KZERO_POOL_PUBLIC_KEYS', value: publicKeys },
    { name: 'KZERO_ADMIN_PORT', value: String(RUNTIME_ADMIN_PORT) },
    { name: 'KZERO_CODE_CACHE', value: codeCacheDir(pool.metadata.namespace ?? '') },
  ];
}

function runtimeContainer(pool: PodPool, c: V1Container, publicKeys: string): V1Container {
  const port = poolServingPort(pool);
  const ours = runtimeEnv(pool, port, publicKeys);
  const reserved = new Set(ours.map((e) => e.name));
  const env: V1EnvVar[] = [...(c.env ?? []).filter((e) => !reserved.has(e.name)), ...ours];
  return {
    ...c,
    ports: [{ name: 'user-port', containerPort: port, protocol: 'TCP' }, { name: 'kzero-admin', containerPort: RUNTIME_ADMIN_PORT, protocol: 'TCP' }],
    env,
    // Ready while waiting: the runtime's own health, not the app's (there is none yet).
    readinessProbe: c.readinessProbe ?? { httpGet: { path: '/healthz', port: RUNTIME_ADMIN_PORT }, periodSeconds: 1 },
  };
}

/** `publicKeys`: the autoscalers' public keys, as KZERO_POOL_PUBLIC_KEYS takes them (a comma list). */
export function makePoolDeployment(pool: PodPool, replicas: number, publicKeys: string): V1Deployment {
  const selector = warmSelector(pool);
  const labels = { ...shardLabel(pool.metadata), ...selector };
  const template = pool.spec.template;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: poolDeploymentName(pool),
      namespace: pool.metadata.namespace,
      labels,
      ownerReferences: [ownerRef(KZERO_API_VERSION, 'PodPool', pool.metadata)],
    },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } },
        spec: {
          ...template.spec!,
          containers: template.spec!.containers.map((c) => runtimeContainer(pool, c, publicKeys)),
          enableServiceLinks: template.spec?.enableServiceLinks ?? false,
        },
      },
    },
  };
}
