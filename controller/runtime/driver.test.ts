import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { Service } from '../../api/serving/v1/types.js';
import { KubeApiError } from '../../lib/kube/rest.js';
import { NOW, service, withGeneration, withObservedGeneration, withResourceVersion, withURL } from '../../testing/builders.js';
import { FakeCluster, silentLogger } from '../../testing/cluster.js';
import { flush } from '../../testing/fake-clock.js';
import { Controller, keyOf, type KindReconciler } from './driver.js';
import { PermanentError, type ReconcileResult } from './errors.js';
import { controllerMetrics } from './metrics.js';

type Body = (obj: Service, now: Date) => Promise<ReconcileResult | void> | ReconcileResult | void;

/** A reconciler that runs `body` and remembers what it saw. */
class Scripted implements KindReconciler<Service> {
  readonly kind = 'Service';
  readonly seen: Array<{ key: string; now: string; resourceVersion: string | undefined }> = [];
  constructor(private readonly body: Body = () => undefined) {}

  async reconcile(obj: Service, now: Date): Promise<ReconcileResult | void> {
    this.seen.push({ key: keyOf(obj), now: now.toISOString(), resourceVersion: obj.metadata.resourceVersion });
    return this.body(obj, now);
  }
}

/** Sets observedGeneration, as every real reconciler does. */
const observe: Body = (s) => void ((s.status ??= {}).observedGeneration = s.metadata.generation);

function setup(body: Body, ...objs: Service[]): { c: FakeCluster; r: Scripted; ctl: Controller<Service> } {
  const c = new FakeCluster();
  c.seed(...objs);
  const r = new Scripted(body);
  return { c, r, ctl: c.controller(c.services, r) };
}

