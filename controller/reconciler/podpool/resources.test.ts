// A PodPool's desired child (pure): its warm Deployment, whose runtimes get public keys and their identity, no secret.
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PodPool } from '../../../api/kzero/v1alpha1/types.js';
import { POOL_IMAGE, podPool, withNamespace, withShard, type Opt } from '../../../testing/builders.js';
import { makePoolDeployment } from './resources.js';

const OWNER = { apiVersion: 'kzero.dev/v1alpha1', kind: 'PodPool', name: 'node', uid: 'podpool-node-uid', controller: true, blockOwnerDeletion: true };
const runtime = (p: PodPool): V1Container => p.spec.template.spec!.containers[0]!;
const withRuntime = (c: Partial<V1Container>): Opt<PodPool> => (p) => void Object.assign(runtime(p), c);
const container0 = (d: V1Deployment): V1Container => d.spec!.template.spec!.containers[0]!;
const KEYS = 'MCowBQYDK2VwAyEAkey1,MCowBQYDK2VwAyEAkey2';
/** What the runtime checks a /specialize signature against (runtime/config.ts), after PORT and KZERO_POOL. */
const IDENTITY_ENV = [
  { name: 'KZERO_POOL_UID', value: 'podpool-node-uid' },
  { name: 'KZERO_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'KZERO_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  { name: 'KZERO_POOL_PUBLIC_KEYS', value: KEYS },
];
const runtimeEnv = (ns: string, port = '8080'): V1Container['env'] => [
  { name: 'PORT', value: port }, { name: 'KZERO_POOL', value: 'node' }, ...IDENTITY_ENV,
  { name: 'KZERO_ADMIN_PORT', value: '8079' }, { name: 'KZERO_CODE_CACHE', value: `/tmp/kzero-code-cache/${ns}` },
];

describe('controller/podpool resources', () => {
  describe('makePoolDeployment', () => {
    it('the whole Deployment: selector on pool + warm, shard in labels, runtime env, ports, probe, owner', () => {
      const pool = podPool('node', withNamespace('team'), withShard('shard-2'), (p) => void (p.spec.template.metadata = { labels: { app: 'node-runtime' }, annotations: { a: 'b' } }));
      const labels = { 'kzero.dev/shard': 'shard-2', 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm' };
      expect(makePoolDeployment(pool, 4, KEYS)).to.deep.equal({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'node-podpool', namespace: 'team', labels, ownerReferences: [OWNER] },
        spec: {
          replicas: 4,
          selector: { matchLabels: { 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm' } },
          template: {
            metadata: { labels: { app: 'node-runtime', ...labels }, annotations: { a: 'b' } },
            spec: {
              containers: [{
                name: 'runtime',
                image: POOL_IMAGE,
                resources: { requests: { cpu: '100m', memory: '128Mi' } },
                ports: [{ name: 'user-port', containerPort: 8080, protocol: 'TCP' }, { name: 'kzero-admin', containerPort: 8079, protocol: 'TCP' }],
                env: runtimeEnv('team'),
                readinessProbe: { httpGet: { path: '/healthz', port: 8079 }, periodSeconds: 1 },
              }],
              enableServiceLinks: false,
            },
          },
        },
      });
    });

    it('without a shard there is no shard label; the selector still matches the template', () => {
      const d = makePoolDeployment(podPool('node'), 1, KEYS);
      const want = { 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm' };
      expect([d.metadata?.labels, d.spec?.selector.matchLabels, d.spec?.template.metadata?.labels]).to.deep.equal([want, want, want]);
    });

    it('template labels cannot override the pool and state labels', () => {
      const d = makePoolDeployment(podPool('node', (p) => void (p.spec.template.metadata = { labels: { 'kzero.dev/pool': 'other', 'kzero.dev/pool-state': 'claimed' } })), 1, KEYS);
      expect(d.spec?.template.metadata?.labels).to.deep.equal({ 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm' });
    });

    const envCases: Array<{ name: string; env: V1Container['env']; want: V1Container['env'] }> = [
      {
        name: 'user env comes first; reserved names are dropped (the pool\'s values win)',
        env: [{ name: 'NODE_ENV', value: 'production' }, { name: 'PORT', value: '1' }, { name: 'KZERO_POOL', value: 'x' }, { name: 'KZERO_ADMIN_PORT', value: '2' }, { name: 'LOG', value: 'debug' }],
        want: [{ name: 'NODE_ENV', value: 'production' }, { name: 'LOG', value: 'debug' }, ...runtimeEnv('default')!],
      },
      {
        name: 'a template cannot set its own keys, pool UID or pod name (its values are dropped)',
        env: [{ name: 'KZERO_POOL_PUBLIC_KEYS', value: 'MCowBQYDK2VwAyEAmine' }, { name: 'KZERO_POOL_UID', value: 'other-uid' }, { name: 'KZERO_POD_NAME', value: 'other-pod' }, { name: 'KZERO_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        want: runtimeEnv('default'),
      },
      {
        name: 'user env from a Secret is kept as is',
        env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }],
        want: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }, ...runtimeEnv('default')!],
      },
    ];
    for (const c of envCases) it(`env: ${c.name}`, () => expect(container0(makePoolDeployment(podPool('node', withRuntime({ env: c.env })), 1, KEYS)).env).to.deep.equal(c.want));

    it('no env of the runtime comes from a Secret: the pool template holds nothing secret', () => {
      const env = container0(makePoolDeployment(podPool('node'), 1, KEYS)).env ?? [];
      expect(env.filter((e) => e.valueFrom?.secretKeyRef !== undefined)).to.deep.equal([]);
    });

    it('a recreated pool (new UID) names its new UID: signatures for the old pool\'s pods are no good for its pods', () => {
      const env = container0(makePoolDeployment(podPool('node', (p) => void (p.metadata.uid = 'uid-2')), 1, KEYS)).env;
      expect(env?.find((e) => e.name === 'KZERO_POOL_UID')).to.deep.equal({ name: 'KZERO_POOL_UID', value: 'uid-2' });
    });

    it('the container\'s port is the serving port (PORT and user-port); the admin port is added', () => {
      const c = container0(makePoolDeployment(podPool('node', withRuntime({ ports: [{ containerPort: 9000, name: 'http' }, { containerPort: 9001 }] })), 1, KEYS));
      expect([c.ports, c.env?.find((e) => e.name === 'PORT')]).to.deep.equal([
        [{ name: 'user-port', containerPort: 9000, protocol: 'TCP' }, { name: 'kzero-admin', containerPort: 8079, protocol: 'TCP' }],
        { name: 'PORT', value: '9000' },
      ]);
    });

    it('a readiness probe of the pool\'s own is kept', () => {
      const probe = { tcpSocket: { port: 8080 }, periodSeconds: 5 };
      expect(container0(makePoolDeployment(podPool('node', withRuntime({ readinessProbe: probe })), 1, KEYS)).readinessProbe).to.deep.equal(probe);
    });

    it('enableServiceLinks of the template is kept', () => {
      expect(makePoolDeployment(podPool('node', (p) => void (p.spec.template.spec!.enableServiceLinks = true)), 1, KEYS).spec?.template.spec?.enableServiceLinks).to.equal(true);
    });

    it('the pool is not changed', () => {
      const pool = podPool('node', withRuntime({ env: [{ name: 'PORT', value: '1' }] }));
      const before = structuredClone(pool);
      makePoolDeployment(pool, 3, KEYS);
      expect(pool).to.deep.equal(before);
    });
  });
});
