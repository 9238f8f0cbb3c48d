import { expect } from 'chai';
import { MaxWindow } from './max-window.js';
import { BucketWindow } from './window.js';

const S = 1000;

describe('scaling/window BucketWindow', () => {
  it('averages over the seconds seen so far when the first write is recent', () => {
    const w = new BucketWindow(60 * S);
    expect(w.isEmpty()).to.equal(true);
    expect(w.average(0, 60 * S)).to.equal(0);
    w.record(100 * S, 10);
    expect(w.isEmpty()).to.equal(false);
    expect(w.average(100 * S + 500, 60 * S)).to.equal(10);
    w.record(101 * S, 20);
    expect(w.average(101 * S + 500, 60 * S)).to.equal(15);
  });

  it('adds up values recorded in the same second', () => {
    const w = new BucketWindow(60 * S);
    w.record(5 * S + 10, 3);
    w.record(5 * S + 900, 4);
    expect(w.average(5 * S + 950, 60 * S)).to.equal(7);
  });

  it('counts a second without a write inside the coverage as zero', () => {
    const w = new BucketWindow(60 * S);
    w.record(0, 10);
    w.record(2 * S, 10);
    expect(w.average(2 * S, 60 * S)).to.be.closeTo(20 / 3, 1e-6);
  });

  it('counts silence after the last write as zero, except the second in progress', () => {
    const w = new BucketWindow(60 * S);
    for (let t = 0; t < 10; t++) w.record(t * S, 6);
    expect(w.average(10 * S + 500, 60 * S), 'second 10 not reported yet').to.equal(6);
    expect(w.average(12 * S + 500, 60 * S), 'seconds 10 and 11 silent').to.equal(5);
    expect(w.average(70 * S, 60 * S), 'a whole window of silence').to.equal(0);
  });

  it('averages the last N seconds for a shorter (panic) span', () => {
    const w = new BucketWindow(60 * S);
    for (let t = 0; t < 10; t++) w.record(t * S, t + 1);
    expect(w.average(9 * S + 500, 3 * S)).to.equal(9); // (8 + 9 + 10) / 3
    expect(w.average(9 * S + 500, 60 * S)).to.equal(5.5);
    expect(w.average(9 * S + 500, 2500), 'rounded up to whole buckets').to.equal(9);
  });

  it('starts its coverage again at the first write after a whole window of silence', () => {
    const w = new BucketWindow(6 * S);
    w.record(0, 6);
    expect(w.average(3 * S, 6 * S)).to.equal(2); // seconds 0..2
    expect(w.average(10 * S, 6 * S)).to.equal(0);
    w.record(10 * S, 4);
    expect(w.average(10 * S, 6 * S), 'not diluted by the silence before').to.equal(4);
  });

  it('drops values older than the window and keeps late ones inside it', () => {
    const w = new BucketWindow(6 * S);
    w.record(20 * S, 6);
    w.record(10 * S, 100);
    w.record(18 * S, 6);
    expect(w.average(20 * S, 6 * S)).to.equal(4); // seconds 18..20: 6 + 0 + 6
  });

  it('weighted exponential: newer seconds weigh more', () => {
    const older = new BucketWindow(4 * S);
    const newer = new BucketWindow(4 * S);
    [10, 10, 5, 5].forEach((v, t) => older.record(t * S, v));
    [5, 5, 10, 10].forEach((v, t) => newer.record(t * S, v));
    // 4 buckets: c = 1 - 0.0001^(1/4) = 0.9.
    const c = 0.9;
    const want = (vs: number[]): number => vs.reduceRight((acc, v, i) => acc + v * c * Math.pow(1 - c, vs.length - 1 - i), 0);
    expect(older.weightedAverage(3 * S, 4 * S)).to.be.closeTo(want([10, 10, 5, 5]), 1e-9);
    expect(newer.weightedAverage(3 * S, 4 * S)).to.be.closeTo(want([5, 5, 10, 10]), 1e-9);
    expect(newer.weightedAverage(3 * S, 4 * S)).to.be.greaterThan(older.weightedAverage(3 * S, 4 * S));
    // A long window decays at least 0.2 per second, so a steady value comes out nearly whole.
    const steady = new BucketWindow(60 * S);
    for (let t = 0; t < 60; t++) steady.record(t * S, 10);
    expect(steady.weightedAverage(59 * S, 60 * S)).to.be.closeTo(10, 1e-4);
  });

  it('resize keeps the newest buckets that fit', () => {
    const w = new BucketWindow(60 * S);
    for (let t = 0; t < 10; t++) w.record(t * S, t < 7 ? 100 : 1);
    w.resize(3 * S);
    expect(w.lengthMs).to.equal(3 * S);
    expect(w.average(9 * S, 60 * S)).to.equal(1);
    w.resize(60 * S);
    expect(w.average(9 * S, 3 * S)).to.equal(1);
  });
});

describe('scaling/max-window MaxWindow', () => {
  it('holds the largest value over its length', () => {
    const m = new MaxWindow(3 * S);
    expect(m.current()).to.equal(0);
    const got = [5, 2, 3, 1, 1, 1, 4].map((v, t) => m.record(t * S, v));
    expect(got).to.deep.equal([5, 5, 5, 3, 3, 1, 4]);
  });

  it('keeps the larger of two values in one second', () => {
    const m = new MaxWindow(2 * S);
    m.record(0, 7);
    expect(m.record(500, 3)).to.equal(7);
    expect(m.record(1 * S, 2)).to.equal(7);
    expect(m.record(2 * S, 1)).to.equal(2);
  });
});
