import { expect } from 'chai';
import { pickPod, type PodSlot } from './balancer.js';

/** A random source that returns `values` in order and fails the test if asked for more. */
function scripted(values: number[]): { random: () => number; calls: () => number } {
  let i = 0;
  return {
    random: () => {
      const v = values[i++];
      if (v === undefined) throw new Error(`random() called ${i} times, scripted for ${values.length}`);
      return v;
    },
    calls: () => i,
  };
}

const pods = (...inflight: number[]): PodSlot[] => inflight.map((n, i) => ({ ip: `10.0.0.${i + 1}`, inflight: n }));

describe('activator/net/balancer pickPod', () => {
  describe('containerConcurrency 0: the less loaded of two random pods', () => {
    const cases: Array<{ name: string; pods: PodSlot[]; random: number[]; want: string | undefined; calls: number }> = [
      { name: 'no pods', pods: [], random: [], want: undefined, calls: 0 },
      { name: 'one pod: taken without a random draw, however loaded', pods: pods(500), random: [], want: '10.0.0.1', calls: 0 },
      { name: 'picks 0 and 1, 1 is less loaded', pods: pods(3, 1, 2), random: [0, 0.5], want: '10.0.0.2', calls: 2 },
      { name: 'picks 1 and 0, 1 is less loaded', pods: pods(3, 1, 2), random: [0.5, 0], want: '10.0.0.2', calls: 2 },
      { name: 'picks 2 and 0, 2 is less loaded', pods: pods(3, 1, 2), random: [0.99, 0.1], want: '10.0.0.3', calls: 2 },
      { name: 'picks 0 and 2, the most loaded pod 0 loses', pods: pods(3, 1, 2), random: [0.1, 0.99], want: '10.0.0.3', calls: 2 },
      { name: 'a tie goes to the first pick', pods: pods(2, 2, 2), random: [0.7, 0.1], want: '10.0.0.3', calls: 2 },
      { name: 'the same pod twice: the second pick moves to the next pod', pods: pods(4, 1, 9), random: [0, 0.2], want: '10.0.0.2', calls: 2 },
      { name: 'the same last pod twice: the second pick wraps to pod 0', pods: pods(0, 1, 9), random: [0.9, 0.8], want: '10.0.0.1', calls: 2 },
      { name: 'the same pod twice, next one busier: keeps the first', pods: pods(1, 5), random: [0, 0.1], want: '10.0.0.1', calls: 2 },
      { name: 'no limit: very loaded pods still take requests', pods: pods(1000, 2000), random: [0, 0.5], want: '10.0.0.1', calls: 2 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const r = scripted(c.random);
        const rr = { next: 0 };
        expect(pickPod(c.pods, 0, r.random, rr)?.ip).to.equal(c.want);
        expect(r.calls()).to.equal(c.calls);
        expect(rr.next).to.equal(0);
      });
    }
  });

  describe('containerConcurrency 1..3: the first pod with room', () => {
    const cases: Array<{ cc: number; pods: PodSlot[]; want: string | undefined }> = [
      { cc: 1, pods: pods(0, 0, 0), want: '10.0.0.1' },
      { cc: 1, pods: pods(1, 0, 0), want: '10.0.0.2' },
      { cc: 1, pods: pods(1, 1, 0), want: '10.0.0.3' },
      { cc: 1, pods: pods(1, 1, 1), want: undefined },
      { cc: 1, pods: [], want: undefined },
      { cc: 2, pods: pods(1, 0), want: '10.0.0.1' },
      { cc: 2, pods: pods(2, 1), want: '10.0.0.2' },
      { cc: 2, pods: pods(2, 2), want: undefined },
      { cc: 3, pods: pods(2, 0), want: '10.0.0.1' },
      { cc: 3, pods: pods(3, 3, 2), want: '10.0.0.3' },
      { cc: 3, pods: pods(3, 3, 3), want: undefined },
      { cc: 3, pods: pods(4, 3), want: undefined },
    ];
    for (const c of cases) {
      it(`cc=${c.cc}, inflight [${c.pods.map((p) => p.inflight).join(', ')}] -> ${c.want ?? 'none'}`, () => {
        const r = scripted([]);
        const rr = { next: 0 };
        expect(pickPod(c.pods, c.cc, r.random, rr)?.ip).to.equal(c.want);
        expect(r.calls()).to.equal(0);
        expect(rr.next).to.equal(0);
      });
    }
  });

  describe('containerConcurrency > 3: round robin over pods with room', () => {
    it('cycles over every pod when all have room', () => {
      const ps = pods(0, 0, 0);
      const rr = { next: 0 };
      const got = Array.from({ length: 7 }, () => pickPod(ps, 10, scripted([]).random, rr)?.ip);
      expect(got).to.deep.equal(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1']);
      expect(rr.next).to.equal(7);
    });

    const cases: Array<{ name: string; cc: number; pods: PodSlot[]; next: number; want: string | undefined; nextAfter: number }> = [
      { name: 'skips full pods: open [1, 3], next 0', cc: 4, pods: pods(0, 4, 2), next: 0, want: '10.0.0.1', nextAfter: 1 },
      { name: 'skips full pods: open [1, 3], next 1', cc: 4, pods: pods(0, 4, 2), next: 1, want: '10.0.0.3', nextAfter: 2 },
      { name: 'skips full pods: open [1, 3], next 2', cc: 4, pods: pods(0, 4, 2), next: 2, want: '10.0.0.1', nextAfter: 3 },
      { name: 'one open pod', cc: 10, pods: pods(10, 9, 10), next: 5, want: '10.0.0.2', nextAfter: 6 },
      { name: 'all full: undefined, the counter stays', cc: 10, pods: pods(10, 10), next: 3, want: undefined, nextAfter: 3 },
      { name: 'no pods', cc: 100, pods: [], next: 0, want: undefined, nextAfter: 0 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const rr = { next: c.next };
        expect(pickPod(c.pods, c.cc, scripted([]).random, rr)?.ip).to.equal(c.want);
        expect(rr.next).to.equal(c.nextAfter);
      });
    }
  });

  it('returns the pod object itself, so the caller can count the request on it', () => {
    const ps = pods(0);
    expect(pickPod(ps, 1, scripted([]).random, { next: 0 })).to.equal(ps[0]);
  });
});
