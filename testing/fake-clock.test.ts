import { expect } from 'chai';
import { FakeClock, T0 } from './fake-clock.js';

describe('testing/FakeClock', () => {
  it('starts at T0 and moves only on advance', () => {
    const clock = new FakeClock();
    expect(clock.now()).to.equal(T0);
    clock.advance(250);
    expect(clock.now()).to.equal(T0 + 250);
  });

  const cases: Array<{ name: string; timers: Array<[string, number]>; advance: number[]; want: Array<[string, number]> }> = [
    { name: 'fires in due order', timers: [['b', 20], ['a', 10], ['c', 30]], advance: [30], want: [['a', 10], ['b', 20], ['c', 30]] },
    { name: 'ties fire in the order set', timers: [['x', 5], ['y', 5]], advance: [5], want: [['x', 5], ['y', 5]] },
    { name: 'not before due', timers: [['a', 10]], advance: [9], want: [] },
    { name: 'across several advances', timers: [['a', 10], ['b', 25]], advance: [10, 10, 5], want: [['a', 10], ['b', 25]] },
    { name: 'zero and negative delays fire on the next advance', timers: [['a', 0], ['b', -5]], advance: [0], want: [['a', 0], ['b', 0]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const clock = new FakeClock();
      const fired: Array<[string, number]> = [];
      for (const [name, ms] of c.timers) clock.after(ms, () => fired.push([name, clock.now() - T0]));
      for (const ms of c.advance) clock.advance(ms);
      expect(fired).to.deep.equal(c.want);
    });
  }

  it('a cancelled timer does not fire', () => {
    const clock = new FakeClock();
    let fired = 0;
    const t = clock.after(10, () => fired++);
    t.cancel();
    clock.advance(100);
    expect(fired).to.equal(0);
    expect(clock.pending).to.equal(0);
  });

  it('a timer set by a timer fires within the same advance when due', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    clock.after(10, () => clock.after(10, () => fired.push(clock.now() - T0)));
    clock.advance(20);
    expect(fired).to.deep.equal([20]);
  });

  it('sleep resolves when its time comes, and at once when aborted', async () => {
    const clock = new FakeClock();
    let done = false;
    const p = clock.sleep(100).then(() => (done = true));
    clock.advance(99);
    await Promise.resolve();
    expect(done).to.equal(false);
    clock.advance(1);
    await p;
    expect(done).to.equal(true);

    const ac = new AbortController();
    const q = clock.sleep(1000, ac.signal);
    ac.abort();
    await q;
    expect(clock.pending).to.equal(0);
    const aborted = new AbortController();
    aborted.abort();
    await clock.sleep(1000, aborted.signal);
    expect(clock.pending).to.equal(0);
  });
});
