// poolFit (pure): whether a warm pod of the pool can serve the Revision, and what /specialize is told.
import type { V1Container } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PodPool } from '../../api/kzero/v1alpha1/types.js';
import type { Revision } from '../../api/serving/v1/types.js';
import { POOL_IMAGE, podPool, revision, withAnnotations, withContainer, withContainerPort, withEnv, withImage, withLabels, withNamespace, type Opt } from '../../testing/builders.js';
import { poolFit, type PoolFit } from './fit.js';

const SHA = 'a'.repeat(64);
const URL = 'https://code.example/hello.tgz';
const poolBacked = withAnnotations({ 'kzero.dev/pool': 'node', 'kzero.dev/code': URL, 'kzero.dev/code-sha256': SHA });
const rev = (...opts: Array<Opt<Revision>>): Revision => revision('hello-00001', withNamespace('team'), poolBacked, withImage(POOL_IMAGE),
  withLabels({ 'serving.knative.dev/configuration': 'hello', 'serving.knative.dev/service': 'hello-svc' }), ...opts);
const pool = (...opts: Array<Opt<PodPool>>): PodPool => podPool('node', withNamespace('team'), ...opts);
const user = (c: Partial<V1Container>): Opt<Revision> => (r) => void Object.assign(r.spec.containers[0]!, c);
const runtime = (c: Partial<V1Container>): Opt<PodPool> => (p) => void Object.assign(p.spec.template.spec!.containers[0]!, c);
const miss = (reason: string): PoolFit => ({ ok: false, pool: 'node', reason });

