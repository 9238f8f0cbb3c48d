import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { ServingLabels } from '../api/serving/labels.js';
import type { Revision } from '../api/serving/v1/types.js';
import {
  pod, revision, withContainerPort, withDeletionTimestamp, withGeneration, withNamespace, withObservedGeneration, withPodLabels, withReadyCondition,
  withShard, type Opt,
} from '../testing/builders.js';
import { FakeClock, T0, flush } from '../testing/fake-clock.js';
import { RevisionRegistry, type RevisionState } from './revisions.js';

const withSpec = (spec: Partial<Revision['spec']>): Opt<Revision> => (r) => void Object.assign(r.spec, spec);
const ofRevision = (rev: string): Opt<V1Pod> => withPodLabels({ [ServingLabels.revision]: rev });
const withIP = (ip: string): Opt<V1Pod> => (p) => void ((p.status ??= {}).podIP = ip);
const ready: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'True' }]);
const notReady: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'False' }]);
const phase = (ph: string): Opt<V1Pod> => (p) => void ((p.status ??= {}).phase = ph);

/** What the activator reads of a revision's state, for exact comparison. */
function view(s: RevisionState | undefined): unknown {
  if (!s) return undefined;
  return {
    key: s.key, namespace: s.namespace, name: s.name, shard: s.shard, containerConcurrency: s.containerConcurrency, backendsCC: s.backends.containerConcurrency,
    timeoutMs: s.timeoutMs, responseStartTimeoutMs: s.responseStartTimeoutMs, port: s.port, failure: s.backends.failure,
  };
}

/** The ready IPs the backends hold, in order (acquired one by one with cc 1, then released). */
async function backendIPs(s: RevisionState): Promise<string[]> {
  const cc = s.backends.containerConcurrency;
  s.backends.containerConcurrency = 1;
  const slots = [];
  for (let i = 0; i < s.backends.readyCount; i++) slots.push(await s.backends.acquire(0, new AbortController().signal));
  for (const sl of slots) sl?.release();
  s.backends.containerConcurrency = cc;
  return slots.map((sl) => sl?.ip ?? '?');
}

