// PoolClaimer with an in-memory API server for pods and a scripted /specialize.
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PodPool } from '../../api/kzero/v1alpha1/types.js';
import type { Revision } from '../../api/serving/v1/types.js';
import {
  POOL_IMAGE, pod, podAutoscaler, podPool, revision, withAnnotations, withImage, withLabels, withNamespace, withResourceVersion, type Opt,
} from '../../controller/testing/builders.js';
import { silentLogger } from '../../controller/testing/cluster.js';
import { FakeResourceClient } from '../../controller/testing/fake-client.js';
import { FakeClock, T0 } from '../../controller/testing/fake-clock.js';
import { Resources } from '../../lib/kube/resources.js';
import { KubeApiError } from '../../lib/kube/rest.js';
import type { SpecializeRequest } from './fit.js';
import { PoolClaimer, type ClaimOutcome } from './claimer.js';

const NS = 'team';
const SHA = 'b'.repeat(64);
const URL = 'https://code.example/hello.tgz';
const rev = (...opts: Array<Opt<Revision>>): Revision => revision('hello-00001', withNamespace(NS), withImage(POOL_IMAGE),
  withAnnotations({ 'kzero.dev/pool': 'node', 'kzero.dev/code': URL, 'kzero.dev/code-sha256': SHA }), withLabels({ 'serving.knative.dev/service': 'hello' }), ...opts);
