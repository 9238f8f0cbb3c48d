// The pool's autosizing (pure): sizing from the spec, the target size from demand events at `now`.
import { expect } from 'chai';
import type { PodPoolSpec } from '../../../api/kzero/v1alpha1/types.js';
import { T0 } from '../../../testing/fake-clock.js';
import { countSince, poolSizing, poolTargetSize, type PoolSizing } from './autosize.js';

const template = { spec: { containers: [{ name: 'runtime', image: 'runtime:1' }] } };
const spec = (over: Partial<PodPoolSpec> = {}): PodPoolSpec => ({ template, ...over });
/** `n` events, `every` ms apart, the newest `offset` ms before T0. */
const events = (n: number, every: number, offset = 0): number[] => Array.from({ length: n }, (_, i) => T0 - offset - i * every);

describe('controller/podpool autosize', () => {
  describe('poolSizing', () => {
    const cases: Array<{ name: string; spec: PodPoolSpec; want: PoolSizing }> = [
      { name: 'defaults', spec: spec(), want: { minReady: 1, maxReady: 10, windowMs: 60_000, refillMs: 3_000, headroom: 0.5 } },
      { name: 'minReady and maxReady as given', spec: spec({ minReady: 2, maxReady: 4 }), want: { minReady: 2, maxReady: 4, windowMs: 60_000, refillMs: 3_000, headroom: 0.5 } },
      { name: 'minReady 0 is kept (not the default)', spec: spec({ minReady: 0 }), want: { minReady: 0, maxReady: 10, windowMs: 60_000, refillMs: 3_000, headroom: 0.5 } },
      { name: 'maxReady defaults to minReady when minReady is over 10', spec: spec({ minReady: 20 }), want: { minReady: 20, maxReady: 20, windowMs: 60_000, refillMs: 3_000, headroom: 0.5 } },
      { name: 'maxReady below minReady is raised to it', spec: spec({ minReady: 8, maxReady: 5 }), want: { minReady: 8, maxReady: 8, windowMs: 60_000, refillMs: 3_000, headroom: 0.5 } },
      {
        name: 'autosizing overrides, in ms and as a fraction',
        spec: spec({ autosizing: { windowSeconds: 120, refillSeconds: 10, headroomPercent: 0 } }),
        want: { minReady: 1, maxReady: 10, windowMs: 120_000, refillMs: 10_000, headroom: 0 },
      },
      { name: 'a partial autosizing keeps the other defaults', spec: spec({ autosizing: { headroomPercent: 100 } }), want: { minReady: 1, maxReady: 10, windowMs: 60_000, refillMs: 3_000, headroom: 1 } },
    ];
    for (const c of cases) it(c.name, () => expect(poolSizing(c.spec)).to.deep.equal(c.want));
  });

  describe('countSince', () => {
    const cases: Array<{ name: string; times: number[]; ms: number; want: number }> = [
      { name: 'none', times: [], ms: 1000, want: 0 },
      { name: 'now itself counts', times: [T0], ms: 1000, want: 1 },
      { name: 'exactly ms ago does not (the window is open at its start)', times: [T0 - 1000], ms: 1000, want: 0 },
      { name: 'just inside the window counts', times: [T0 - 999], ms: 1000, want: 1 },
      { name: 'future events do not count', times: [T0 + 1], ms: 1000, want: 0 },
      { name: 'a mix', times: [T0 + 5, T0, T0 - 1, T0 - 500, T0 - 1000, T0 - 5000], ms: 1000, want: 3 },
    ];
    for (const c of cases) it(c.name, () => expect(countSince(c.times, T0, c.ms)).to.equal(c.want));
  });

  describe('poolTargetSize', () => {
    const defaults = poolSizing(spec());
    const cases: Array<{ name: string; sizing?: PoolSizing; demand: number[]; want: number }> = [
      { name: 'idle: minReady', demand: [], want: 1 },
      { name: 'idle with minReady 0: 0', sizing: poolSizing(spec({ minReady: 0 })), demand: [], want: 0 },
      { name: 'idle with minReady 3: 3', sizing: poolSizing(spec({ minReady: 3 })), demand: [], want: 3 },
      // 1/s over the minute (and over the 6 s short window): ceil(1/s * 3 s * 1.5) = ceil(4.5)
      { name: 'steady 1/s: ceil(rate * refill * (1 + headroom)) = 5', demand: events(60, 1000, 500), want: 5 },
      // 1 every 3 s: ceil(1/3 per s * 3 s * 1.5) = ceil(1.5)
      { name: 'steady 1 per 3 s: 2', demand: events(20, 3000, 1500), want: 2 },
      { name: 'steady 1/s without headroom: 3', sizing: poolSizing(spec({ autosizing: { headroomPercent: 0 } })), demand: events(60, 1000, 500), want: 3 },
      { name: 'steady 1/s with a 10 s refill: ceil(15) = 15, clamped to maxReady 20', sizing: poolSizing(spec({ maxReady: 20, autosizing: { refillSeconds: 10 } })), demand: events(60, 1000, 500), want: 15 },
      // 10 in the last second: the 6 s short window sees 10/6 per s -> ceil(7.5); the long one alone would give ceil(0.75) = 1
      { name: 'a burst raises the target at once (short window = window/10)', demand: events(10, 100), want: 8 },
      { name: 'the same 10 events spread over the minute: only the long window, 1', demand: events(10, 6000, 3000), want: 1 },
      { name: 'clamped to maxReady', demand: events(100, 10), want: 10 },
      { name: 'clamped to a low maxReady', sizing: poolSizing(spec({ maxReady: 3 })), demand: events(60, 1000, 500), want: 3 },
      { name: 'events as old as the window or older are ignored', demand: [T0 - 60_000, T0 - 61_000, T0 - 600_000, ...events(50, 10, 60_000)], want: 1 },
      { name: 'future events are ignored', demand: events(50, 10, -1000), want: 1 },
      // window 5 s: the short window would be 0.5 s, but is at least 1 s; one event 0.8 s ago: ceil(1/s * 3 s * 1.5)
      { name: 'the short window is at least 1 s', sizing: poolSizing(spec({ autosizing: { windowSeconds: 5 } })), demand: [T0 - 800], want: 5 },
    ];
    for (const c of cases) it(c.name, () => expect(poolTargetSize(c.sizing ?? defaults, c.demand, T0)).to.equal(c.want));

    it('step by step: a burst raises the target, which falls back as the burst leaves the short and then the long window', () => {
      const demand = events(10, 100);
      const at = (ms: number): number => poolTargetSize(defaults, demand, T0 + ms);
      // 0 s: 10 in 6 s -> 8; 7 s: only the long window (10/min) -> ceil(0.75) = 1; 61 s: nothing left -> minReady.
      expect([at(0), at(5_000), at(7_000), at(61_000)]).to.deep.equal([8, 8, 1, 1]);
    });
  });
});