describe('runtime/driver Controller', () => {
  describe('process: status writes', () => {
    const cases: Array<{
      name: string; objs: Service[]; body: Body; setup?: (c: FakeCluster) => void;
      wantPatches: unknown[]; wantStored?: unknown; wantEvents?: string[]; wantRetries?: number;
    }> = [
      {
        name: 'status unchanged: no write',
        objs: [service('foo', withObservedGeneration(1))],
        body: observe,
        wantPatches: [],
        wantStored: { observedGeneration: 1 },
      },
      {
        name: 'status changed: one merge patch of the status subresource, without resourceVersion',
        objs: [service('foo', withGeneration(3), withObservedGeneration(2))],
        body: observe,
        wantPatches: [{ verb: 'patch', subresource: 'status', patch: { status: { observedGeneration: 3 } } }],
        wantStored: { observedGeneration: 3 },
      },
      {
        name: 'a first status on an object without one',
        objs: [service('foo')],
        body: observe,
        wantPatches: [{ verb: 'patch', subresource: 'status', patch: { status: { observedGeneration: 1 } } }],
        wantStored: { observedGeneration: 1 },
      },
      {
        name: 'a field the reconciler dropped is sent as null, so the merge patch removes it',
        objs: [service('foo', withObservedGeneration(1), withURL('http://old'))],
        body: (s) => void delete s.status?.url,
        wantPatches: [{ verb: 'patch', subresource: 'status', patch: { status: { observedGeneration: 1, url: null } } }],
        wantStored: { observedGeneration: 1 },
      },
      {
        name: 'a stale cache (older resourceVersion) does not conflict: the status lands on the newest object',
        objs: [service('foo', withResourceVersion('12'), withObservedGeneration(1))],
        setup: (c) => c.services.setListerCopy(service('foo', withResourceVersion('10'))),
        body: observe,
        wantPatches: [{ verb: 'patch', subresource: 'status', patch: { status: { observedGeneration: 1 } } }],
        wantStored: { observedGeneration: 1 },
      },
      {
        name: 'the object was deleted meanwhile (404 on the status write): nothing to report',
        objs: [],
        setup: (c) => c.services.setListerCopy(service('foo', withResourceVersion('1'))),
        body: observe,
        wantPatches: [{ verb: 'patch', subresource: 'status', patch: { status: { observedGeneration: 1 } }, error: 'NotFound' }],
      },
      {
        name: 'a failing status write is a reconcile error: Warning event, retry',
        objs: [service('foo')],
        setup: (c) => c.services.failOn('patch', new KubeApiError(500, 'InternalError', 'etcd timeout')),
        body: observe,
        wantPatches: [{ verb: 'patch', subresource: 'status', patch: { status: { observedGeneration: 1 } }, error: 'InternalError' }],
        wantEvents: ['Warning InternalError etcd timeout'],
        wantRetries: 1,
      },
      {
        name: 'reconcile failed: the status (saying why) is still written, then Warning and retry',
        objs: [service('foo')],
        body: (s) => {
          s.status = { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'Bad', message: 'bad' }] };
          throw new Error('could not create child');
        },
        wantPatches: [{ verb: 'patch', subresource: 'status', patch: { status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'Bad', message: 'bad' }] } } }],
        wantStored: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'Bad', message: 'bad' }] },
        wantEvents: ['Warning InternalError could not create child'],
        wantRetries: 1,
      },
    ];

    for (const tc of cases) {
      it(tc.name, async () => {
        const { c, ctl } = setup(tc.body, ...tc.objs);
        tc.setup?.(c);
        await ctl.process('default/foo');
        const patches = c.services.writes().map((a) => ({ verb: a.verb, subresource: a.subresource, patch: a.patch, ...(a.error ? { error: a.error } : {}) }));
        expect(patches).to.deep.equal(tc.wantPatches);
        if (tc.wantStored !== undefined) expect(c.services.peek('default', 'foo')?.status).to.deep.equal(tc.wantStored);
        expect(c.events.events).to.deep.equal(tc.wantEvents ?? []);
        expect(ctl.queue.retries('default/foo')).to.equal(tc.wantRetries ?? 0);
      });
    }

    describe('our own status write, not yet in the cache', () => {
      /** Stamps a condition with the reconcile's time, as ConditionManager does on a transition. */
      const stamp: Body = (s, now) => {
        const ready = s.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready) return;
        s.status = { ...s.status, observedGeneration: s.metadata.generation, conditions: [{ type: 'Ready', status: 'Unknown', lastTransitionTime: now.toISOString() }] };
      };

      it('the next reconcile starts from what was written: no second write with a fresh timestamp', async () => {
        const { c, r, ctl } = setup(stamp, service('foo', withResourceVersion('5')));
        c.services.setListerCopy(service('foo', withResourceVersion('5'))); // the informer never catches up here
        await ctl.process('default/foo');
        c.clock.advance(1000);
        await ctl.process('default/foo');
        expect(c.services.writes()).to.have.length(1);
        expect(r.seen.map((s) => s.resourceVersion)).to.deep.equal(['5', c.services.peek('default', 'foo')?.metadata.resourceVersion]);
      });

      it('once the cache shows a newer object, that object is what is reconciled', async () => {
        const { c, r, ctl } = setup(stamp, service('foo', withResourceVersion('5')));
        c.services.setListerCopy(service('foo', withResourceVersion('5')));
        await ctl.process('default/foo');
        c.services.setListerCopy(service('foo', withResourceVersion('99'))); // someone wiped the status since
        c.clock.advance(1000);
        await ctl.process('default/foo');
        expect(r.seen.map((s) => s.resourceVersion)).to.deep.equal(['5', '99']);
        expect(c.services.writes()).to.have.length(2);
      });
    });

    describe('a new object\'s first status, while it converges', () => {
      const unknown: Body = (s) => void (s.status = { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'Unknown', reason: 'RevisionMissing' }] });
      const ready: Body = (s) => void (s.status = { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] });
      const failed: Body = (s) => void (s.status = { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'RevisionFailed' }] });
      const created = (ageMs: number) => (s: Service): void => void (s.metadata.creationTimestamp = new Date(Date.parse(NOW) - ageMs) as never);
      const graced = (body: Body, obj: Service): { c: FakeCluster; ctl: Controller<Service> } => {
        const c = new FakeCluster();
        c.seed(obj);
        return { c, ctl: new Controller<Service>({ ...c.controllerDeps(c.services, new Scripted(body)), firstStatusGraceMs: 5000 }) };
      };
      const cases: Array<{ name: string; body: Body; ageMs: number; hasStatus?: boolean; wantWrites: number; wantRequeueMs?: number }> = [
        { name: 'Unknown, 1 s old: held, looked at again when the grace ends', body: unknown, ageMs: 1000, wantWrites: 0, wantRequeueMs: 4000 },
        { name: 'Unknown, 6 s old: written', body: unknown, ageMs: 6000, wantWrites: 1 },
        { name: 'Ready True at once: written', body: ready, ageMs: 0, wantWrites: 1 },
        { name: 'Ready False at once: written (failures are never held)', body: failed, ageMs: 0, wantWrites: 1 },
        { name: 'not a first status (an update of a converging object): written', body: unknown, ageMs: 0, hasStatus: true, wantWrites: 1 },
      ];
      for (const tc of cases) {
        it(tc.name, async () => {
          const { c, ctl } = graced(tc.body, service('foo', created(tc.ageMs), ...(tc.hasStatus ? [withObservedGeneration(0)] : [])));
          await ctl.process('default/foo');
          expect(c.services.writes()).to.have.length(tc.wantWrites);
          if (tc.wantRequeueMs !== undefined) {
            c.clock.advance(tc.wantRequeueMs - 1);
            expect(ctl.queue.depth).to.equal(0);
            c.clock.advance(1);
            expect(ctl.queue.depth).to.equal(1);
          }
        });
      }
    });

    it('reconciles a copy: the cached object is not mutated, and `now` is the clock\'s', async () => {
      const { c, r, ctl } = setup((s) => {
        s.metadata.labels = { mutated: 'yes' };
        observe(s, new Date());
      }, service('foo'));
      await ctl.process('default/foo');
      expect(r.seen).to.deep.equal([{ key: 'default/foo', now: NOW, resourceVersion: '1' }]);
      expect(c.services.peek('default', 'foo')?.metadata.labels).to.equal(undefined);
    });

    it('a deleted object: not reconciled, no call, its back-off forgotten', async () => {
      const { c, r, ctl } = setup(observe);
      ctl.queue.addRateLimited('default/foo');
      await ctl.process('default/foo');
      expect([r.seen.length, c.log.length, ctl.queue.retries('default/foo')]).to.deep.equal([0, 0, 0]);
    });

    it('an object being deleted: not reconciled (its children are not recreated), no call, its back-off forgotten', async () => {
      const { c, r, ctl } = setup(observe, service('foo', (s) => void (s.metadata.deletionTimestamp = new Date(NOW))));
      ctl.queue.addRateLimited('default/foo');
      await ctl.process('default/foo');
      expect([r.seen.length, c.log.length, ctl.queue.retries('default/foo')]).to.deep.equal([0, 0, 0]);
    });

    it('a cluster-scoped key ("/name") reads the object without a namespace', async () => {
      const { r, ctl } = setup(observe, service('global', (s) => void delete s.metadata.namespace));
      await ctl.process('/global');
      expect(r.seen.map((x) => x.key)).to.deep.equal(['/global']);
    });
  });

  describe('process: errors and retries', () => {
    it('a plain error: Warning InternalError on the object, retried with growing back-off', async () => {
      let fail = true;
      const { c, r, ctl } = setup(() => {
        if (fail) throw new Error('boom');
      }, service('foo', withObservedGeneration(1)));
      await ctl.process('default/foo');
      expect(c.events.events).to.deep.equal(['Warning InternalError boom']);
      expect(c.events.subjects).to.deep.equal(['default/foo']);
      expect(c.clock.pendingDelays()).to.deep.equal([5]);
      c.clock.advance(4);
      expect(ctl.queue.depth).to.equal(0);
      c.clock.advance(1);
      expect(ctl.queue.depth).to.equal(1);
      const key = await ctl.queue.get();
      await ctl.process(key!);
      ctl.queue.done(key!);
      expect(ctl.queue.retries('default/foo')).to.equal(2);
      expect(c.clock.pendingDelays()).to.deep.equal([10]);
      // Success forgets the back-off.
      fail = false;
      c.clock.advance(10);
      await ctl.process((await ctl.queue.get())!);
      expect([ctl.queue.retries('default/foo'), c.clock.pending, r.seen.length]).to.deep.equal([0, 0, 3]);
    });

    it('a PermanentError: Warning with its reason, not retried', async () => {
      const { c, ctl } = setup(() => {
        throw new PermanentError('spec.template is invalid', 'InvalidSpec');
      }, service('foo', withObservedGeneration(1)));
      ctl.queue.addRateLimited('default/foo'); // an earlier failure
      c.clock.advance(5);
      await ctl.process((await ctl.queue.get())!);
      expect(c.events.events).to.deep.equal(['Warning InvalidSpec spec.template is invalid']);
      expect([ctl.queue.retries('default/foo'), c.clock.pending]).to.deep.equal([0, 0]);
      c.clock.advance(120_000);
      expect(ctl.queue.depth).to.equal(0);
    });

    it('a PermanentError with the default reason', async () => {
      const { c, ctl } = setup(() => {
        throw new PermanentError('nope');
      }, service('foo'));
      await ctl.process('default/foo');
      expect(c.events.events).to.deep.equal(['Warning InternalError nope']);
    });

    it('a Conflict from reconcile (someone changed a child): retried quietly, no event', async () => {
      const { c, ctl } = setup(() => {
        throw new KubeApiError(409, 'Conflict', 'the object has been modified');
      }, service('foo', withObservedGeneration(1)));
      await ctl.process('default/foo');
      expect(c.events.events).to.deep.equal([]);
      expect([ctl.queue.retries('default/foo'), ...c.clock.pendingDelays()]).to.deep.equal([1, 5]);
    });

    it('a create refused because the namespace is being deleted: dropped quietly, no event, no retry', async () => {
      const { c, ctl } = setup(() => {
        throw new KubeApiError(403, 'Forbidden', 'unable to create new content in namespace default because it is being terminated', {
          causes: [{ reason: 'NamespaceTerminating', message: 'namespace default is being terminated', field: 'metadata.namespace' }],
        });
      }, service('foo', withObservedGeneration(1)));
      ctl.queue.addRateLimited('default/foo'); // an earlier failure
      c.clock.advance(5);
      await ctl.process((await ctl.queue.get())!);
      expect(c.events.events).to.deep.equal([]);
      expect([ctl.queue.retries('default/foo'), c.clock.pending]).to.deep.equal([0, 0]);
    });

    it('any other 403 is an error like the rest: Warning, retried', async () => {
      const { c, ctl } = setup(() => {
        throw new KubeApiError(403, 'Forbidden', 'deployments.apps is forbidden: User cannot create resource');
      }, service('foo', withObservedGeneration(1)));
      await ctl.process('default/foo');
      expect(c.events.events).to.deep.equal(['Warning InternalError deployments.apps is forbidden: User cannot create resource']);
      expect(ctl.queue.retries('default/foo')).to.equal(1);
    });

    it('requeueAfterMs: looked at again after that long, even without a change', async () => {
      const { c, ctl } = setup(() => ({ requeueAfterMs: 30_000 }), service('foo'));
      await ctl.process('default/foo');
      expect(c.clock.pendingDelays()).to.deep.equal([30_000]);
      c.clock.advance(30_000);
      expect(await ctl.queue.get()).to.equal('default/foo');
    });
  });

  describe('workers', () => {
    it('process queued keys; a key enqueued while in flight is processed again after, never twice at once', async () => {
      let release!: () => void;
      let inFlight = 0;
      let maxInFlight = 0;
      const c = new FakeCluster();
      c.seed(service('foo'), service('bar'));
      const r = new Scripted(async (s) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (s.metadata.name === 'foo' && r.seen.filter((x) => x.key === 'default/foo').length === 1) await new Promise<void>((res) => (release = res));
        inFlight--;
      });
      const ctl = new Controller<Service>({
        reconciler: r, lister: c.services.lister, client: c.services.asClient(), clock: c.clock, log: silentLogger(), events: c.events,
        metrics: controllerMetrics(new Registry()), workers: 3,
      });
      ctl.start();
      ctl.enqueueKey('default/foo');
      await flush();
      ctl.enqueueKey('default/foo'); // while foo is in flight
      ctl.enqueueKey('default/foo'); // de-duplicated
      ctl.enqueueKey('default/bar');
      await flush();
      expect(r.seen.map((x) => x.key)).to.deep.equal(['default/foo', 'default/bar']);
      release();
      await flush();
      await flush();
      expect(r.seen.map((x) => x.key)).to.deep.equal(['default/foo', 'default/bar', 'default/foo']);
      expect(maxInFlight).to.equal(2); // foo and bar together, never foo twice
      ctl.stop();
      ctl.enqueueKey('default/bar');
      await flush();
      expect(r.seen).to.have.length(3);
    });
  });
});
