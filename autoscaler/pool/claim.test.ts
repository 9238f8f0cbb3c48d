// Taking a warm pod (pure): which pods can be claimed, and which one.
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { pod, withDeletionTimestamp, withLabels, type Opt } from '../../testing/builders.js';
import { claimable, pickWarmPod } from './claim.js';

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
});
