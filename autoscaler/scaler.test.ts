// The scaler with in-memory fakes: what pokes and stats lead to (Deployment /scale, PodAutoscaler status).
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PodAutoscaler } from '../api/kzero/v1alpha1/types.js';
import { ServingLabels } from '../api/serving/labels.js';
import type { Condition, Revision } from '../api/serving/v1/types.js';
import { Scaler, type DeciderLike, type ScalerDeps } from './scaler.js';
import type { ClaimOutcome } from './pool/claimer.js';
import {
  cond, deployment, pod, podAutoscaler, revision, withAnnotations, withDeletionTimestamp, withGeneration, withNamespace, withPodLabels, withReplicas, type Opt,
} from '../testing/builders.js';
import { FakeResourceClient } from '../testing/fake-client.js';
import { FakeClock, T0 } from '../testing/fake-clock.js';
import { Resources } from '../lib/kube/resources.js';
import { KubeApiError } from '../lib/kube/rest.js';
import { createLogger } from '../lib/log.js';

const NOW = new Date(T0).toISOString();

class ScriptedDecider implements DeciderLike {
  readonly records: Array<[number, { concurrency: number; requests: number }]> = [];
  readonly asked: Array<[number, { readyPods: number }]> = [];
  desired = -1;
  panicking = false;

  record(now: number, stat: { concurrency: number; requests: number }): void {
    this.records.push([now, stat]);
  }

  scale(now: number, state: { readyPods: number }): { desiredScale: number; panicking: boolean } {
    this.asked.push([now, state]);
    return { desiredScale: this.desired, panicking: this.panicking };
  }

  readonly updates: unknown[] = [];
  update(spec: unknown): void {
    this.updates.push(spec);
  }
}

const ofRevision = (rev: string): Opt<V1Pod> => withPodLabels({ [ServingLabels.revision]: rev });
const ready: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'True' }]);

const active = (at = NOW): Condition[] => [
  { type: 'Active', status: 'True', lastTransitionTime: at },
  { type: 'Ready', status: 'True', lastTransitionTime: at },
  { type: 'ScaleTargetInitialized', status: 'True', lastTransitionTime: at },
];
const noTraffic = (at = NOW): Condition[] => [
  cond('Active', 'False', 'NoTraffic', 'The target is not receiving traffic.', { at }),
  cond('Ready', 'False', 'NoTraffic', 'The target is not receiving traffic.', { at }),
  { type: 'ScaleTargetInitialized', status: 'True', lastTransitionTime: NOW },
];
const queued = (at = NOW): Condition[] => [
  cond('Active', 'Unknown', 'Queued', 'Requests to the target are being buffered as resources are provisioned.', { at }),
  cond('Ready', 'Unknown', 'Queued', 'Requests to the target are being buffered as resources are provisioned.', { at }),
  { type: 'ScaleTargetInitialized', status: 'True', lastTransitionTime: NOW },
];

