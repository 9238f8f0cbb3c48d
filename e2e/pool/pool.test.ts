import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { request } from 'undici';
import type { PodPool } from '../../api/kzero/v1alpha1/types.js';
import { KubeRest } from '../../lib/kube/rest.js';
import { ACTIVATOR_ADMIN_PORT } from '../../local/controlplane/kzero.js';
import { KzeroKeyFiles } from '../../local/pki/certs.js';
import { Resources } from '../../lib/kube/resources.js';
import { viaActivator } from '../support/activator.js';
import { config, kc, kubectl, kubectlFails, listPods, testNamespace, waitForValue } from '../support/cluster.js';
import { ShardAutoscaler } from '../support/controllers.js';
import { claimedPods, CodeServer, helloFunction, podPool, poolService, warmPods } from '../support/pool.js';
import { serving, waitForReady } from '../support/serving.js';

// The prewarmed pool on the local cluster: cold starts claim warm pods, the pool refills, an empty pool
// falls back to the Deployment path, claimers never share a pod, and a bad code package fails fast.

const rest = await KubeRest.fromKubeConfig(kc);
const pools = rest.resource<PodPool>(Resources.podPool);


async function waitWarm(ns: string, pool: string, n: number): Promise<V1Pod[]> {
  return waitForValue(`${n} warm pods in pool ${pool}`, async () => {
    const pods = await warmPods(ns, pool);
    return pods.length >= n ? pods : undefined;
  }, 60_000, 200);
}

