// Taking a warm pod (pure): which pods can be claimed, which one, and the patch.
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { pod, withAnnotations, withDeletionTimestamp, withLabels, withResourceVersion, type Opt } from '../../controller/testing/builders.js';
import { T0 } from '../../controller/testing/fake-clock.js';
import { claimable, claimPatch, pickWarmPod } from './claim.js';

const ready: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'True' }]);
const notReady: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'False' }]);
const withIP = (ip: string): Opt<V1Pod> => (p) => void ((p.status ??= {}).podIP = ip);
const inPool = (pool: string, state = 'warm'): Opt<V1Pod> => withLabels({ 'kzero.dev/pool': pool, 'kzero.dev/pool-state': state });
const good = (name: string, ...opts: Array<Opt<V1Pod>>): V1Pod => pod(name, inPool('node'), ready, withIP('10.0.0.1'), ...opts);
const names = (pods: V1Pod[]): string[] => pods.map((p) => p.metadata!.name!);

describe('autoscaler/pool claim', () => {
  describe('claimable', () => {
    const cases: Array<{ name: string; pod: V1Pod; taken?: string[]; want: boolean }> = [
      { name: 'a Ready warm pod of the pool with an IP', pod: good('p'), want: true },
      { name: 'another pool', pod: good('p', inPool('python')), want: false },
      { name: 'no pool label', pod: pod('p', withLabels({ 'kzero.dev/pool-state': 'warm' }), ready, withIP('10.0.0.1')), want: false },
      { name: 'claimed', pod: good('p', inPool('node', 'claimed')), want: false },
      { name: 'no state label', pod: pod('p', withLabels({ 'kzero.dev/pool': 'node' }), ready, withIP('10.0.0.1')), want: false },
      { name: 'not Ready', pod: good('p', notReady), want: false },
      { name: 'no conditions', pod: pod('p', inPool('node'), withIP('10.0.0.1')), want: false },
      { name: 'no IP', pod: pod('p', inPool('node'), ready), want: false },
      { name: 'being deleted', pod: good('p', withDeletionTimestamp()), want: false },
      { name: 'taken by us already', pod: good('p'), taken: ['pod-p-uid'], want: false },
      { name: 'another pod taken', pod: good('p'), taken: ['pod-q-uid'], want: true },
    ];
    for (const c of cases) it(c.name, () => expect(claimable([c.pod], 'node', new Set(c.taken)).length === 1).to.equal(c.want));

    it('keeps the order of the pods', () => {
      expect(names(claimable([good('a'), good('b', notReady), good('c'), good('d')], 'node', new Set(['pod-d-uid'])))).to.deep.equal(['a', 'c']);
    });
  });

  describe('pickWarmPod', () => {
    const pods = [good('a'), good('b'), good('c'), good('d')];
    const cases: Array<{ random: number; want: string }> = [
      { random: 0, want: 'a' },
      { random: 0.24, want: 'a' },
      { random: 0.25, want: 'b' },
      { random: 0.5, want: 'c' },
      { random: 0.99, want: 'd' },
      // A random() of 1 (outside [0, 1)) still picks the last.
      { random: 1, want: 'd' },
    ];
    for (const c of cases) it(`random ${c.random} of 4 picks ${c.want}`, () => expect(pickWarmPod(pods, () => c.random)?.metadata?.name).to.equal(c.want));
    it('none to pick: undefined, random not needed', () => expect(pickWarmPod([], () => { throw new Error('not called'); })).to.equal(undefined));
  });

  describe('claimPatch', () => {
    const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'hello-00001', uid: 'rev-uid', controller: true };
    const revLabels = { 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/service': 'hello', 'kzero.dev/pool': 'wrong' };

    it('tests that the pod is still labelled warm, then replaces labels and owners, and adds claimed-at to the annotations', () => {
      const p = good('p', withResourceVersion('42'), withLabels({ 'pod-template-hash': 'abc' }), withAnnotations({ 'kept': 'yes' }), (x) => void (x.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }]));
      expect(claimPatch(p, 'node', revLabels, owner, T0 + 1234)).to.deep.equal([
        { op: 'test', path: '/metadata/labels/kzero.dev~1pool-state', value: 'warm' },
        { op: 'add', path: '/metadata/labels', value: { 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/service': 'hello', 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'claimed' } },
        { op: 'add', path: '/metadata/ownerReferences', value: [owner] },
        { op: 'add', path: '/metadata/annotations', value: { kept: 'yes', 'kzero.dev/claimed-at': '2024-05-01T12:00:01.234Z' } },
      ]);
    });

    it('a pod without annotations: adds only claimed-at', () => {
      const ops = claimPatch(good('p'), 'node', {}, owner, T0);
      expect(ops[3]).to.deep.equal({ op: 'add', path: '/metadata/annotations', value: { 'kzero.dev/claimed-at': '2024-05-01T12:00:00.000Z' } });
    });
  });
});
