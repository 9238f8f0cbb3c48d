// PoolClaimer with an in-memory API server for pods and a scripted /specialize.
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PodPool } from '../../api/kzero/v1alpha1/types.js';
import type { Revision } from '../../api/serving/v1/types.js';
import {
  POOL_IMAGE, pod, podAutoscaler, podPool, revision, withAnnotations, withImage, withLabels, withNamespace, withResourceVersion, type Opt,
} from '../../testing/builders.js';
import { silentLogger } from '../../testing/cluster.js';
import { FakeResourceClient } from '../../testing/fake-client.js';
import { FakeClock, T0 } from '../../testing/fake-clock.js';
import { Resources } from '../../lib/kube/resources.js';
import { KubeApiError } from '../../lib/kube/rest.js';
import type { SpecializeRequest } from '../../api/kzero/v1alpha1/specialize.js';
import { SigningKey, VerifyingKeys } from '../../lib/specialize-signature.js';
import { httpSpecialize, PoolClaimer, type ClaimOutcome, type SpecializeTarget } from './claimer.js';

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

describe('autoscaler/pool PoolClaimer', () => {
  let clock: FakeClock;
  let pods: FakeResourceClient<V1Pod>;
  let pools: FakeResourceClient<PodPool>;
  let specialized: Array<{ ip: string; target: SpecializeTarget; body: SpecializeRequest; reserve: boolean }>;
  /** What /specialize answers when it waits for the code, by IP (200 unless set); a function may wait or throw. */
  let answers: Map<string, () => Promise<{ status: number; error?: string }>>;
  /** What a reservation answers, by IP, instead of the runtime's one-shot rule (202, or 409 for another revision). */
  let reservations: Map<string, () => Promise<{ status: number; error?: string }>>;
  /** Which revision each pod's runtime took. */
  let took: Map<string, string>;
  let metrics: { claimed: Array<[string, string, number]>; missed: Array<[string, string, string]> };
  let claimer: PoolClaimer;

  beforeEach(() => {
    clock = new FakeClock();
    pods = new FakeResourceClient<V1Pod>(Resources.pod);
    pools = new FakeResourceClient<PodPool>(Resources.podPool);
    pools.seed(podPool('node', withNamespace(NS)));
    specialized = [];
    answers = new Map();
    reservations = new Map();
    took = new Map();
    metrics = { claimed: [], missed: [] };
    claimer = new PoolClaimer({
      clock,
      log: silentLogger(),
      pools: pools.lister,
      // The informer of warm pods: label kzero.dev/pool-state=warm.
      warmPods: { list: (ns) => pods.lister.list(ns).filter((p) => p.metadata?.labels?.['kzero.dev/pool-state'] === 'warm') },
      podClient: pods.asClient(),
      specialize: async (target, body, opts = {}) => {
        const { ip } = target;
        specialized.push({ ip, target, body, reserve: opts.reserve === true });
        if (opts.reserve) {
          const scripted = reservations.get(ip);
          if (scripted) return scripted();
          const mine = `${body.revision} ${body.claim}`;
          if ((took.get(ip) ?? mine) !== mine) return { status: 409, error: `already specializing for ${took.get(ip)}` };
          took.set(ip, mine);
          return { status: 202 };
        }
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
    // Each pod: reserved on its runtime first, then asked for the outcome of loading the code; each request is
    // for that pod by name, of the pool by UID (what its signature is bound to).
    const pool = { namespace: NS, name: 'node', uid: 'podpool-node-uid' };
    expect(specialized.map((s) => [s.ip, s.target.pod, s.target.pool, s.reserve])).to.deep.equal([
      ['10.0.0.1', 'w1', pool, true], ['10.0.0.2', 'w2', pool, true], ['10.0.0.1', 'w1', pool, false], ['10.0.0.2', 'w2', pool, false],
    ]);
    const { claim, ...sent } = specialized[0]!.body;
    expect(sent).to.deep.equal({ revision: 'team/hello-00001', code: { url: URL, sha256: SHA }, env: { PORT: '8080', K_REVISION: 'hello-00001', K_CONFIGURATION: '', K_SERVICE: 'hello' } });
    // One claim id per pod, the same on its reservation and on the wait for its outcome.
    expect(specialized.map((x) => x.body.claim)).to.deep.equal([claim, specialized[1]!.body.claim, claim, specialized[1]!.body.claim]);
    expect(claim).to.match(/^[0-9a-f-]{36}$/).and.not.equal(specialized[1]!.body.claim);
    // Both claims started at T0; each /specialize took 250 ms of the clock, one after the other.
    expect(metrics).to.deep.equal({ claimed: [[NS, 'node', 0.5], [NS, 'node', 0.5]], missed: [] });
  });

  it('a pod whose runtime took another claim (409), even for the same Revision, is skipped for another, never returned twice', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2), warmPod('w3', 3));
    took.set('10.0.0.1', 'team/hello-00001 another-replica'); // another claimer got there first (for the same Revision); our informer still shows it warm
    const out = await claimer.claim(rev(), pa, 2);
    expect([claimedNames(out), out.missed]).to.deep.equal([['w2', 'w3'], 0]);
    expect(patched()).to.deep.equal([['w2', undefined], ['w3', undefined]]);
    // The next claim does not try w1 again either (the informer still shows it warm).
    const again = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(again), again.missReason, specialized.filter((x) => x.ip === '10.0.0.1').length]).to.deep.equal([[], 'no warm pod', 1]);
  });

  it('answers with the pod once its runtime took the Revision: the code, then the claim patch, follow', async () => {
    pods.seed(warmPod('w1', 1));
    let land!: () => void;
    const landed = new Promise<void>((r) => (land = r));
    const slowPatch = { ...pods.asClient(), patch: async (...args: Parameters<typeof pods.patch>) => { await landed; return pods.patch(...args); }, delete: pods.delete.bind(pods) };
    const early = new PoolClaimer({
      clock, log: silentLogger(), pools: pools.lister, podClient: slowPatch as unknown as ReturnType<typeof pods.asClient>, random: () => 0,
      warmPods: { list: (ns) => pods.lister.list(ns).filter((p) => p.metadata?.labels?.['kzero.dev/pool-state'] === 'warm') },
      specialize: async (target, body, opts = {}) => (specialized.push({ ip: target.ip, target, body, reserve: opts.reserve === true }), { status: opts.reserve ? 202 : 200 }),
      metrics: { claimed: () => undefined, missed: () => undefined },
    });
    const out = await early.claim(rev(), pa, 1);
    expect([claimedNames(out), patched()]).to.deep.equal([['w1'], []]);
    await new Promise((r) => setImmediate(r));
    // The code is loaded before the patch is sent: the patch sets off a replacement pod's start.
    expect([patched(), specialized.map((x) => x.reserve)]).to.deep.equal([[], [true, false]]);
    land();
    expect(await out.specialized).to.equal(undefined);
    expect([patched(), specialized.map((x) => x.reserve), pods.peek(NS, 'w1')?.metadata?.labels?.['kzero.dev/pool-state']]).to.deep.equal([[['w1', undefined]], [true, false], 'claimed']);
  });

  it('a pod another replica already labelled claimed (422 on the patch\'s test op) still serves the Revision: its runtime took ours', async () => {
    pods.seed(warmPod('w1', 1));
    pods.failOn('patch', new KubeApiError(422, 'Invalid', 'testing value /metadata/labels/kzero.dev~1pool-state failed'), { name: 'w1' });
    const out = await claimer.claim(rev(), pa, 1);
    expect({ pods: claimedNames(out), failure: await out.specialized, deleted: pods.actions.filter((a) => a.verb === 'delete').length, claimed: metrics.claimed.length }).to.deep.equal({ pods: ['w1'], failure: undefined, deleted: 0, claimed: 1 });
  });

  it('a pod that lost a race is tried again after 5 s if it is still warm', async () => {
    pods.seed(warmPod('w1', 1));
    reservations.set('10.0.0.1', async () => ({ status: 409, error: 'already specializing for team/other-00001' }));
    const first = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(first), first.missReason]).to.deep.equal([[], 'lost the race for a warm pod']);
    expect(metrics.missed).to.deep.equal([[NS, 'node', 'empty']]);
    reservations.clear();
    clock.advance(1000);
    expect(claimedNames(await claimer.claim(rev(), pa, 1)), 'still skipped at 1 s').to.deep.equal([]);
    clock.advance(5000);
    expect(claimedNames(await claimer.claim(rev(), pa, 1)), 'tried again at 6 s').to.deep.equal(['w1']);
  });

  it('a pod taken over a minute ago and still labelled warm (its claimer died before the patch) is deleted; a recent one is left', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2), warmPod('w3', 3));
    reservations.set('10.0.0.1', async () => ({ status: 409, error: 'already claimed for team/x-00001 by another claimer', takenMs: 61_000 }));
    reservations.set('10.0.0.2', async () => ({ status: 409, error: 'already claimed for team/x-00001 by another claimer', takenMs: 2_000 }));
    const out = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(out), pods.actions.filter((a) => a.verb === 'delete').map((a) => [a.name, a.options])]).to.deep.equal([['w3'], [['w1', { uid: 'pod-w1-uid' }]]]);
  });

  it('a runtime that does not answer the reservation, or refuses the signature: the next pod is tried', async () => {
    pods.seed(warmPod('w1', 1), warmPod('w2', 2), warmPod('w3', 3));
    reservations.set('10.0.0.1', async () => { throw new Error('connect ECONNREFUSED'); });
    reservations.set('10.0.0.2', async () => ({ status: 401, error: 'signature expired 6.0 s ago' }));
    const out = await claimer.claim(rev(), pa, 1);
    expect([claimedNames(out), patched()]).to.deep.equal([['w3'], [['w3', undefined]]]);
  });

  it('all attempts refused: a miss "claim failed" naming the last answer, metrics missed "error"', async () => {
    pods.seed(warmPod('w1', 1));
    reservations.set('10.0.0.1', async () => ({ status: 401, error: 'signature expired 6.0 s ago' }));
    const out = await claimer.claim(rev(), pa, 1);
    expect([out.pods, out.missed, out.missReason, metrics.missed]).to.deep.equal([[], 1, 'claim failed: pod w1 answered 401: signature expired 6.0 s ago', [[NS, 'node', 'error']]]);
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
      expect(patched(), 'a pod that failed is deleted, never patched').to.deep.equal([]);
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

  for (const err of [new KubeApiError(500, 'InternalError', 'etcd is down'), new KubeApiError(404, 'NotFound', 'pods "w1" not found')]) {
    it(`the claim patch failing (${err.code}) after the runtime took the pod: the pod is deleted, not left labelled warm; metrics missed "error"`, async () => {
      pods.seed(warmPod('w1', 1), warmPod('w2', 2));
      pods.failOn('patch', err);
      const out = await claimer.claim(rev(), pa, 1);
      expect({ pods: claimedNames(out), failure: await out.specialized, deleted: pods.actions.filter((a) => a.verb === 'delete').map((a) => a.name), missed: metrics.missed }).to.deep.equal({ pods: ['w1'], failure: undefined, deleted: ['w1'], missed: [[NS, 'node', 'error']] });
    });
  }

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

  it('httpSpecialize signs each request for its pod, pool, claim and exact body, as a runtime checks them (real server on port 0)', async () => {
    const key = SigningKey.generate();
    const keys = VerifyingKeys.parse(key.publicKey, 'test');
    const seen: Array<{ refused: string | undefined; prefer: string | undefined; body: string }> = [];
    const pool = { namespace: NS, name: 'node', uid: 'podpool-node-uid' };
    const runtime = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        const raw = Buffer.concat(chunks);
        const claim = (JSON.parse(raw.toString()) as { claim?: string }).claim ?? '';
        const refused = keys.check(req.headers, { pool, pod: 'w1', claim, body: raw }, clock.now());
        seen.push({ refused, prefer: [req.headers.prefer].flat()[0], body: raw.toString() });
        res.writeHead(refused ? 401 : 202, { 'content-type': 'application/json' }).end(JSON.stringify(refused ? { error: refused } : {}));
      });
    });
    await new Promise<void>((r) => runtime.listen(0, '127.0.0.1', r));
    try {
      const specialize = httpSpecialize({ key, now: () => clock.now(), port: (runtime.address() as AddressInfo).port });
      const body = { revision: 'team/hello-00001', code: { url: URL, sha256: SHA }, env: { K_REVISION: 'hello-00001' }, claim: 'c-1' };
      expect(await specialize({ ip: '127.0.0.1', pod: 'w1', pool }, body, { reserve: true })).to.deep.equal({ status: 202 });
      expect(await specialize({ ip: '127.0.0.1', pod: 'w2', pool }, body)).to.deep.equal({ status: 401, error: 'signature does not match this request (pod w1 of pool team/node, uid podpool-node-uid, its claim and body)' });
      // Signed at send time: the load, sent 31 s after the reservation, carries a fresh signature.
      clock.advance(31_000);
      expect(await specialize({ ip: '127.0.0.1', pod: 'w1', pool }, body)).to.deep.equal({ status: 202 });
      expect(seen.map((s) => [s.refused === undefined, s.prefer, JSON.parse(s.body)])).to.deep.equal([[true, 'respond-async', body], [false, undefined, body], [true, undefined, body]]);
    } finally {
      runtime.closeAllConnections();
      await new Promise((r) => runtime.close(r));
    }
  });
});