describe('prewarmed pool', function () {
  const code = new CodeServer();
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => {
    await code.start();
    ns = await testNamespace('e2e-pool');
  });
  after(async () => {
    await ns?.cleanup();
    await code.stop();
  });

  it('rejects a PodPool that is not one runtime container, naming the field', async () => {
    const bad = JSON.parse(podPool(ns.name, 'two', { minReady: 1 })) as { spec: { template: { spec: { containers: unknown[] } } } };
    bad.spec.template.spec.containers.push({ name: 'sidecar', image: 'docker.io/library/busybox' });
    const err = await kubectlFails(['apply', '-f', '-'], JSON.stringify(bad));
    expect(err).to.contain('spec.template.spec.containers: want exactly one container (the runtime), got 2');
  });

  it('serves a pool-backed Service\'s first request from a claimed warm pod, and the pool refills', async () => {
    const pkg = code.add('hello', helloFunction);
    await kubectl(['apply', '-f', '-'], podPool(ns.name, 'warm', { minReady: 2 }));
    const before = new Set((await waitWarm(ns.name, 'warm', 2)).map((p) => p.metadata?.name));
    await kubectl(['apply', '-f', '-'], poolService(ns.name, 'fn', 'warm', pkg, { GREETING: 'from the pool' }));
    await waitForReady('Service fn', () => serving.service.get(ns.name, 'fn'));
    expect(await listPods(ns.name, 'serving.knative.dev/service=fn'), 'no pod before the first request').to.deep.equal([]);

    const first = await viaActivator(`fn.${ns.name}.localhost`);
    expect(first.status, first.body).to.equal(200);
    const body = JSON.parse(first.body) as { revision: string; pod: string; greeting: string };
    expect(body).to.include({ revision: 'fn-00001', greeting: 'from the pool' });
    expect(before.has(body.pod), `${body.pod} was one of the warm pods ${[...before].join(', ')}`).to.equal(true);

    const claimed = await claimedPods(ns.name, 'fn-00001');
    expect(claimed.map((p) => [p.metadata?.name, p.metadata?.labels?.['kzero.dev/pool-state'], p.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}`)]))
      .to.deep.equal([[body.pod, 'claimed', ['Revision/fn-00001']]]);
    // The Deployment was never scaled: the claimed pod is the revision's only pod.
    const dep = await kubectl(['get', 'deployment', 'fn-00001-deployment', '-n', ns.name, '-o', 'jsonpath={.spec.replicas}']);
    expect(dep).to.equal('0');

    const refilled = await waitWarm(ns.name, 'warm', 2);
    expect(refilled.map((p) => p.metadata?.name)).to.not.include(body.pod);
    // The activator counted it as a cold start on the pool path.
    const metrics = await (await request(`http://127.0.0.1:${ACTIVATOR_ADMIN_PORT}/metrics`)).body.text();
    const poolColdStarts = /^kzero_activator_cold_start_seconds_count\{path="pool"\} (\d+)$/m.exec(metrics);
    expect(Number(poolColdStarts?.[1] ?? 0), 'kzero_activator_cold_start_seconds_count{path="pool"}').to.be.at.least(1);
    const status = await waitForValue('pool status shows the claim', async () => {
      const pool = await pools.get(ns.name, 'warm');
      return (pool.status?.claimedLastMinute ?? 0) >= 1 && pool.status?.readyReplicas === 2 ? pool.status : undefined;
    }, 30_000, 200);
    expect(status.missedLastMinute).to.equal(0);
  });

  it('a burst of cold starts across 20 Services drains the pool; the rest take the Deployment path, zero errors', async () => {
    const pkg = code.add('burst', helloFunction);
    await kubectl(['apply', '-f', '-'], podPool(ns.name, 'small', { minReady: 5, maxReady: 5 }));
    await waitWarm(ns.name, 'small', 5);
    const names = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: names.map((n) => JSON.parse(poolService(ns.name, n, 'small', pkg))) }));
    for (const n of names) await waitForReady(`Service ${n}`, () => serving.service.get(ns.name, n));

    const answers = await Promise.all(names.map((n) => viaActivator(`${n}.${ns.name}.localhost`)));
    expect(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body}`), 'errors').to.deep.equal([]);
    const pods = answers.map((a) => (JSON.parse(a.body) as { pod: string }).pod);
    const fromPool = pods.filter((p) => p.startsWith('small-podpool-'));
    const fromDeployment = pods.filter((p) => /^burst-\d+-00001-deployment-/.test(p));
    expect(fromPool.length + fromDeployment.length, pods.join(', ')).to.equal(20);
    expect(fromPool.length, 'served by warm pods').to.be.within(5, 12);
    expect(fromDeployment.length, 'served through the Deployment path').to.be.at.least(8);
    expect(new Set(fromPool).size, 'no warm pod served two Services').to.equal(fromPool.length);
    const pool = await waitForValue('pool status counts the misses', async () => {
      const p = await pools.get(ns.name, 'small');
      return (p.status?.missedLastMinute ?? 0) >= fromDeployment.length ? p : undefined;
    }, 30_000, 200);
    expect(pool.status?.claimedLastMinute).to.equal(fromPool.length);
  });

  it('two autoscaler replicas claiming at once never share a pod', async () => {
    const pkg = code.add('race', helloFunction);
    await kubectl(['apply', '-f', '-'], podPool(ns.name, 'race', { minReady: 6, maxReady: 6 }));
    await waitWarm(ns.name, 'race', 6);
    const names = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: names.map((n) => JSON.parse(poolService(ns.name, n, 'race', pkg))) }));
    for (const n of names) await waitForReady(`Service ${n}`, () => serving.service.get(ns.name, n));

    const second = new ShardAutoscaler('0', `${config.bridgeIp}:18099`);
    try {
      const token = readFileSync(join(config.dirs.pki, KzeroKeyFiles.autoscalerToken), 'utf8').trim();
      await waitForValue('second autoscaler up', async () => (await request(`http://${config.bridgeIp}:18099/healthz`).then((r) => r.statusCode, () => 0)) === 200 || undefined, 30_000, 100);
      const poke = async (port: number, revision: string): Promise<string[]> => {
        const res = await request(`http://${config.bridgeIp}:${port}/poke`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ namespace: ns.name, revision }),
        });
        const text = await res.body.text();
        expect(res.statusCode, text).to.equal(200);
        return (JSON.parse(text) as { pods: Array<{ name: string }> }).pods.map((p) => p.name);
      };
      // Both replicas poke every revision at the same moment: 16 claims race for 6 warm pods.
      const got = await Promise.all(names.flatMap((n) => [poke(8099, `${n}-00001`), poke(18099, `${n}-00001`)]));
      const claimedNames = got.flat();
      expect(claimedNames.length, 'claims that succeeded').to.be.within(1, 6);
      expect(new Set(claimedNames).size, `a pod was claimed twice: ${claimedNames.join(', ')}`).to.equal(claimedNames.length);
      // In the API too: each claimed pod belongs to exactly one Revision.
      const claimed = await listPods(ns.name, 'kzero.dev/pool=race,kzero.dev/pool-state=claimed');
      for (const p of claimed) {
        expect(p.metadata?.ownerReferences, p.metadata?.name).to.have.length(1);
        expect(p.metadata?.ownerReferences?.[0]?.name).to.equal(p.metadata?.labels?.['serving.knative.dev/revision']);
      }
      expect(claimed.map((p) => p.metadata?.name).sort()).to.deep.equal([...claimedNames].sort());
    } finally {
      await second.kill('SIGTERM');
    }
    // Every Service answers, whichever path its pods came from.
    for (const n of names) expect((await viaActivator(`${n}.${ns.name}.localhost`)).status, n).to.equal(200);
  });

  it('a bad code package makes the Revision Ready=False with the reason, and its requests fail fast', async () => {
    const pkg = code.add('bad', helloFunction);
    await kubectl(['apply', '-f', '-'], podPool(ns.name, 'warm', { minReady: 2 }));
    await waitWarm(ns.name, 'warm', 1);
    const wrong = { url: pkg.url, sha256: '0'.repeat(64) };
    await kubectl(['apply', '-f', '-'], poolService(ns.name, 'bad', 'warm', wrong));
    await waitForReady('Service bad', () => serving.service.get(ns.name, 'bad'));
    const t0 = performance.now();
    const answer = await viaActivator(`bad.${ns.name}.localhost`);
    expect(answer.status, answer.body).to.equal(503);
    expect(answer.body).to.match(/sha256 mismatch/);
    expect(performance.now() - t0, 'well under the 300 s timeout').to.be.below(15_000);
    const rev = await waitForReady('Revision bad-00001', () => serving.revision.get(ns.name, 'bad-00001'), 'False');
    const healthy = rev.status?.conditions?.find((c) => c.type === 'ContainerHealthy');
    expect(healthy?.reason).to.equal('CodePackageInvalid');
    expect(healthy?.message).to.match(/sha256 mismatch/);
    const svc = await waitForReady('Service bad', () => serving.service.get(ns.name, 'bad'), 'False');
    expect(svc.status?.conditions?.find((c) => c.type === 'Ready')?.message).to.match(/sha256 mismatch/);
  });

  it('scales a pool-backed Revision back to zero by deleting its claimed pod (never returned to the pool), and claims again', async () => {
    const pkg = code.add('idle', helloFunction);
    const setWindows = (data: Record<string, string | null>): Promise<string> =>
      kubectl(['patch', 'configmap', 'config-autoscaler', '-n', 'kzero-system', '--type=merge', '-p', JSON.stringify({ data })]);
    await setWindows({ 'stable-window': '6s', 'scale-to-zero-grace-period': '2s' });
    try {
      await kubectl(['apply', '-f', '-'], podPool(ns.name, 'warm', { minReady: 2 }));
      await kubectl(['apply', '-f', '-'], poolService(ns.name, 'idle', 'warm', pkg));
      await waitForReady('Service idle', () => serving.service.get(ns.name, 'idle'));
      const first = JSON.parse((await viaActivator(`idle.${ns.name}.localhost`)).body) as { pod: string };
      await claimedPods(ns.name, 'idle-00001'); // claimed first (the patch follows the load), then gone
      const gone = await waitForValue('the claimed pod deleted once idle', async () => {
        const pods = (await listPods(ns.name, 'serving.knative.dev/revision=idle-00001')).filter((p) => !p.metadata?.deletionTimestamp);
        return pods.length === 0 ? true : undefined;
      }, 60_000, 250);
      expect(gone).to.equal(true);
      const still = (await listPods(ns.name)).find((p) => p.metadata?.name === first.pod && !p.metadata?.deletionTimestamp);
      expect(still?.metadata?.labels, 'deleted, not relabelled back into the pool').to.equal(undefined);
      const again = await viaActivator(`idle.${ns.name}.localhost`);
      expect(again.status, again.body).to.equal(200);
      const second = JSON.parse(again.body) as { pod: string };
      expect(second.pod).to.match(/^warm-podpool-/);
      expect(second.pod).to.not.equal(first.pod);
      expect(await kubectl(['get', 'deployment', 'idle-00001-deployment', '-n', ns.name, '-o', 'jsonpath={.spec.replicas}'])).to.equal('0');
    } finally {
      await setWindows({ 'stable-window': null, 'scale-to-zero-grace-period': null });
    }
  });
});
