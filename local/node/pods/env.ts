import type { V1ConfigMap, V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';
import { resourceValue } from '../../../lib/quantity.js';

// A container's environment, as the kubelet builds it: the image's env, service env for the API server,
// envFrom, then env (later wins), with `$(VAR)` references expanded and valueFrom resolved.

/** Kubernetes calls a container that cannot be configured CreateContainerConfigError; its message is the cause. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

/** Where valueFrom and envFrom read from: the pod's namespace's ConfigMaps and Secrets. */
export interface EnvSources {
  configMap(name: string): Promise<V1ConfigMap | undefined>;
  secret(name: string): Promise<V1Secret | undefined>;
}

export interface PodFacts {
  podIp: string;
  hostIp: string;
  /** KUBERNETES_SERVICE_HOST/PORT: how pods reach the API server. */
  apiserverHost: string;
  apiserverPort: number;
  /** The node's allocatable resources (cpu, memory), for resourceFieldRef limits the container does not set. */
  allocatable: Record<string, string>;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function containerEnv(pod: V1Pod, container: V1Container, imageEnv: Record<string, string>, facts: PodFacts, sources: EnvSources): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    PATH: DEFAULT_PATH,
    HOSTNAME: pod.metadata?.name ?? '',
    ...imageEnv,
    KUBERNETES_SERVICE_HOST: facts.apiserverHost,
    KUBERNETES_SERVICE_PORT: String(facts.apiserverPort),
    KUBERNETES_SERVICE_PORT_HTTPS: String(facts.apiserverPort),
  };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await sources.configMap(from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env[prefix + k] = v;
    }
    if (from.secretRef) {
      const s = await sources.secret(from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) env[prefix + k] = Buffer.from(v, 'base64').toString();
    }
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom) {
      const value = await valueFrom(pod, container, e.name, e.valueFrom, facts, sources);
      if (value !== undefined) env[e.name] = value;
    } else {
      env[e.name] = expand(e.value ?? '', env);
    }
  }
  return env;
}

type ValueFrom = NonNullable<NonNullable<V1Container['env']>[number]['valueFrom']>;

async function valueFrom(pod: V1Pod, container: V1Container, name: string, from: ValueFrom, facts: PodFacts, sources: EnvSources): Promise<string | undefined> {
  if (from.fieldRef) return fieldRef(pod, from.fieldRef.fieldPath, facts, name);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = await sources.configMap(ref.name ?? '');
    const value = cm?.data?.[ref.key];
    if (value !== undefined) return value;
    if (ref.optional) return undefined;
    throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${pod.metadata?.namespace}/${ref.name}` : `configmap "${ref.name}" not found`);
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const s = await sources.secret(ref.name ?? '');
    const value = s?.data?.[ref.key];
    if (value !== undefined) return Buffer.from(value, 'base64').toString();
    if (ref.optional) return undefined;
    throw new ContainerConfigError(s ? `couldn't find key ${ref.key} in Secret ${pod.metadata?.namespace}/${ref.name}` : `secret "${ref.name}" not found`);
  }
  if (from.resourceFieldRef) {
    const r = from.resourceFieldRef;
    const [kind, resource = ''] = r.resource.split('.');
    const spec = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
    // An unset limit defaults to what the node can give, as with the kubelet; an unset request to 0.
    const fallback = kind === 'limits' ? facts.allocatable[resource] : undefined;
    const quantity = spec?.[resource] ?? fallback ?? '0';
    try {
      return resourceValue(String(quantity), r.divisor === undefined ? undefined : String(r.divisor));
    } catch (err) {
      throw new ContainerConfigError(`env ${name}: resourceFieldRef ${r.resource}: ${(err as Error).message}`);
    }
  }
  throw new ContainerConfigError(`env ${name}: valueFrom needs fieldRef, configMapKeyRef, secretKeyRef or resourceFieldRef`);
}

/** The downward API's field paths (the ones the kubelet supports for env). */
export function fieldRef(pod: V1Pod, path: string, facts: PodFacts, envName: string): string {
  const m = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? m.labels : m.annotations)?.[keyed[2] ?? ''] ?? '';
  switch (path) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': return facts.podIp;
    case 'status.podIPs': return facts.podIp;
    case 'status.hostIP': return facts.hostIp;
    default: throw new ContainerConfigError(`env ${envName}: unsupported fieldRef ${JSON.stringify(path)}`);
  }
}

/** Expands `$(VAR)` from `env`; `$$(VAR)` escapes; unknown references stay as written (Kubernetes' rules). */
export function expand(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && Object.hasOwn(env, name) ? env[name]! : match;
  });
}
