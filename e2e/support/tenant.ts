import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { Route, Service } from '../../api/serving/v1/types.js';
import { KubeRest, type ResourceClient } from '../../lib/kube/rest.js';
import { Resources } from '../../lib/kube/resources.js';
import { core, kc, kubectl, waitForValue } from './cluster.js';

// A tenant as the threat model has it: a ServiceAccount bound to the built-in `edit` ClusterRole in one
// namespace, calling the API server with its own token.

export interface Tenant {
  /** The user name the API server knows it by (for `kubectl --as`). */
  user: string;
  services: ResourceClient<Service>;
  routes: ResourceClient<Route>;
  close(): Promise<void>;
}

/** Creates ServiceAccount `name` in `namespace`, binds it to `edit` there, and returns clients that use its token. */
export async function namespaceEditor(namespace: string, name = 'tenant'): Promise<Tenant> {
  await kubectl(['create', 'serviceaccount', name, '-n', namespace]);
  await kubectl(['create', 'rolebinding', `${name}-edit`, '--clusterrole=edit', `--serviceaccount=${namespace}:${name}`, '-n', namespace]);
  // Kubernetes 1.20 gives each ServiceAccount a token Secret.
  const token = await waitForValue(`the token of ${namespace}/${name}`, async () => {
    const sa = await core.readNamespacedServiceAccount({ name, namespace }).catch(() => undefined);
    const secret = sa?.secrets?.[0]?.name;
    const s: V1Secret | undefined = secret ? await core.readNamespacedSecret({ name: secret, namespace }).catch(() => undefined) : undefined;
    return s?.data?.token ? Buffer.from(s.data.token, 'base64').toString('utf8') : undefined;
  }, 30_000);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('namespaceEditor: the kubeconfig has no current cluster');
  const own = new KubeConfig();
  own.loadFromOptions({
    clusters: [cluster], users: [{ name, token }], contexts: [{ name, cluster: cluster.name, user: name }], currentContext: name,
  });
  const rest = await KubeRest.fromKubeConfig(own, 4);
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    services: rest.resource<Service>(Resources.service),
    routes: rest.resource<Route>(Resources.route),
    close: () => rest.close(),
  };
}
