import { expect } from 'chai';
import { parseAutoscalerConfig } from '../../api/autoscaling/config-autoscaler.js';
import { revisionScalingSpec, type ScalingSpec } from '../config/revision-spec.js';
import { Decider, NO_DATA, pokeFromZero, reachedInitialScale, type Decision, type ScaleState } from './decider.js';

// Time in these tests: activators report second t at t*1000; the decider is asked at t*1000 + 500.
const S = 1000;
const at = (t: number): number => t * S + 500;

const config = parseAutoscalerConfig(undefined);
/** Knative's defaults (60s stable, 6s panic, 200% threshold, 30s grace) with a per-pod target of 1. */
const base = revisionScalingSpec(config, { 'autoscaling.knative.dev/target': '1', 'autoscaling.knative.dev/target-utilization-percentage': '100' }, 0, false);
const spec = (o: Partial<ScalingSpec> = {}): ScalingSpec => ({ ...base, ...o });

/** Records `concurrency` (and `requests`) for each second in [from, to). */
function feed(d: Decider, from: number, to: number, concurrency: number, requests = 0): void {
  for (let t = from; t < to; t++) d.record(t * S, { concurrency, requests });
}

/** Scales at every second in [from, to), as the autoscaler's tick would. */
function run(d: Decider, from: number, to: number, state: ScaleState): Decision[] {
  const out: Decision[] = [];
  for (let t = from; t < to; t++) out.push(d.scale(at(t), state));
  return out;
}

/** Each second in [from, to): records `concurrency`, then scales. */
function step(d: Decider, from: number, to: number, concurrency: number, state: ScaleState): Decision[] {
  const out: Decision[] = [];
  for (let t = from; t < to; t++) {
    d.record(t * S, { concurrency, requests: 0 });
    out.push(d.scale(at(t), state));
  }
  return out;
}