describe('autoscaler/scaler Scaler (in-memory API server)', () => {
  let clock: FakeClock;
  let pas: FakeResourceClient<PodAutoscaler>;
  let deployments: FakeResourceClient<V1Deployment>;
  let pods: FakeResourceClient<V1Pod>;
  /** The deciders made (or prepared by the test) per revision, oldest first. */
  let deciders: Map<string, ScriptedDecider[]>;
  /** The deciders the scaler has asked for. */
  let taken: Set<ScriptedDecider>;
  let decisions: Array<[string, number, number, boolean]>;
  let logged: Array<Record<string, unknown>>;
  let scaler: Scaler;

  /** The decider of a revision (the latest made for it). */
  const decider = (name: string): ScriptedDecider => {
    const list = deciders.get(name) ?? [];
    if (!list.length) {
      const d = new ScriptedDecider();
      deciders.set(name, [d]);
      return d;
    }
    return list[list.length - 1]!;
  };

  beforeEach(() => {
    clock = new FakeClock();
    pas = new FakeResourceClient<PodAutoscaler>(Resources.podAutoscaler);
    deployments = new FakeResourceClient<V1Deployment>(Resources.deployment);
    pods = new FakeResourceClient<V1Pod>(Resources.pod);
    deciders = new Map();
    taken = new Set();
    decisions = [];
    logged = [];
    scaler = new Scaler({
      clock,
      log: createLogger('test', { level: 'debug', write: (l) => void logged.push(JSON.parse(l) as Record<string, unknown>) }),
      podAutoscalers: pas.lister,
      deployments: deployments.lister,
      pods: pods.lister,
      paClient: pas.asClient(),
      deploymentClient: deployments.asClient(),
      newDecider: (pa) => {
        // A test may have prepared the decider (decider(name)) before the scaler asks for one.
        const list = deciders.get(pa.metadata.name!) ?? [];
        const prepared = list.find((d) => !taken.has(d));
        const d = prepared ?? new ScriptedDecider();
        taken.add(d);
        if (!prepared) deciders.set(pa.metadata.name!, [...list, d]);
        return d;
      },
      pokeScale: () => 3,
      onDecision: (pa, desired, actual, panicking) => void decisions.push([pa.metadata.name!, desired, actual, panicking]),
    });
  });

  const statusPatches = (): unknown[] => pas.writes().map((a) => [a.verb, a.namespace, a.name, a.subresource, a.patch]);
  const scalePatches = (): unknown[] => deployments.writes().map((a) => [a.verb, a.namespace, a.name, a.subresource, a.patch]);

  describe('poke', () => {
    it('a Deployment at 0 replicas is scaled to pokeScale through /scale', async () => {
      pas.seed(podAutoscaler('hello-00001'));
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      await scaler.poke('default', 'hello-00001');
      expect(scalePatches()).to.deep.equal([['patch', 'default', 'hello-00001-deployment', 'scale', { spec: { replicas: 3 } }]]);
      expect(deployments.peek('default', 'hello-00001-deployment')?.spec?.replicas).to.equal(3);
      expect(decider('hello-00001').records).to.deep.equal([[T0, { concurrency: 1, requests: 1 }]]);
      expect(pas.writes()).to.deep.equal([]);
      expect(logged.map((l) => [l.msg, l.revision, l.scale])).to.deep.equal([['autoscaler: scaling from zero', 'default/hello-00001', 3]]);
    });

    it('a Deployment with replicas > 0 is not patched (the poke still counts as load)', async () => {
      pas.seed(podAutoscaler('hello-00001'));
      deployments.seed(deployment('hello-00001-deployment', withReplicas(2)));
      await scaler.poke('default', 'hello-00001');
      expect(deployments.writes()).to.deep.equal([]);
      expect(decider('hello-00001').records).to.deep.equal([[T0, { concurrency: 1, requests: 1 }]]);
    });

    it('a missing Deployment: the /scale patch gets NotFound, which is not an error', async () => {
      pas.seed(podAutoscaler('hello-00001'));
      await scaler.poke('default', 'hello-00001');
      expect(deployments.writes().map((a) => [a.name, a.subresource, a.error])).to.deep.equal([['hello-00001-deployment', 'scale', 'NotFound']]);
    });

    it('another error of the /scale patch is the poke\'s error', async () => {
      pas.seed(podAutoscaler('hello-00001'));
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      deployments.failOn('patch', new KubeApiError(500, 'InternalError', 'etcd is down'));
      let err: unknown;
      await scaler.poke('default', 'hello-00001').catch((e: unknown) => (err = e));
      expect((err as Error).message).to.equal('etcd is down');
    });

    it('an unknown PodAutoscaler (another shard\'s) is an error, nothing is written', async () => {
      deployments.seed(deployment('x-00001-deployment', withReplicas(0)));
      let err: unknown;
      await scaler.poke('default', 'x-00001').catch((e: unknown) => (err = e));
      expect((err as Error).message).to.equal('no PodAutoscaler default/x-00001 in this shard');
      expect([deployments.writes(), deciders.size]).to.deep.equal([[], 0]);
    });
  });

  describe('configChanged', () => {
    it('gives every existing decider its revision\'s new spec (keeping its windows), and makes no new one', async () => {
      const specs = new Scaler({
        clock, log: createLogger('test', { level: 'debug', write: () => {} }), podAutoscalers: pas.lister, deployments: deployments.lister, pods: pods.lister,
        paClient: pas.asClient(), deploymentClient: deployments.asClient(), newDecider: () => decider('hello-00001'), pokeScale: () => 1,
        specOf: (pa) => ({ stableWindowMs: 6000, revision: pa.metadata.name } as unknown as ReturnType<NonNullable<ScalerDeps['specOf']>>),
      });
      pas.seed(podAutoscaler('hello-00001'), podAutoscaler('other-00001'));
      specs.stats([{ namespace: 'default', revision: 'hello-00001', concurrency: 1, requests: 1 }]);
      specs.configChanged();
      expect(decider('hello-00001').updates).to.deep.equal([{ stableWindowMs: 6000, revision: 'hello-00001' }]);
      expect(deciders.get('other-00001')).to.equal(undefined);
    });
  });

  describe('stats', () => {
    // Malformed stats are refused at the wire (api/kzero/v1alpha1/autoscaler-wire.ts): the scaler gets numbers.
    it('records each stat in its revision\'s decider, at now, skipping unknown revisions', () => {
      pas.seed(podAutoscaler('a-00001'), podAutoscaler('b-00001', withNamespace('team')));
      clock.advance(1500);
      scaler.stats([
        { namespace: 'default', revision: 'a-00001', concurrency: 2.5, requests: 4 },
        { namespace: 'team', revision: 'b-00001', concurrency: 3, requests: 0 },
        { namespace: 'default', revision: 'gone-00001', concurrency: 9, requests: 9 },
        { namespace: 'default', revision: 'b-00001', concurrency: 9, requests: 9 },
        { namespace: 'default', revision: 'a-00001', concurrency: 0, requests: 1 },
      ]);
      expect(decider('a-00001').records).to.deep.equal([[T0 + 1500, { concurrency: 2.5, requests: 4 }], [T0 + 1500, { concurrency: 0, requests: 1 }]]);
      expect(decider('b-00001').records).to.deep.equal([[T0 + 1500, { concurrency: 3, requests: 0 }]]);
      expect([...deciders.keys()].sort()).to.deep.equal(['a-00001', 'b-00001']);
    });

    it('one decider per revision until the PodAutoscaler\'s generation changes', async () => {
      pas.seed(podAutoscaler('a-00001'));
      scaler.stats([{ namespace: 'default', revision: 'a-00001', concurrency: 1, requests: 1 }]);
      scaler.stats([{ namespace: 'default', revision: 'a-00001', concurrency: 2, requests: 1 }]);
      expect(deciders.get('a-00001')!.length).to.equal(1);
      pas.seed(podAutoscaler('a-00001', withGeneration(2)));
      scaler.stats([{ namespace: 'default', revision: 'a-00001', concurrency: 3, requests: 1 }]);
      const made = deciders.get('a-00001')!;
      expect(made.map((d) => d.records.map((r) => r[1].concurrency))).to.deep.equal([[1, 2], [3]]);
      scaler.forget(podAutoscaler('a-00001'));
      scaler.stats([{ namespace: 'default', revision: 'a-00001', concurrency: 4, requests: 1 }]);
      expect(deciders.get('a-00001')!.map((d) => d.records.map((r) => r[1].concurrency))).to.deep.equal([[1, 2], [3], [4]]);
    });
  });

  describe('tick', () => {
    function seedRevision(name: string, replicas: number, readyPods: number, opts: { ns?: string } = {}): void {
      const ns = opts.ns ?? 'default';
      pas.seed(podAutoscaler(name, withNamespace(ns)));
      deployments.seed(deployment(`${name}-deployment`, withNamespace(ns), withReplicas(replicas)));
      for (let i = 0; i < readyPods; i++) pods.seed(pod(`${name}-pod-${i}`, withNamespace(ns), ofRevision(name), ready));
    }

    const cases: Array<{ name: string; replicas: number; ready: number; desired: number; wantScale: number | undefined; wantStatus: Record<string, unknown> }> = [
      { name: 'scales up to the decider\'s scale; Active with ready pods', replicas: 1, ready: 1, desired: 3, wantScale: 3, wantStatus: { conditions: active(), desiredScale: 3, actualScale: 1, observedGeneration: 1 } },
      { name: 'scales down to 0; Active False NoTraffic once no pod is ready', replicas: 1, ready: 0, desired: 0, wantScale: 0, wantStatus: { conditions: noTraffic(), desiredScale: 0, actualScale: 0, observedGeneration: 1 } },
      { name: 'scales down with pods still ready: still Active', replicas: 2, ready: 2, desired: 0, wantScale: 0, wantStatus: { conditions: active(), desiredScale: 0, actualScale: 2, observedGeneration: 1 } },
      { name: 'scale from 0 with no pod ready yet: Active Unknown Queued', replicas: 0, ready: 0, desired: 2, wantScale: 2, wantStatus: { conditions: queued(), desiredScale: 2, actualScale: 0, observedGeneration: 1 } },
      { name: '-1 (not enough data) keeps the current scale', replicas: 4, ready: 3, desired: -1, wantScale: undefined, wantStatus: { conditions: active(), desiredScale: 4, actualScale: 3, observedGeneration: 1 } },
      { name: '-1 at zero keeps zero: NoTraffic', replicas: 0, ready: 0, desired: -1, wantScale: undefined, wantStatus: { conditions: noTraffic(), desiredScale: 0, actualScale: 0, observedGeneration: 1 } },
      { name: 'the same scale: no /scale patch', replicas: 2, ready: 2, desired: 2, wantScale: undefined, wantStatus: { conditions: active(), desiredScale: 2, actualScale: 2, observedGeneration: 1 } },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        seedRevision('hello-00001', c.replicas, c.ready);
        decider('hello-00001').desired = c.desired;
        await scaler.tick();
        expect(scalePatches()).to.deep.equal(c.wantScale === undefined ? [] : [['patch', 'default', 'hello-00001-deployment', 'scale', { spec: { replicas: c.wantScale } }]]);
        expect(statusPatches()).to.deep.equal([['patch', 'default', 'hello-00001', 'status', { status: c.wantStatus }]]);
        expect(pas.peek('default', 'hello-00001')?.status).to.deep.equal(c.wantStatus);
        expect(decider('hello-00001').asked).to.deep.equal([[T0, { readyPods: c.ready }]]);
        const want = c.desired < 0 ? c.replicas : c.desired;
        expect(decisions).to.deep.equal([['hello-00001', want, c.ready, false]]);
      });
    }

    it('writes nothing when nothing changed', async () => {
      seedRevision('hello-00001', 1, 1);
      decider('hello-00001').desired = 3;
      await scaler.tick();
      expect([scalePatches().length, statusPatches().length]).to.deep.equal([1, 1]);
      clock.advance(1000);
      await scaler.tick();
      clock.advance(1000);
      await scaler.tick();
      expect([scalePatches().length, statusPatches().length]).to.deep.equal([1, 1]);
      // The decider was still asked each tick.
      expect(decider('hello-00001').asked.map((a) => a[0])).to.deep.equal([T0, T0 + 1000, T0 + 2000]);
    });

    it('counts only Ready, not terminating pods of the revision in its namespace', async () => {
      seedRevision('hello-00001', 5, 2);
      pods.seed(
        pod('not-ready', ofRevision('hello-00001')),
        pod('terminating', ofRevision('hello-00001'), ready, withDeletionTimestamp()),
        pod('other-rev', ofRevision('hello-00002'), ready),
        pod('other-ns', withNamespace('team'), ofRevision('hello-00001'), ready),
        pod('unlabelled', ready),
      );
      decider('hello-00001').desired = 5;
      await scaler.tick();
      expect(decider('hello-00001').asked).to.deep.equal([[T0, { readyPods: 2 }]]);
      expect(pas.peek('default', 'hello-00001')?.status?.actualScale).to.equal(2);
    });

    it('status transitions move lastTransitionTime; other status fields are kept', async () => {
      // It was active with one pod; the pod is gone now.
      seedRevision('hello-00001', 1, 0);
      const pa = pas.peek('default', 'hello-00001')!;
      pa.status = { serviceName: 'hello-00001', conditions: active('2024-04-01T00:00:00.000Z'), desiredScale: 1, actualScale: 1, observedGeneration: 1 };
      pas.seed(pa);
      decider('hello-00001').desired = 0;
      clock.advance(60_000);
      await scaler.tick();
      const at = new Date(T0 + 60_000).toISOString();
      const conditions = noTraffic(at);
      conditions[2] = { type: 'ScaleTargetInitialized', status: 'True', lastTransitionTime: '2024-04-01T00:00:00.000Z' };
      expect(pas.peek('default', 'hello-00001')?.status).to.deep.equal({ serviceName: 'hello-00001', conditions, desiredScale: 0, actualScale: 0, observedGeneration: 1 });
    });

    it('a PodAutoscaler without its Deployment is skipped', async () => {
      pas.seed(podAutoscaler('hello-00001'));
      decider('hello-00001').desired = 3;
      await scaler.tick();
      expect([scalePatches(), statusPatches(), decider('hello-00001').asked, decisions]).to.deep.equal([[], [], [], []]);
    });

    it('one PodAutoscaler failing does not stop the others; its status is not written', async () => {
      seedRevision('a-00001', 1, 1);
      seedRevision('b-00001', 1, 1);
      decider('a-00001').desired = 2;
      decider('b-00001').desired = 2;
      deployments.failOn('patch', new KubeApiError(500, 'InternalError', 'etcd is down'), { name: 'a-00001-deployment' });
      await scaler.tick();
      expect(deployments.writes().map((a) => [a.name, a.error])).to.deep.equal([['a-00001-deployment', 'InternalError'], ['b-00001-deployment', undefined]]);
      expect(pas.writes().map((a) => a.name)).to.deep.equal(['b-00001']);
      expect(logged.filter((l) => l.level === 'warn').map((l) => [l.msg, l.revision])).to.deep.equal([['autoscaler: scaling failed', 'default/a-00001']]);
    });

    it('reports panicking to onDecision', async () => {
      seedRevision('hello-00001', 1, 1);
      decider('hello-00001').desired = 10;
      decider('hello-00001').panicking = true;
      await scaler.tick();
      expect(decisions).to.deep.equal([['hello-00001', 10, 1, true]]);
    });
  });

  describe('pool-backed revisions (pool dep)', () => {
    let revisions: FakeResourceClient<Revision>;
    /** The claims asked for, and what the next claims answer (default: every pod asked for, named claimed-<n>). */
    let claims: Array<[string, number]>;
    let outcomes: Array<(count: number) => Promise<ClaimOutcome>>;
    let poolScaler: Scaler;
    let n: number;

    beforeEach(() => {
      revisions = new FakeResourceClient<Revision>(Resources.revision);
      claims = [];
      outcomes = [];
      n = 0;
      poolScaler = new Scaler({
        clock,
        log: createLogger('test', { level: 'debug', write: () => {} }),
        podAutoscalers: pas.lister,
        deployments: deployments.lister,
        pods: pods.lister,
        paClient: pas.asClient(),
        deploymentClient: deployments.asClient(),
        podClient: pods.asClient(),
        newDecider: (pa) => decider(pa.metadata.name!),
        pokeScale: () => 3,
        pool: {
          revisions: revisions.lister,
          claimer: {
            claim: async (rev, _pa, count) => {
              claims.push([rev.metadata.name!, count]);
              const next = outcomes.shift();
              if (next) return next(count);
              return { pods: Array.from({ length: count }, () => ({ name: `claimed-${++n}`, ip: `10.0.1.${n}` })), missed: 0, specialized: Promise.resolve(undefined) };
            },
          },
          enabled: () => true,
        },
      });
      revisions.seed(revision('hello-00001', withAnnotations({ 'kzero.dev/pool': 'node', 'kzero.dev/code': 'https://code.example/x.tgz', 'kzero.dev/code-sha256': 'c'.repeat(64) })));
      pas.seed(podAutoscaler('hello-00001'));
    });

    const claimedPod = (name: string, at: number): V1Pod => pod(name, ofRevision('hello-00001'), ready,
      withPodLabels({ 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'claimed' }), withAnnotations({ 'kzero.dev/claimed-at': new Date(at).toISOString() }));
    const codeReady = (): Condition | undefined => pas.peek('default', 'hello-00001')?.status?.conditions?.find((c) => c.type === 'CodeReady');

    it('a poke at zero returns the claimed pods and does not patch the Deployment', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      const got = await poolScaler.poke('default', 'hello-00001');
      expect(got).to.deep.equal({ pods: [{ name: 'claimed-1', ip: '10.0.1.1' }, { name: 'claimed-2', ip: '10.0.1.2' }, { name: 'claimed-3', ip: '10.0.1.3' }] });
      expect([claims, scalePatches(), pods.writes()]).to.deep.equal([[['hello-00001', 3]], [], []]);
    });

    it('a partial claim scales the Deployment for the rest', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      outcomes.push(async () => ({ pods: [{ name: 'claimed-a', ip: '10.0.1.1' }], missed: 2, missReason: 'no warm pod', specialized: Promise.resolve(undefined) }));
      const got = await poolScaler.poke('default', 'hello-00001');
      expect(got.pods.map((p) => p.name)).to.deep.equal(['claimed-a']);
      expect(scalePatches()).to.deep.equal([['patch', 'default', 'hello-00001-deployment', 'scale', { spec: { replicas: 2 } }]]);
    });

    it('a poke with claimed pods (not yet in the informer) does not claim again, and answers with them (another activator may ask)', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      const first = await poolScaler.poke('default', 'hello-00001');
      expect(await poolScaler.poke('default', 'hello-00001')).to.deep.equal(first);
      expect(claims.length).to.equal(1);
      // Once the informer shows a claimed pod, the activators' informers do too: it is no longer in the answer.
      pods.seed(claimedPod('claimed-1', clock.now()));
      expect((await poolScaler.poke('default', 'hello-00001')).pods.map((p) => p.name)).to.deep.equal(['claimed-2', 'claimed-3']);
    });

    it('a poke answers without the pending claimed pods a scale-down is deleting', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      await poolScaler.poke('default', 'hello-00001');
      decider('hello-00001').desired = 1;
      await poolScaler.tick(); // 3 -> 1: two claimed pods deleted before the informer ever showed them
      const left = (await poolScaler.poke('default', 'hello-00001')).pods.map((p) => p.name);
      const deleted = pods.writes().filter((a) => a.verb === 'delete').map((a) => a.name);
      expect([left.length, deleted.length, left.some((n) => deleted.includes(n))]).to.deep.equal([1, 2, false]);
    });

    it('a poke that arrives while a tick claims for the revision gets the tick\'s pods, without waiting for its status write', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      decider('hello-00001').desired = 3;
      let land!: () => void;
      const slowStatus = new Promise<void>((r) => (land = r));
      const realPatch = pas.patch.bind(pas);
      pas.patch = (async (...args: Parameters<typeof pas.patch>) => { await slowStatus; return realPatch(...args); }) as typeof pas.patch;
      const tick = poolScaler.tick();
      await new Promise((r) => setImmediate(r));
      const poked = await poolScaler.poke('default', 'hello-00001');
      expect([poked.pods.map((p) => p.name), claims.length]).to.deep.equal([['claimed-1', 'claimed-2', 'claimed-3'], 1]);
      land();
      await tick;
    });

    it('a code failure writes CodeReady False as soon as the claimed pod reports it; later pokes do not claim, the Deployment serves', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      let fail!: (f: { reason: string; message: string }) => void;
      const specialized = new Promise<{ reason: string; message: string } | undefined>((resolve) => (fail = resolve));
      outcomes.push(async (count) => ({ pods: [{ name: 'claimed-a', ip: '10.0.1.1' }], missed: count - 1, missReason: 'no warm pod', specialized }));
      const got = await poolScaler.poke('default', 'hello-00001');
      expect(got).to.deep.equal({ pods: [{ name: 'claimed-a', ip: '10.0.1.1' }] }, 'the poke answers once the pod is taken, before it has loaded the code');
      expect(codeReady()).to.equal(undefined);
      fail({ reason: 'CodePackageInvalid', message: 'sha256 mismatch' });
      await new Promise((r) => setImmediate(r));
      expect(codeReady()).to.deep.equal(cond('CodeReady', 'False', 'CodePackageInvalid', 'sha256 mismatch', { severity: 'Info' }));
      expect(pas.peek('default', 'hello-00001')?.status?.desiredScale).to.equal(3);
      expect(scalePatches()).to.deep.equal([['patch', 'default', 'hello-00001-deployment', 'scale', { spec: { replicas: 2 } }]]);
      // Back at zero: the next poke goes straight to the Deployment.
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      clock.advance(60_000);
      await poolScaler.poke('default', 'hello-00001');
      expect(claims).to.deep.equal([['hello-00001', 3]]);
      expect(scalePatches().length).to.equal(2);
    });

    it('a PodAutoscaler already CodeReady False (another autoscaler saw it) does not claim', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      pas.seed(podAutoscaler('hello-00001', (p) => void (p.status = { conditions: [cond('CodeReady', 'False', 'CodeFetchFailed', 'x')] })));
      await poolScaler.poke('default', 'hello-00001');
      expect([claims, scalePatches()]).to.deep.equal([[], [['patch', 'default', 'hello-00001-deployment', 'scale', { spec: { replicas: 3 } }]]]);
    });

    it('a successful claim marks CodeReady True on the next status write', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      await poolScaler.poke('default', 'hello-00001');
      decider('hello-00001').desired = 3;
      await poolScaler.tick();
      expect(codeReady()).to.deep.equal(cond('CodeReady', 'True', undefined, undefined, { severity: 'Info' }));
    });

    const downs: Array<{ name: string; replicas: number; desired: number; deletes: string[]; scale: number | undefined }> = [
      { name: 'down by one: the newest claimed pod goes', replicas: 1, desired: 3, deletes: ['c3'], scale: undefined },
      { name: 'down past the claimed pods: all of them (newest first), then replicas', replicas: 2, desired: 1, deletes: ['c3', 'c2', 'c1'], scale: 1 },
      { name: 'down to zero', replicas: 1, desired: 0, deletes: ['c3', 'c2', 'c1'], scale: 0 },
      { name: 'up: the claimer is asked for the rest', replicas: 1, desired: 6, deletes: [], scale: undefined },
    ];
    for (const c of downs) {
      it(`tick: ${c.name}`, async () => {
        deployments.seed(deployment('hello-00001-deployment', withReplicas(c.replicas)));
        pods.seed(claimedPod('c1', T0 - 30_000), claimedPod('c3', T0 - 10_000), claimedPod('c2', T0 - 20_000));
        decider('hello-00001').desired = c.desired;
        await poolScaler.tick();
        expect(pods.writes().map((a) => [a.verb, a.name])).to.deep.equal(c.deletes.map((d) => ['delete', d]));
        expect(scalePatches()).to.deep.equal(c.scale === undefined ? [] : [['patch', 'default', 'hello-00001-deployment', 'scale', { spec: { replicas: c.scale } }]]);
        expect(claims).to.deep.equal(c.desired > c.replicas + 3 ? [['hello-00001', c.desired - c.replicas - 3]] : []);
      });
    }

    it('deleted claimed pods the informer still shows are not counted (nor deleted) again', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      pods.seed(claimedPod('c1', T0 - 30_000), claimedPod('c2', T0 - 20_000));
      for (const p of pods.all()) pods.setListerCopy(p);
      decider('hello-00001').desired = 1;
      await poolScaler.tick();
      clock.advance(1000);
      await poolScaler.tick();
      expect([pods.writes().map((a) => [a.verb, a.name]), claims]).to.deep.equal([[['delete', 'c2']], []]);
    });

    it('two concurrent pokes for one revision claim once', async () => {
      deployments.seed(deployment('hello-00001-deployment', withReplicas(0)));
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      outcomes.push(async (count) => {
        await gate;
        return { pods: Array.from({ length: count }, (_, i) => ({ name: `slow-${i}`, ip: `10.0.2.${i}` })), missed: 0, specialized: Promise.resolve(undefined) };
      });
      const first = poolScaler.poke('default', 'hello-00001');
      const second = poolScaler.poke('default', 'hello-00001');
      await new Promise((r) => setImmediate(r));
      release();
      const [a, b] = await Promise.all([first, second]);
      expect([a.pods.length, b.pods, claims, scalePatches()]).to.deep.equal([3, a.pods, [['hello-00001', 3]], []]);
    });
  });
});
