import type { Configuration, Revision, Route, Service } from '../../api/serving/v1/types.js';
import { findCondition } from '../../api/conditions.js';
import { KzeroLabels } from '../../api/serving/labels.js';
import { KubeRest } from '../../lib/kube/rest.js';
import { Resources } from '../../lib/kube/resources.js';
import { kc, waitForValue } from './cluster.js';

// Typed access to the serving.knative.dev objects for e2e assertions.

const rest = await KubeRest.fromKubeConfig(kc);
export const serving = {
  service: rest.resource<Service>(Resources.service),
  configuration: rest.resource<Configuration>(Resources.configuration),
  revision: rest.resource<Revision>(Resources.revision),
  route: rest.resource<Route>(Resources.route),
};

type Obj = Service | Configuration | Revision | Route;

export const readyStatus = (o: Obj | undefined): string | undefined => findCondition(o?.status, 'Ready')?.status;

/** Waits until `get` returns an object whose status reflects its latest spec and whose Ready is `want`. */
export function waitForReady<T extends Obj>(what: string, get: () => Promise<T>, want: 'True' | 'False' = 'True', timeoutMs = 90_000): Promise<T> {
  return waitForValue(`${what} Ready=${want}`, async () => {
    const o = await get();
    return o.status?.observedGeneration === o.metadata.generation && readyStatus(o) === want ? o : undefined;
  }, timeoutMs, 200);
}

export const getService = (ns: string, name: string): Promise<Service> => serving.service.get(ns, name);

/**
 * A helloworld Service `ns/name` answering "Hello <target>!"; `metadata` and `spec` are extra YAML lines
 * under those keys, indented two spaces (labels, traffic).
 */
export const helloService = (ns: string, name: string, target: string, extra: { metadata?: string; spec?: string } = {}): string => `
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
${extra.metadata ?? ''}
spec:
  template:
    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go:latest
          env:
            - name: TARGET
              value: "${target}"
${extra.spec ?? ''}`;

/** A helloworld Service manifest with its shard label set (for suites that run their own shard controllers). */
export const shardedService = (ns: string, name: string, shard: string): string => `
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
  labels: { ${KzeroLabels.shard}: ${shard} }
spec:
  template:
    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go
`;