describe('activator/revisions RevisionRegistry', () => {
  let clock: FakeClock;
  let reg: RevisionRegistry;
  beforeEach(() => {
    clock = new FakeClock();
    reg = new RevisionRegistry(clock);
  });

  describe('upsertRevision', () => {
    const cases: Array<{ name: string; rev: Revision; want: unknown }> = [
      {
        name: 'defaults',
        rev: revision('hello-00001'),
        want: { key: 'default/hello-00001', namespace: 'default', name: 'hello-00001', shard: undefined, containerConcurrency: 0, backendsCC: 0, timeoutMs: 300_000, responseStartTimeoutMs: 300_000, port: 8080, failure: undefined },
      },
      {
        name: 'containerConcurrency, timeouts, port and shard from the Revision',
        rev: revision('hello-00002', withNamespace('team'), withShard('shard-3'), withContainerPort(9000), withSpec({ containerConcurrency: 3, timeoutSeconds: 30, responseStartTimeoutSeconds: 10 })),
        want: { key: 'team/hello-00002', namespace: 'team', name: 'hello-00002', shard: 'shard-3', containerConcurrency: 3, backendsCC: 3, timeoutMs: 30_000, responseStartTimeoutMs: 10_000, port: 9000, failure: undefined },
      },
      {
        name: 'the response-start timeout defaults to timeoutSeconds',
        rev: revision('hello-00003', withSpec({ timeoutSeconds: 45 })),
        want: { key: 'default/hello-00003', namespace: 'default', name: 'hello-00003', shard: undefined, containerConcurrency: 0, backendsCC: 0, timeoutMs: 45_000, responseStartTimeoutMs: 45_000, port: 8080, failure: undefined },
      },
      {
        name: 'the port is the first port of the first container that has one',
        rev: revision('hello-00004', (r) => void r.spec.containers.push({ name: 'sidecar', image: 'x', ports: [{ containerPort: 7070 }, { containerPort: 7071 }] })),
        want: { key: 'default/hello-00004', namespace: 'default', name: 'hello-00004', shard: undefined, containerConcurrency: 0, backendsCC: 0, timeoutMs: 300_000, responseStartTimeoutMs: 300_000, port: 7070, failure: undefined },
      },
      {
        name: 'Ready False at the observed generation: failed',
        rev: revision('hello-00005', withGeneration(2), withObservedGeneration(2), withReadyCondition('False', 'ExitCode1', 'Container failed with: boom')),
        want: { key: 'default/hello-00005', namespace: 'default', name: 'hello-00005', shard: undefined, containerConcurrency: 0, backendsCC: 0, timeoutMs: 300_000, responseStartTimeoutMs: 300_000, port: 8080, failure: 'revision "hello-00005" cannot become ready: ExitCode1: Container failed with: boom' },
      },
      {
        name: 'Ready False for an older generation: not failed (yet)',
        rev: revision('hello-00006', withGeneration(2), withObservedGeneration(1), withReadyCondition('False', 'ExitCode1', 'boom')),
        want: { key: 'default/hello-00006', namespace: 'default', name: 'hello-00006', shard: undefined, containerConcurrency: 0, backendsCC: 0, timeoutMs: 300_000, responseStartTimeoutMs: 300_000, port: 8080, failure: undefined },
      },
      {
        name: 'Ready Unknown: not failed',
        rev: revision('hello-00007', withObservedGeneration(), withReadyCondition('Unknown', 'Deploying')),
        want: { key: 'default/hello-00007', namespace: 'default', name: 'hello-00007', shard: undefined, containerConcurrency: 0, backendsCC: 0, timeoutMs: 300_000, responseStartTimeoutMs: 300_000, port: 8080, failure: undefined },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        reg.upsertRevision(c.rev);
        expect(view(reg.get(c.rev.metadata.namespace!, c.rev.metadata.name!))).to.deep.equal(c.want);
        expect([...reg.all()].map((s) => s.key)).to.deep.equal([`${c.rev.metadata.namespace}/${c.rev.metadata.name}`]);
      });
    }

    it('an update changes the same state in place (waiters and in-flight counts survive)', async () => {
      reg.upsertRevision(revision('hello-00001', withSpec({ containerConcurrency: 1 })));
      const s = reg.get('default', 'hello-00001')!;
      reg.upsertPod(pod('p1', ofRevision('hello-00001'), withIP('10.0.0.1'), ready));
      const slot = await s.backends.acquire(T0 + 1000, new AbortController().signal);
      expect(slot?.ip).to.equal('10.0.0.1');
      reg.upsertRevision(revision('hello-00001', withSpec({ containerConcurrency: 5, timeoutSeconds: 60 })));
      expect(reg.get('default', 'hello-00001')).to.equal(s);
      expect([s.containerConcurrency, s.backends.containerConcurrency, s.timeoutMs, s.backends.inflight, s.backends.readyCount]).to.deep.equal([5, 5, 60_000, 1, 1]);
    });

    it('a failing revision wakes its waiting requests with undefined at once', async () => {
      reg.upsertRevision(revision('hello-00001'));
      const s = reg.get('default', 'hello-00001')!;
      let got: unknown = 'pending';
      void s.backends.acquire(T0 + 300_000, new AbortController().signal).then((x) => (got = x));
      await flush();
      expect([got, s.backends.waiting]).to.deep.equal(['pending', 1]);
      reg.upsertRevision(revision('hello-00001', withObservedGeneration(), withReadyCondition('False', 'ImagePullBackOff', 'no such image')));
      await flush();
      expect([got, s.backends.waiting, s.backends.failure]).to.deep.equal([undefined, 0, 'revision "hello-00001" cannot become ready: ImagePullBackOff: no such image']);
    });

    it('a failure clears when the revision recovers', () => {
      reg.upsertRevision(revision('hello-00001', withObservedGeneration(), withReadyCondition('False', 'ExitCode1', 'boom')));
      expect(reg.get('default', 'hello-00001')!.backends.failure).to.equal('revision "hello-00001" cannot become ready: ExitCode1: boom');
      reg.upsertRevision(revision('hello-00001', withObservedGeneration(), withReadyCondition('True')));
      expect(reg.get('default', 'hello-00001')!.backends.failure).to.equal(undefined);
    });

    it('deleteRevision fails its waiters and forgets it', async () => {
      reg.upsertRevision(revision('hello-00001'));
      const s = reg.get('default', 'hello-00001')!;
      let got: unknown = 'pending';
      void s.backends.acquire(T0 + 300_000, new AbortController().signal).then((x) => (got = x));
      await flush();
      reg.deleteRevision(revision('hello-00001'));
      await flush();
      expect([got, s.backends.failure, reg.get('default', 'hello-00001'), [...reg.all()].length]).to.deep.equal([undefined, 'revision "hello-00001" was deleted', undefined, 0]);
    });
  });

  describe('pods', () => {
    const rev = 'hello-00001';
    const cases: Array<{ name: string; pods: V1Pod[]; ready: string[]; starting: string[] }> = [
      { name: 'no pods', pods: [], ready: [], starting: [] },
      { name: 'a Ready pod is a backend', pods: [pod('p1', ofRevision(rev), withIP('10.0.0.1'), ready)], ready: ['10.0.0.1'], starting: [] },
      { name: 'a running pod with an IP, not Ready yet, is starting', pods: [pod('p1', ofRevision(rev), withIP('10.0.0.1'))], ready: [], starting: ['10.0.0.1'] },
      { name: 'Ready False is starting', pods: [pod('p1', ofRevision(rev), withIP('10.0.0.1'), notReady)], ready: [], starting: ['10.0.0.1'] },
      { name: 'a pod without an IP is neither', pods: [pod('p1', ofRevision(rev)), pod('p2', ofRevision(rev), ready)], ready: [], starting: [] },
      { name: 'a terminating pod is dropped, even Ready', pods: [pod('p1', ofRevision(rev), withIP('10.0.0.1'), ready, withDeletionTimestamp()), pod('p2', ofRevision(rev), withIP('10.0.0.2'), withDeletionTimestamp())], ready: [], starting: [] },
      { name: 'Failed and Succeeded pods are not starting', pods: [pod('p1', ofRevision(rev), withIP('10.0.0.1'), phase('Failed')), pod('p2', ofRevision(rev), withIP('10.0.0.2'), phase('Succeeded'))], ready: [], starting: [] },
      { name: 'a Pending pod with an IP is starting', pods: [pod('p1', ofRevision(rev), withIP('10.0.0.1'), phase('Pending'))], ready: [], starting: ['10.0.0.1'] },
      {
        name: 'a mix',
        pods: [
          pod('p1', ofRevision(rev), withIP('10.0.0.1'), ready),
          pod('p2', ofRevision(rev), withIP('10.0.0.2')),
          pod('p3', ofRevision(rev), withIP('10.0.0.3'), ready),
          pod('p4', ofRevision(rev), withIP('10.0.0.4'), ready, withDeletionTimestamp()),
          pod('p5', ofRevision('other-00001'), withIP('10.0.0.5'), ready),
          pod('p6', ofRevision(rev), withNamespace('team'), withIP('10.0.0.6'), ready),
          pod('p7', withIP('10.0.0.7'), ready),
        ],
        ready: ['10.0.0.1', '10.0.0.3'], starting: ['10.0.0.2'],
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        reg.upsertRevision(revision(rev));
        for (const p of c.pods) reg.upsertPod(p);
        const s = reg.get('default', rev)!;
        expect({ ready: await backendIPs(s), starting: s.starting }).to.deep.equal({ ready: c.ready, starting: c.starting });
      });
    }

    it('pods seen before their revision are used when it arrives', async () => {
      reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1'), ready));
      reg.upsertPod(pod('p2', ofRevision(rev), withIP('10.0.0.2')));
      expect(reg.get('default', rev)).to.equal(undefined);
      reg.upsertRevision(revision(rev));
      const s = reg.get('default', rev)!;
      expect({ ready: await backendIPs(s), starting: s.starting }).to.deep.equal({ ready: ['10.0.0.1'], starting: ['10.0.0.2'] });
    });

    it('a pod update moves it from starting to ready, a delete removes it; waiters are woken', async () => {
      reg.upsertRevision(revision(rev));
      const s = reg.get('default', rev)!;
      let got: unknown = 'pending';
      void s.backends.acquire(T0 + 60_000, new AbortController().signal).then((x) => (got = x));
      reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1')));
      await flush();
      expect([got, s.starting, s.backends.readyCount]).to.deep.equal(['pending', ['10.0.0.1'], 0]);
      reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1'), ready));
      await flush();
      expect([(got as { ip: string } | undefined)?.ip, s.starting, s.backends.readyCount]).to.deep.equal(['10.0.0.1', [], 1]);
      reg.deletePod(pod('p1', ofRevision(rev)));
      expect([s.starting, s.backends.readyCount]).to.deep.equal([[], 0]);
    });

    it('deletePod of an unknown pod, and pods without a revision label, change nothing', async () => {
      reg.upsertRevision(revision(rev));
      reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1'), ready));
      reg.deletePod(pod('nope', ofRevision(rev)));
      reg.deletePod(pod('p1'));
      reg.upsertPod(pod('p9', withIP('10.0.0.9'), ready));
      expect(await backendIPs(reg.get('default', rev)!)).to.deep.equal(['10.0.0.1']);
    });

    describe('probed pods (found serving by the direct prober before the kubelet)', () => {
      /** What the prober does when a starting pod answers. */
      const probe = (s: RevisionState, ip: string): void => {
        s.probed.add(ip);
        s.backends.addPod(ip);
      };

      it('stay backends while their pod is starting', async () => {
        reg.upsertRevision(revision(rev));
        reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1')));
        reg.upsertPod(pod('p2', ofRevision(rev), withIP('10.0.0.2')));
        const s = reg.get('default', rev)!;
        probe(s, '10.0.0.2');
        expect(await backendIPs(s)).to.deep.equal(['10.0.0.2']);
        // Another pod event rebuilds the backends: the probed pod stays.
        reg.upsertPod(pod('p3', ofRevision(rev), withIP('10.0.0.3'), ready));
        expect({ ready: await backendIPs(s), starting: s.starting, probed: [...s.probed] }).to.deep.equal({ ready: ['10.0.0.3', '10.0.0.2'], starting: ['10.0.0.1', '10.0.0.2'], probed: ['10.0.0.2'] });
        // So does a revision update.
        reg.upsertRevision(revision(rev, withSpec({ containerConcurrency: 2 })));
        expect(await backendIPs(s)).to.deep.equal(['10.0.0.3', '10.0.0.2']);
      });

      it('are forgotten once Ready (then a plain backend), and dropped when terminating or gone', async () => {
        reg.upsertRevision(revision(rev));
        reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1')));
        reg.upsertPod(pod('p2', ofRevision(rev), withIP('10.0.0.2')));
        reg.upsertPod(pod('p3', ofRevision(rev), withIP('10.0.0.3')));
        const s = reg.get('default', rev)!;
        probe(s, '10.0.0.1');
        probe(s, '10.0.0.2');
        probe(s, '10.0.0.3');
        reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1'), ready));
        expect({ ready: await backendIPs(s), probed: [...s.probed].sort() }).to.deep.equal({ ready: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], probed: ['10.0.0.2', '10.0.0.3'] });
        reg.upsertPod(pod('p2', ofRevision(rev), withIP('10.0.0.2'), withDeletionTimestamp()));
        reg.deletePod(pod('p3', ofRevision(rev)));
        expect({ ready: await backendIPs(s), starting: s.starting, probed: [...s.probed] }).to.deep.equal({ ready: ['10.0.0.1'], starting: [], probed: [] });
      });

      it('a probed pod that failed is dropped', async () => {
        reg.upsertRevision(revision(rev));
        reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1')));
        const s = reg.get('default', rev)!;
        probe(s, '10.0.0.1');
        reg.upsertPod(pod('p1', ofRevision(rev), withIP('10.0.0.1'), phase('Failed')));
        expect({ ready: await backendIPs(s), starting: s.starting, probed: [...s.probed] }).to.deep.equal({ ready: [], starting: [], probed: [] });
      });
    });
  });

  describe('announce (pods claimed from a warm pool, as the autoscaler answered a poke)', () => {
    const rev = 'hello-00001';
    const claimed: Opt<V1Pod> = withPodLabels({ 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'claimed' });
    const announced = (s: RevisionState): string[] => [...s.announced.keys()].sort();
    const pooled = (s: RevisionState): string[] => [...s.pooled].sort();

    it('announced IPs serve at once and are pooled', async () => {
      reg.upsertRevision(revision(rev));
      const s = reg.get('default', rev)!;
      let got: unknown = 'pending';
      void s.backends.acquire(T0 + 60_000, new AbortController().signal).then((x) => (got = (x as { ip: string } | undefined)?.ip));
      reg.announce(s, ['10.0.1.1', '10.0.1.2']);
      await flush();
      expect({ woken: ['10.0.1.1', '10.0.1.2'].includes(got as string), readyCount: s.backends.readyCount, announced: announced(s), pooled: pooled(s) }).to.deep.equal({
        woken: true, readyCount: 2, announced: ['10.0.1.1', '10.0.1.2'], pooled: ['10.0.1.1', '10.0.1.2'],
      });
    });

    it('an announced IP leaves `announced` when the informer shows its pod; a claimed pod stays pooled and serving', async () => {
      reg.upsertRevision(revision(rev));
      const s = reg.get('default', rev)!;
      reg.announce(s, ['10.0.1.1', '10.0.1.2']);
      reg.upsertPod(pod('c1', ofRevision(rev), claimed, withIP('10.0.1.1'), ready));
      expect({ ips: (await backendIPs(s)).sort(), announced: announced(s), pooled: pooled(s) }).to.deep.equal({
        ips: ['10.0.1.1', '10.0.1.2'], announced: ['10.0.1.2'], pooled: ['10.0.1.1', '10.0.1.2'],
      });
    });

    it('announced IPs lapse after 30 s without the informer (at the next refresh)', async () => {
      reg.upsertRevision(revision(rev));
      const s = reg.get('default', rev)!;
      reg.announce(s, ['10.0.1.1']);
      clock.advance(30_000);
      reg.upsertPod(pod('d1', ofRevision(rev), withIP('10.0.0.1'), ready));
      expect({ ips: (await backendIPs(s)).sort(), announced: announced(s) }, 'at 30 s').to.deep.equal({ ips: ['10.0.0.1', '10.0.1.1'], announced: ['10.0.1.1'] });
      clock.advance(1);
      reg.upsertRevision(revision(rev));
      expect({ ips: await backendIPs(s), announced: announced(s), pooled: pooled(s) }, 'after 30 s').to.deep.equal({ ips: ['10.0.0.1'], announced: [], pooled: [] });
    });

    it('expireAnnounced drops them after 30 s even with no event', async () => {
      reg.upsertRevision(revision(rev));
      const s = reg.get('default', rev)!;
      reg.announce(s, ['10.0.1.1']);
      clock.advance(30_000);
      reg.expireAnnounced();
      expect(announced(s), 'at 30 s').to.deep.equal(['10.0.1.1']);
      clock.advance(1);
      reg.expireAnnounced();
      expect({ ips: await backendIPs(s), announced: announced(s) }, 'after 30 s').to.deep.equal({ ips: [], announced: [] });
    });

    it('announcing again renews the 30 s', () => {
      reg.upsertRevision(revision(rev));
      const s = reg.get('default', rev)!;
      reg.announce(s, ['10.0.1.1']);
      clock.advance(20_000);
      reg.announce(s, ['10.0.1.1']);
      clock.advance(20_000);
      reg.upsertRevision(revision(rev));
      expect([announced(s), s.backends.readyCount]).to.deep.equal([['10.0.1.1'], 1]);
    });

    it('pods labelled pool-state=claimed are pooled; Deployment pods are not', () => {
      reg.upsertRevision(revision(rev));
      reg.upsertPod(pod('c1', ofRevision(rev), claimed, withIP('10.0.1.1'), ready));
      reg.upsertPod(pod('c2', ofRevision(rev), claimed, withIP('10.0.1.2')));
      reg.upsertPod(pod('d1', ofRevision(rev), withPodLabels({ 'kzero.dev/pool': 'node' }), withIP('10.0.0.1'), ready));
      reg.upsertPod(pod('c3', ofRevision(rev), claimed, withIP('10.0.1.3'), ready, withDeletionTimestamp()));
      const s = reg.get('default', rev)!;
      expect([pooled(s), s.backends.readyCount]).to.deep.equal([['10.0.1.1', '10.0.1.2'], 2]);
      reg.deletePod(pod('c1', ofRevision(rev)));
      expect(pooled(s)).to.deep.equal(['10.0.1.2']);
    });
  });
});