const pa = podAutoscaler('hello-00001', withNamespace(NS), withLabels({ 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/service': 'hello' }));
const ready: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'True' }]);
/** A Ready warm pod of pool `node` with IP 10.0.0.<n>. */
const warmPod = (name: string, n: number, ...opts: Array<Opt<V1Pod>>): V1Pod => pod(name, withNamespace(NS),
  withLabels({ 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm', 'pod-template-hash': 'abc' }), ready, (p) => void (p.status!.podIP = `10.0.0.${n}`), ...opts);
const lostRace = (name: string): KubeApiError => new KubeApiError(422, 'Invalid', `pods "${name}" is invalid: testing value /metadata/resourceVersion failed`);

describe('autoscaler/pool PoolClaimer', () => {
  let clock: FakeClock;
  let pods: FakeResourceClient<V1Pod>;
  let pools: FakeResourceClient<PodPool>;
  let specialized: Array<{ ip: string; token: string; body: SpecializeRequest }>;
  /** What /specialize answers, by IP (200 unless set); a function may wait or throw. */
  let answers: Map<string, () => Promise<{ status: number; error?: string }>>;
  let metrics: { claimed: Array<[string, string, number]>; missed: Array<[string, string, string]> };
  let claimer: PoolClaimer;

  beforeEach(() => {
    clock = new FakeClock();
    pods = new FakeResourceClient<V1Pod>(Resources.pod);
    pools = new FakeResourceClient<PodPool>(Resources.podPool);
    pools.seed(podPool('node', withNamespace(NS)));
    specialized = [];
    answers = new Map();
    metrics = { claimed: [], missed: [] };
    claimer = new PoolClaimer({
      clock,
      log: silentLogger(),
      pools: pools.lister,
      // The informer of warm pods: label kzero.dev/pool-state=warm.
      warmPods: { list: (ns) => pods.lister.list(ns).filter((p) => p.metadata?.labels?.['kzero.dev/pool-state'] === 'warm') },
      podClient: pods.asClient(),
      token: (p) => `token-${p.metadata.name}`,
      specialize: async (ip, token, body) => {
        specialized.push({ ip, token, body });
        const answer = answers.get(ip);
        if (answer) return answer();
        clock.advance(250);
        return { status: 200 };
      },
      random: () => 0,
      metrics: {
        claimed: (ns, p, s) => void metrics.claimed.push([ns, p, s]),
        missed: (ns, p, reason) => void metrics.missed.push([ns, p, reason]),
      },
    });
  });

  const claimedNames = (o: ClaimOutcome): string[] => o.pods.map((p) => p.name).sort();
  const patched = (): Array<[string, string | undefined]> => pods.actions.filter((a) => a.verb === 'patch').map((a) => [a.name, a.error]);

  it('claims the requested count: patches each pod to claimed for the Revision and specializes it', async () => {
    pods.seed(warmPod('w1', 1, withResourceVersion('11')), warmPod('w2', 2), warmPod('w3', 3));
    const out = await claimer.claim(rev(), pa, 2);
    expect({ pods: out.pods.map((p) => [p.name, p.ip]).sort(), missed: out.missed, failure: await out.specialized }).to.deep.equal({ pods: [['w1', '10.0.0.1'], ['w2', '10.0.0.2']], missed: 0, failure: undefined });
    const w1 = pods.peek(NS, 'w1')!;
    expect(w1.metadata?.labels).to.deep.equal({ 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/service': 'hello', 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'claimed' });
    expect(w1.metadata?.ownerReferences).to.deep.equal([{ apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'hello-00001', uid: 'revision-hello-00001-uid', controller: true }]);
    expect(w1.metadata?.annotations).to.deep.equal({ 'kzero.dev/claimed-at': new Date(T0).toISOString() });
    expect(pods.actions.find((a) => a.name === 'w1' && a.verb === 'patch')?.patchType).to.equal('json');
    expect(pods.peek(NS, 'w3')?.metadata?.labels?.['kzero.dev/pool-state']).to.equal('warm');
    expect(specialized.map((s) => [s.ip, s.token]).sort()).to.deep.equal([['10.0.0.1', 'token-node'], ['10.0.0.2', 'token-node']]);
    expect(specialized[0]!.body).to.deep.equal({ revision: 'team/hello-00001', code: { url: URL, sha256: SHA }, env: { PORT: '8080', K_REVISION: 'hello-00001', K_CONFIGURATION: '', K_SERVICE: 'hello' } });
    // Both claims started at T0; each /specialize took 250 ms of the clock, one after the other.
    expect(metrics).to.deep.equal({ claimed: [[NS, 'node', 0.5], [NS, 'node', 0.5]], missed: [] });
  });

  it('a pod lost to another claimer (422 on the patch\'s test op) is skipped for another, never returned twice', async () => {
    // Another claimer took w1: the API server has it claimed (newer resourceVersion), our informer still shows it warm.
    pods.seed(warmPod('w1', 1), warmPod('w2', 2), warmPod('w3', 3));
    pods.setListerCopy(pods.peek(NS, 'w1')!);
    pods.seed(warmPod('w1', 1, withResourceVersion('99'), withLabels({ 'kzero.dev/pool-state': 'claimed' })));
    const out = await claimer.claim(rev(), pa, 2);
    expect([claimedNames(out), out.missed]).to.deep.equal([['w2', 'w3'], 0]);
    expect(patched()).to.deep.equal([['w1', 'Invalid'], ['w2', undefined], ['w3', undefined]]);
    expect(specialized.map((s) => s.ip).sort()).to.deep.equal(['10.0.0.2', '10.0.0.3']);
    // The next claim does not try w1 again either (the informer still shows it warm).
    const again = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(again), again.missReason, patched().length]).to.deep.equal([[], 'no warm pod', 3]);
  });

  it('a 422 from the API server (failOn) on one pod: the claim goes to the next', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2));
    pods.failOn('patch', lostRace('w1'), { name: 'w1' });
    const out = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(out), out.missed, patched()]).to.deep.equal([['w2'], 0, [['w1', 'Invalid'], ['w2', undefined]]]);
  });

  it('asks the runtime to prefetch the code before the claim patch (while it is in flight)', async () => {
    pods.seed(warmPod('w1', 1));
    const order: string[] = [];
    pods.prependReactor((a) => void (a.verb === 'patch' && order.push(`patch ${a.name}`)));
    const prefetching = new PoolClaimer({
      clock, log: silentLogger(), pools: pools.lister, podClient: pods.asClient(), token: () => 'tok', random: () => 0,
      warmPods: { list: (ns) => pods.lister.list(ns).filter((p) => p.metadata?.labels?.['kzero.dev/pool-state'] === 'warm') },
      specialize: async () => ({ status: 200 }),
      prefetch: (ip, token, code) => void order.push(`prefetch ${ip} ${token} ${code.url} ${code.sha256}`),
      metrics: { claimed: () => undefined, missed: () => undefined },
    });
    expect(claimedNames(await prefetching.claim(rev(), pa, 1))).to.deep.equal(['w1']);
    expect(order).to.deep.equal([`prefetch 10.0.0.1 tok ${URL} ${SHA}`, 'patch w1']);
  });

  it('a pod that lost a race is tried again after 5 s if it is still warm (the 422 may have been a harmless change)', async () => {
    pods.seed(warmPod('w1', 1));
    pods.failOn('patch', lostRace('w1'), { name: 'w1' });
    const first = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(first), first.missReason]).to.deep.equal([[], 'lost the race for a warm pod']);
    expect(metrics.missed).to.deep.equal([[NS, 'node', 'empty']]);
    clock.advance(1000);
    expect(claimedNames(await claimer.claim(rev(), pa, 1)), 'still skipped at 1 s').to.deep.equal([]);
    clock.advance(5000);
    expect(claimedNames(await claimer.claim(rev(), pa, 1)), 'tried again at 6 s').to.deep.equal(['w1']);
  });

  it('a 404 (the pod is gone) or a 409 also moves on to another pod', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2), warmPod('w3', 3));
    pods.failOn('patch', new KubeApiError(404, 'NotFound', 'pods "w1" not found'), { name: 'w1' });
    pods.failOn('patch', new KubeApiError(409, 'Conflict', 'conflict'), { name: 'w2' });
    const out = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(out), patched()]).to.deep.equal([['w3'], [['w1', 'NotFound'], ['w2', 'Conflict'], ['w3', undefined]]]);
  });

  it('when warm pods run out, the rest are misses: reason "no warm pod", metrics missed "empty"', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2));
    const out = await claimer.claim(rev(), pa, 4);
    expect({ pods: claimedNames(out), missed: out.missed, reason: out.missReason, failure: await out.specialized }).to.deep.equal({ pods: ['w1', 'w2'], missed: 2, reason: 'no warm pod', failure: undefined });
    expect(metrics.missed).to.deep.equal([[NS, 'node', 'empty'], [NS, 'node', 'empty']]);
  });

  it('only Ready warm pods of the Revision\'s pool in its namespace are claimed', async () => {
    pods.seed(
      warmPod('not-ready', 1, (p) => void (p.status!.conditions = [])),
      warmPod('other-pool', 2, withLabels({ 'kzero.dev/pool': 'python' })),
      warmPod('other-ns', 3, withNamespace('default')),
    );
    const out = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(out), out.missReason, patched()]).to.deep.equal([[], 'no warm pod', []]);
  });

  const codeFailures: Array<{ status: number; error?: string; want: { reason: string; message: string } }> = [
    { status: 422, error: 'sha256 mismatch: want bbbb, got cccc', want: { reason: 'CodePackageInvalid', message: 'sha256 mismatch: want bbbb, got cccc' } },
    { status: 422, want: { reason: 'CodePackageInvalid', message: 'the code package was rejected' } },
    { status: 502, error: 'GET https://code.example/hello.tgz: 404', want: { reason: 'CodeFetchFailed', message: 'GET https://code.example/hello.tgz: 404' } },
    { status: 502, want: { reason: 'CodeFetchFailed', message: 'the code package could not be fetched' } },
  ];
  for (const c of codeFailures) {
    it(`specialize ${c.status}${c.error ? '' : ' without an error'}: the pod is answered at once, then failure ${c.want.reason} and the pod deleted (uid precondition)`, async () => {
      pods.seed(warmPod('w1', 1), warmPod('w2', 2));
      answers.set('10.0.0.1', async () => ({ status: c.status, ...(c.error ? { error: c.error } : {}) }));
      const out = await claimer.claim(rev(), pa, 1);
      expect({ pods: claimedNames(out), missed: out.missed }).to.deep.equal({ pods: ['w1'], missed: 0 });
      expect(await out.specialized).to.deep.equal(c.want);
      expect(pods.actions.filter((a) => a.verb === 'delete').map((a) => [a.name, a.options])).to.deep.equal([['w1', { uid: 'pod-w1-uid' }]]);
      expect(pods.peek(NS, 'w1')).to.equal(undefined);
      expect(patched()).to.deep.equal([['w1', undefined]]);
      expect(metrics).to.deep.equal({ claimed: [], missed: [[NS, 'node', 'code'].slice(0, 2).concat(c.status === 422 ? 'code' : 'error') as [string, string, string]] });
    });
  }

  it('another specialize failure (500, or no answer) deletes that pod, with no code failure: the next decision claims again', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2));
    answers.set('10.0.0.1', async () => ({ status: 500, error: 'boom' }));
    const out = await claimer.claim(rev(), pa, 1);
    expect({ pods: claimedNames(out), failure: await out.specialized, deleted: pods.actions.filter((a) => a.verb === 'delete').map((a) => a.name) }).to.deep.equal({ pods: ['w1'], failure: undefined, deleted: ['w1'] });
    answers.set('10.0.0.2', async () => { throw new Error('ECONNRESET'); });
    const again = await claimer.claim(rev(), pa, 1);
    expect({ pods: claimedNames(again), failure: await again.specialized, metrics: metrics.missed }).to.deep.equal({ pods: ['w2'], failure: undefined, metrics: [[NS, 'node', 'error'], [NS, 'node', 'error']] });
  });

  it('a patch failing otherwise (500) is a miss "claim failed", metrics missed "error"', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2));
    pods.failOn('patch', new KubeApiError(500, 'InternalError', 'etcd is down'));
    const out = await claimer.claim(rev(), pa, 1);
    expect([out.pods, out.missed, out.missReason, metrics.missed]).to.deep.equal([[], 1, 'claim failed: etcd is down', [[NS, 'node', 'error']]]);
  });

  const unfit: Array<{ name: string; rev: Revision; reason: string; metrics: Array<[string, string, string]> }> = [
    { name: 'an image other than the pool\'s', rev: rev(withImage('other:1')), reason: 'image other:1 is not the pool\'s kzero/runtime:1', metrics: [[NS, 'node', 'unfit'], [NS, 'node', 'unfit']] },
    { name: 'a missing pool', rev: rev(withAnnotations({ 'kzero.dev/pool': 'gone' })), reason: 'PodPool "gone" not found in namespace "team"', metrics: [[NS, 'gone', 'unfit'], [NS, 'gone', 'unfit']] },
    { name: 'not pool-backed (no metrics: no pool)', rev: revision('hello-00001', withNamespace(NS)), reason: 'not pool-backed', metrics: [] },
  ];
  for (const c of unfit) {
    it(`an unfit Revision (${c.name}): every pod asked for is a miss, nothing is touched`, async () => {
      pods.seed(warmPod('w1', 1), warmPod('w2', 2));
      const out = await claimer.claim(c.rev, pa, 2);
      expect({ pods: out.pods, missed: out.missed, missReason: out.missReason, failure: await out.specialized }).to.deep.equal({ pods: [], missed: 2, missReason: c.reason, failure: undefined });
      expect([pods.writes(), specialized, metrics.missed]).to.deep.equal([[], [], c.metrics]);
    });
  }

  it('two concurrent claims on one claimer never get the same pod', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2), warmPod('w3', 3));
    // The informer lags: it shows every pod warm until the test is over.
    for (const p of pods.all()) pods.setListerCopy(p);
    const [a, b] = await Promise.all([claimer.claim(rev(), pa, 2), claimer.claim(rev(), pa, 2)]);
    const all = [...a.pods, ...b.pods].map((p) => p.name);
    expect([all.length, new Set(all).size, a.missed + b.missed]).to.deep.equal([3, 3, 1]);
    expect(patched().map(([, err]) => err)).to.deep.equal([undefined, undefined, undefined]);
  });
});