describe('scaling/decider', () => {
  describe('stable scaling: ceil(stable average / target)', () => {
    const cases: Array<{ name: string; s?: ScalingSpec; c: number; ready: number; want: number; panicking?: boolean }> = [
      { name: '10 concurrent requests, target 1 -> 10 pods', c: 10, ready: 10, want: 10 },
      { name: '5 concurrent, target 2 -> 3', s: spec({ target: 2 }), c: 5, ready: 3, want: 3 },
      { name: 'half a request -> 1', c: 0.5, ready: 1, want: 1 },
      { name: '21 concurrent, target 10 -> 3', s: spec({ target: 10 }), c: 21, ready: 3, want: 3 },
      { name: 'from 1 ready pod the burst panics, still 10', c: 10, ready: 1, want: 10, panicking: true },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const d = new Decider(c.s ?? spec(), { now: 0 });
        feed(d, 0, 60, c.c);
        const got = d.scale(at(59), { readyPods: c.ready });
        expect(got.desiredScale).to.equal(c.want);
        expect(got.panicking).to.equal(c.panicking ?? false);
        expect(got.observedStableValue).to.equal(c.c);
        expect(got.reason).to.equal(c.panicking ? 'Panic' : 'Stable');
      });
    }
  });

  it('containerConcurrency-derived targets: 10 * 70% = 7 per pod', () => {
    const s = revisionScalingSpec(config, undefined, 10, false);
    const d = new Decider(s, { now: 0 });
    feed(d, 0, 60, 14);
    expect(d.scale(at(59), { readyPods: 2 }).desiredScale).to.equal(2);
    feed(d, 60, 120, 15);
    expect(d.scale(at(119), { readyPods: 2 }).desiredScale).to.equal(3);
  });

  it('rps: requests per second from several activators, target 10 -> 5 pods', () => {
    const d = new Decider(spec({ metric: 'rps', target: 10 }), { now: 0 });
    for (let t = 0; t < 60; t++) {
      d.record(t * S, { concurrency: 0.1, requests: 30 });
      d.record(t * S + 300, { concurrency: 0.1, requests: 20 });
    }
    const got = d.scale(at(59), { readyPods: 5 });
    expect(got).to.deep.include({ desiredScale: 5, observedStableValue: 50, observedPanicValue: 50, panicking: false });
  });

  it("several activators' reports for one second add up", () => {
    const one = new Decider(spec(), { now: 0 });
    const three = new Decider(spec(), { now: 0 });
    for (let t = 0; t < 90; t++) {
      const c = t < 45 ? 10.2 : 3;
      one.record(t * S, { concurrency: c, requests: 0 });
      for (let a = 0; a < 3; a++) three.record(t * S + a * 100, { concurrency: c / 3, requests: 0 });
      const state = { readyPods: 11 };
      const [x, y] = [one.scale(at(t), state), three.scale(at(t), state)];
      expect(y.desiredScale, `t=${t}`).to.equal(x.desiredScale);
      expect(y.observedStableValue).to.be.closeTo(x.observedStableValue, 1e-5);
      if (t === 44) expect(y.desiredScale).to.equal(11);
    }
  });

  describe('panic mode', () => {
    it('enters at 2x the ready pods in the panic window, never scales down in it, leaves a stable window later', () => {
      const d = new Decider(spec(), { now: 0 });
      feed(d, 0, 60, 10);
      expect(d.scale(at(59), { readyPods: 10 })).to.deep.include({ desiredScale: 10, panicking: false });

      // Burst: the 6s panic window climbs 13.3, 16.7, 20 (2x the 10 ready pods).
      const [b0, b1, entered] = step(d, 60, 63, 30, { readyPods: 10 });
      expect(b0).to.deep.include({ desiredScale: 11, panicking: false });
      expect(b1).to.deep.include({ desiredScale: 11, panicking: false });
      expect(entered).to.deep.include({ desiredScale: 20, panicking: true, observedPanicValue: 20, reason: 'Panic' });

      // The burst is over and 20 pods are up: the panic window soon wants 10, but panic holds 20.
      const held = step(d, 63, 123, 10, { readyPods: 20 });
      for (const got of held) expect(got).to.deep.include({ desiredScale: 20, panicking: true, reason: 'Panic' });
      expect(held[held.length - 1]?.observedPanicValue).to.equal(10);
      // Over the threshold last at 62.5s: panic ends once 60s have passed since.
      const [left] = step(d, 123, 124, 10, { readyPods: 20 });
      expect(left).to.deep.include({ desiredScale: 10, panicking: false, reason: 'Stable' });
    });

    it('a burst while panicking extends it and raises the floor', () => {
      const d = new Decider(spec(), { now: 0 });
      expect(step(d, 0, 6, 40, { readyPods: 10 })[5]).to.deep.include({ desiredScale: 40, panicking: true });
      expect(step(d, 6, 50, 60, { readyPods: 20 })[43]).to.deep.include({ desiredScale: 60, panicking: true }); // 60 / 20: over again
      const after = step(d, 50, 111, 1, { readyPods: 60 });
      // Without the second burst panic would have ended at 65.5s.
      expect(after[100 - 50]).to.deep.include({ desiredScale: 60, panicking: true });
      expect(after[110 - 50]).to.deep.include({ desiredScale: 30, panicking: false, reason: 'ScaleDownRate' });
    });

    it('starts in panic after a restart with more than one ready pod, holding them', () => {
      const d = new Decider(spec(), { now: 0, readyPods: 5 });
      const ds = step(d, 1, 60, 1, { readyPods: 5 });
      expect(ds[0]).to.deep.include({ desiredScale: 5, panicking: true });
      expect(ds[58]).to.deep.include({ desiredScale: 5, panicking: true }); // at 59.5s
      d.record(60 * S, { concurrency: 1, requests: 0 });
      expect(d.scale(60_000, { readyPods: 5 })).to.deep.include({ desiredScale: 5, panicking: true });
      expect(d.scale(60_001, { readyPods: 5 })).to.deep.include({ desiredScale: 2, panicking: false, reason: 'ScaleDownRate' });
    });
  });

  describe('rate limits', () => {
    const cases: Array<{ name: string; s: ScalingSpec; ready: number; c: number; want: number; reason: Decision['reason'] }> = [
      { name: '1 ready pod, max-scale-up-rate 1000: straight to 100', s: spec(), ready: 1, c: 100, want: 100, reason: 'Panic' },
      { name: '1 ready pod, max-scale-up-rate 2: 2', s: spec({ maxScaleUpRate: 2 }), ready: 1, c: 100, want: 2, reason: 'Panic' },
      { name: '20 ready, rate 1.5: 30', s: spec({ maxScaleUpRate: 1.5 }), ready: 20, c: 35, want: 30, reason: 'ScaleUpRate' },
      { name: "Knative's: rate 1.1, 2 ready, 3 wanted: at least one more pod -> 3", s: spec({ maxScaleUpRate: 1.1 }), ready: 2, c: 3, want: 3, reason: 'Stable' },
      { name: '10 ready, 1 wanted, max-scale-down-rate 2: 5', s: spec(), ready: 10, c: 1, want: 5, reason: 'ScaleDownRate' },
      { name: '10 ready, 1 wanted, max-scale-down-rate 10: 1', s: spec({ maxScaleDownRate: 10 }), ready: 10, c: 1, want: 1, reason: 'Stable' },
      { name: '10 ready, nothing wanted, rate 2: 5', s: spec(), ready: 10, c: 0, want: 5, reason: 'ScaleDownRate' },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const d = new Decider(c.s, { now: 0 });
        feed(d, 0, 60, c.c);
        expect(d.scale(at(59), { readyPods: c.ready })).to.deep.include({ desiredScale: c.want, reason: c.reason });
      });
    }

    it('an unreachable revision scales down without the rate limit', () => {
      const d = new Decider(spec(), { now: 0 });
      feed(d, 0, 60, 1);
      expect(d.scale(at(59), { readyPods: 10, reachable: false }).desiredScale).to.equal(1);
    });
  });

  describe('bounds', () => {
    it('min-scale holds pods without traffic; an unreachable revision ignores it', () => {
      const d = new Decider(spec({ minScale: 3 }), { now: 0 });
      feed(d, 0, 60, 0);
      expect(d.scale(at(59), { readyPods: 3 })).to.deep.include({ desiredScale: 3, reason: 'MinScale' });
      expect(d.scale(at(200), { readyPods: 3 })).to.deep.include({ desiredScale: 3, reason: 'MinScale' });
      expect(d.scale(at(201), { readyPods: 3, reachable: false }).desiredScale).to.equal(1); // then zero after grace
    });

    it('max-scale caps even a panic', () => {
      const d = new Decider(spec({ maxScale: 5 }), { now: 0 });
      feed(d, 0, 60, 100);
      expect(d.scale(at(59), { readyPods: 5 })).to.deep.include({ desiredScale: 5, reason: 'MaxScale', panicking: true });
    });

    it('keeps initial-scale until the revision has reached it', () => {
      const s = spec({ initialScale: 3 });
      const d = new Decider(s, { now: 0 });
      feed(d, 0, 10, 0);
      expect(d.scale(at(9), { readyPods: 1, initialized: reachedInitialScale(s, 1) })).to.deep.include({ desiredScale: 3, reason: 'InitialScale' });
      expect(reachedInitialScale(s, 3)).to.equal(true);
      expect(d.scale(at(10), { readyPods: 3, initialized: true })).to.deep.include({ desiredScale: 1, reason: 'ScaleDownRate' });
    });
  });

  describe('scale-down delay', () => {
    it('holds the max of the last delay window; scale-ups are immediate', () => {
      const fast = spec({ stableWindowMs: 6_000, panicWindowMs: 1_000, maxScaleDownRate: 1000 });
      const plain = new Decider(fast, { now: 0 });
      const delayed = new Decider({ ...fast, scaleDownDelayMs: 5_000 }, { now: 0 });
      const p: number[] = [];
      const q: Decision[] = [];
      for (let t = 0; t < 25; t++) {
        const c = t < 10 ? 10 : t === 18 ? 60 : 0;
        for (const d of [plain, delayed]) d.record(t * S, { concurrency: c, requests: 0 });
        p.push(plain.scale(at(t), { readyPods: 40 }).desiredScale);
        q.push(delayed.scale(at(t), { readyPods: 40 }));
      }
      expect(p.slice(9, 16)).to.deep.equal([10, 9, 7, 5, 4, 2, 1]);
      for (let t = 0; t < 25; t++) {
        expect(q[t]?.desiredScale, `t=${t}`).to.equal(Math.max(...p.slice(Math.max(0, t - 4), t + 1)));
      }
      expect(q[12]).to.deep.include({ desiredScale: 10, reason: 'ScaleDownDelay' });
      expect([p[17], p[18], q[17]?.desiredScale, q[18]?.desiredScale], 'up at once').to.deep.equal([1, 10, 4, 10]);
    });
  });

  describe('activation scale', () => {
    const s = spec({ activationScale: 3 });
    it('a scale-up from zero goes to at least activation-scale', () => {
      const d = new Decider(s, { now: 0 });
      feed(d, 0, 2, 1);
      expect(d.scale(at(1), { readyPods: 0 })).to.deep.include({ desiredScale: 3, reason: 'ActivationScale' });
      feed(d, 2, 60, 5);
      expect(d.scale(at(59), { readyPods: 3 })).to.deep.include({ desiredScale: 5, reason: 'Stable' });
    });

    it('does not keep an idle revision from zero', () => {
      const d = new Decider(s, { now: 0 });
      expect(d.scale(60_000, { readyPods: 0 })).to.deep.include({ desiredScale: 0, reason: 'ScaleToZero' });
    });

    it('pokeFromZero: max(1, activation-scale, min-scale) within max-scale', () => {
      expect(pokeFromZero(spec())).to.equal(1);
      expect(pokeFromZero(s)).to.equal(3);
      expect(pokeFromZero(spec({ minScale: 2 }))).to.equal(2);
      expect(pokeFromZero(spec({ activationScale: 5, maxScale: 4 }))).to.equal(4);
      expect(new Decider(s, { now: 0 }).poke(1_000)).to.deep.include({ desiredScale: 3, reason: 'Poke' });
    });
  });

  describe('scale to zero', () => {
    /** Traffic in seconds 0..9, one ready pod, asked every second; returns the decisions by second. */
    function idle(s: ScalingSpec, until: number, state: Partial<ScaleState> = {}): Decision[] {
      const d = new Decider(s, { now: 0, readyPods: 1 });
      feed(d, 0, 10, 1);
      return run(d, 0, until, { readyPods: 1, ...state });
    }
    const firstZero = (ds: Decision[]): number => ds.findIndex((x) => x.desiredScale === 0);

    it('after a stable window without traffic and then the grace period, not before', () => {
      const ds = idle(spec(), 110);
      // Second 9 leaves the 60s window at 70; grace runs 70.5s..100.5s.
      expect(ds.slice(0, 70).every((x) => x.desiredScale === 1 && x.reason === 'Stable')).to.equal(true);
      expect(ds[70]).to.deep.include({ desiredScale: 1, reason: 'ScaleToZeroGrace', observedStableValue: 0 });
      expect(ds[99]).to.deep.include({ desiredScale: 1, reason: 'ScaleToZeroGrace' });
      expect(ds[100]).to.deep.include({ desiredScale: 0, reason: 'ScaleToZero' });
    });

    const cases: Array<{ name: string; s: ScalingSpec; state?: Partial<ScaleState>; zeroAt: number }> = [
      { name: 'pod retention longer than the grace period', s: spec({ scaleToZeroPodRetentionPeriodMs: 60_000 }), zeroAt: 130 },
      { name: 'pod retention shorter than the grace period', s: spec({ scaleToZeroPodRetentionPeriodMs: 10_000 }), zeroAt: 100 },
      { name: 'unreachable: no pod retention', s: spec({ scaleToZeroPodRetentionPeriodMs: 60_000 }), state: { reachable: false }, zeroAt: 100 },
      { name: 'a shorter grace period', s: spec({ scaleToZeroGracePeriodMs: 5_000 }), zeroAt: 75 },
      { name: 'enable-scale-to-zero=false', s: spec({ enableScaleToZero: false }), zeroAt: -1 },
      { name: 'min-scale 1', s: spec({ minScale: 1 }), zeroAt: -1 },
    ];
    for (const c of cases) it(c.name, () => expect(firstZero(idle(c.s, 200, c.state))).to.equal(c.zeroAt));

    it('enable-scale-to-zero=false keeps one pod', () => {
      expect(idle(spec({ enableScaleToZero: false }), 150)[149]).to.deep.include({ desiredScale: 1, reason: 'ScaleToZeroDisabled' });
    });

    it('traffic during the grace period starts the wait over', () => {
      const d = new Decider(spec(), { now: 0, readyPods: 1 });
      feed(d, 0, 10, 1);
      run(d, 0, 80, { readyPods: 1 });
      // After a whole window of silence the average starts over: 2, not 2/60 (and 2x one pod is a panic).
      d.record(80 * S, { concurrency: 2, requests: 1 });
      expect(d.scale(at(80), { readyPods: 1 })).to.deep.include({ desiredScale: 2, reason: 'Panic' });
      const ds = run(d, 81, 200, { readyPods: 1 });
      // Panic (last over the threshold at 81.5s) ends at 142, the window is empty by then: zero 30s later.
      expect(81 + firstZero(ds)).to.equal(142 + 30);
    });

    it('at zero it stays there; a poke wakes it and holds a pod until the stats arrive', () => {
      const d = new Decider(spec(), { now: 0, readyPods: 1 });
      feed(d, 0, 10, 1);
      run(d, 0, 101, { readyPods: 1 });
      expect(d.scale(at(200), { readyPods: 0 })).to.deep.include({ desiredScale: 0, reason: 'ScaleToZero' });
      expect(d.poke(at(300))).to.deep.include({ desiredScale: 1, reason: 'Poke' });
      expect(d.scale(at(301), { readyPods: 0 })).to.deep.include({ desiredScale: 1, reason: 'IdleWindow' });
      d.record(302 * S, { concurrency: 1, requests: 1 });
      expect(d.scale(at(302), { readyPods: 1 })).to.deep.include({ desiredScale: 1, reason: 'Stable', observedStableValue: 1 });
    });
  });

  describe('no data yet', () => {
    it('-1 for the first stable window of a decider that has heard nothing, then zero', () => {
      const d = new Decider(spec(), { now: 0 });
      expect(d.scale(1_000, { readyPods: 0 })).to.deep.include({ desiredScale: NO_DATA, reason: 'NoData', panicking: false });
      expect(d.scale(59_999, { readyPods: 0 }).desiredScale).to.equal(NO_DATA);
      expect(d.scale(60_000, { readyPods: 0 })).to.deep.include({ desiredScale: 0, reason: 'ScaleToZero' });
    });

    it('an idle pod found at a restart gets the stable window and the grace period', () => {
      const d = new Decider(spec(), { now: 0, readyPods: 1 });
      expect(d.scale(30_000, { readyPods: 1 }).desiredScale).to.equal(NO_DATA);
      expect(d.scale(60_000, { readyPods: 1 })).to.deep.include({ desiredScale: 1, reason: 'ScaleToZeroGrace' });
      expect(d.scale(89_999, { readyPods: 1 }).desiredScale).to.equal(1);
      expect(d.scale(90_000, { readyPods: 1 }).desiredScale).to.equal(0);
    });

    it('the first report ends it, averaged over what has been seen', () => {
      const d = new Decider(spec(), { now: 0 });
      expect(d.scale(at(4), { readyPods: 0 }).desiredScale).to.equal(NO_DATA);
      d.record(5 * S, { concurrency: 4, requests: 4 });
      expect(d.scale(at(5), { readyPods: 0 })).to.deep.include({ desiredScale: 4, observedStableValue: 4, observedPanicValue: 4 });
    });
  });

  it('weighted-exponential aggregation scales a steady load the same', () => {
    const d = new Decider(spec({ aggregation: 'weighted-exponential' }), { now: 0 });
    feed(d, 0, 60, 10);
    expect(d.scale(at(59), { readyPods: 10 }).desiredScale).to.equal(10);
  });

  it('update() takes new bounds and windows', () => {
    const d = new Decider(spec(), { now: 0 });
    feed(d, 0, 60, 2);
    expect(d.scale(at(59), { readyPods: 2 }).desiredScale).to.equal(2);
    d.update(spec({ minScale: 4, stableWindowMs: 10_000, panicWindowMs: 1_000 }));
    expect(d.scale(at(59), { readyPods: 2 })).to.deep.include({ desiredScale: 4, reason: 'MinScale', observedStableValue: 2 });
  });
});