describe('autoscaler/pool poolFit', () => {
  const cases: Array<{ name: string; rev: Revision; pool?: PodPool | undefined; want: PoolFit }> = [
    { name: 'no pool annotations: not pool-backed', rev: revision('hello-00001'), pool: pool(), want: { ok: false, pool: undefined, reason: 'not pool-backed' } },
    { name: 'a pool without the code sha: not pool-backed', rev: revision('hello-00001', withAnnotations({ 'kzero.dev/pool': 'node', 'kzero.dev/code': URL })), pool: pool(), want: { ok: false, pool: undefined, reason: 'not pool-backed' } },
    { name: 'the pool is missing', rev: rev(), pool: undefined, want: miss('PodPool "node" not found in namespace "team"') },
    { name: 'the pool is invalid', rev: rev(), pool: pool((p) => void (p.spec.minReady = -1)), want: miss('PodPool "node" is invalid: spec.minReady: must be an integer >= 0, got -1') },
    { name: 'more than one container', rev: rev(withContainer({ name: 'sidecar', image: 'envoy' })), want: miss('more than one container') },
    { name: 'the image differs', rev: rev(withImage('kzero/runtime:2')), want: miss('image kzero/runtime:2 is not the pool\'s kzero/runtime:1') },
    { name: 'command', rev: rev(user({ command: ['node'] })), want: miss('the container sets command or args') },
    { name: 'args', rev: rev(user({ args: ['server.js'] })), want: miss('the container sets command or args') },
    { name: 'empty command and args are no command', rev: rev(user({ command: [], args: [] })), want: { ok: true, pool: 'node', request: { revision: 'team/hello-00001', code: { url: URL, sha256: SHA }, env: { PORT: '8080', K_REVISION: 'hello-00001', K_CONFIGURATION: 'hello', K_SERVICE: 'hello-svc' } } } },
    { name: 'volume mounts', rev: rev(user({ volumeMounts: [{ name: 'v', mountPath: '/v' }] })), want: miss('the Revision mounts volumes') },
    { name: 'volumes', rev: rev((r) => void (r.spec.volumes = [{ name: 'v', emptyDir: {} }])), want: miss('the Revision mounts volumes') },
    { name: 'env valueFrom', rev: rev(user({ env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }] })), want: miss('env from ConfigMaps, Secrets or fields') },
    { name: 'envFrom', rev: rev(user({ envFrom: [{ configMapRef: { name: 'cfg' } }] })), want: miss('env from ConfigMaps, Secrets or fields') },
    { name: 'the port differs from the pool\'s default', rev: rev(withContainerPort(9000)), want: miss('port 9000 is not the pool\'s 8080') },
    { name: 'the port differs from the pool\'s own', rev: rev(), pool: pool(runtime({ ports: [{ containerPort: 3000 }] })), want: miss('port 8080 is not the pool\'s 3000') },
    { name: 'a request over the pool\'s', rev: rev(user({ resources: { requests: { cpu: '200m' } } })), want: miss('resources.requests.cpu 200m exceeds the pool\'s 100m') },
    { name: 'memory over the pool\'s, in other units', rev: rev(user({ resources: { requests: { memory: '0.5Gi' } } })), want: miss('resources.requests.memory 0.5Gi exceeds the pool\'s 128Mi') },
    { name: 'a request the pool does not set', rev: rev(user({ resources: { requests: { 'ephemeral-storage': '1Gi' } } })), want: miss('resources.requests.ephemeral-storage 1Gi exceeds the pool\'s (unset)') },
    { name: 'a limit the pool does not set', rev: rev(user({ resources: { limits: { cpu: '1' } } })), want: miss('resources.limits.cpu 1 exceeds the pool\'s (unset)') },
    { name: 'a limit over the pool\'s', rev: rev(user({ resources: { limits: { memory: '2Gi' } } })), pool: pool(runtime({ resources: { limits: { memory: '1Gi' } } })), want: miss('resources.limits.memory 2Gi exceeds the pool\'s 1Gi') },
  ];
  for (const c of cases) it(`miss: ${c.name}`, () => expect(poolFit(c.rev, 'pool' in c ? c.pool : pool())).to.deep.equal(c.want));

  const fits: Array<{ name: string; want: Partial<V1Container>; have: Partial<V1Container> }> = [
    { name: '500m <= 1', want: { resources: { requests: { cpu: '500m' } } }, have: { resources: { requests: { cpu: '1' } } } },
    { name: 'equal quantities in other units (1 = 1000m, 1Gi = 1024Mi)', want: { resources: { requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1' } } }, have: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m' } } } },
    { name: '1G <= 1Gi', want: { resources: { limits: { memory: '1G' } } }, have: { resources: { limits: { memory: '1Gi' } } } },
    { name: 'the pool may set more than the Revision asks', want: {}, have: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2' } } } },
  ];
  for (const f of fits) {
    it(`resources fit: ${f.name}`, () => expect(poolFit(rev(user(f.want)), pool(runtime(f.have))).ok).to.equal(true));
  }

  it('ok: the SpecializeRequest has the revision, the code, literal env and the serving env (PORT wins over the user\'s)', () => {
    const r = rev(withEnv('TARGET', 'world'), withEnv('EMPTY', ''), withEnv('PORT', '1'), withContainerPort(3000));
    expect(poolFit(r, pool(runtime({ ports: [{ containerPort: 3000 }] })))).to.deep.equal({
      ok: true,
      pool: 'node',
      request: {
        revision: 'team/hello-00001',
        code: { url: URL, sha256: SHA },
        env: { TARGET: 'world', EMPTY: '', PORT: '3000', K_REVISION: 'hello-00001', K_CONFIGURATION: 'hello', K_SERVICE: 'hello-svc' },
      },
    });
  });

  it('ok without service labels: K_CONFIGURATION and K_SERVICE are empty', () => {
    const r = revision('bare-00001', withNamespace('team'), poolBacked, withImage(POOL_IMAGE));
    const fit = poolFit(r, pool());
    expect(fit.ok && fit.request.env).to.deep.equal({ PORT: '8080', K_REVISION: 'bare-00001', K_CONFIGURATION: '', K_SERVICE: '' });
  });
});
