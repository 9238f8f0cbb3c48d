import { expect } from 'chai';
import { FakeClock } from '../../testing/fake-clock.js';
import { DEFAULT_RATE_LIMIT, WorkQueue, retryDelayMs } from './workqueue.js';

/** Takes every key that is ready now, in order, marking each done (as a worker would). */
async function drain(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.depth > 0) {
    const k = (await q.get())!;
    out.push(k);
    q.done(k);
  }
  return out;
}

/** Whether a promise has settled yet, without waiting for it. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([p, new Promise((r) => setImmediate(() => r(marker)))])) !== marker;
}

describe('runtime/workqueue', () => {
  describe('retryDelayMs', () => {
    const cases: Array<{ failures: number; want: number }> = [
      { failures: 0, want: 5 }, { failures: 1, want: 5 }, { failures: 2, want: 10 }, { failures: 3, want: 20 }, { failures: 4, want: 40 },
      { failures: 10, want: 2560 }, { failures: 14, want: 40960 }, { failures: 15, want: 60_000 }, { failures: 100, want: 60_000 },
    ];
    for (const c of cases) it(`failure ${c.failures}: ${c.want} ms`, () => expect(retryDelayMs(DEFAULT_RATE_LIMIT, c.failures)).to.equal(c.want));
    it('other limits', () => expect([1, 2, 3, 4].map((n) => retryDelayMs({ baseMs: 100, maxMs: 350 }, n))).to.deep.equal([100, 200, 350, 350]));
  });

  describe('add/get/done', () => {
    const cases: Array<{ name: string; run: (q: WorkQueue) => Promise<unknown>; want: unknown }> = [
      { name: 'FIFO', run: async (q) => (['a', 'b', 'c'].forEach((k) => q.add(k)), drain(q)), want: ['a', 'b', 'c'] },
      { name: 'a waiting key is not added twice', run: async (q) => (['a', 'b', 'a', 'a', 'b'].forEach((k) => q.add(k)), [q.depth, await drain(q)]), want: [2, ['a', 'b']] },
      {
        name: 'a key added while processing is not handed out again until done',
        run: async (q) => {
          q.add('a');
          const k = await q.get();
          q.add('a');
          q.add('a');
          const depthWhileProcessing = q.depth;
          q.done(k!);
          return [depthWhileProcessing, q.depth, await drain(q)];
        },
        want: [0, 1, ['a']],
      },
      {
        name: 'done without a re-add: nothing comes back',
        run: async (q) => {
          q.add('a');
          q.done((await q.get())!);
          return q.depth;
        },
        want: 0,
      },
      {
        name: 'other keys are handed out while one is processing',
        run: async (q) => {
          q.add('a');
          const a = await q.get();
          q.add('a');
          q.add('b');
          const b = await q.get();
          return [a, b, q.depth];
        },
        want: ['a', 'b', 0],
      },
    ];
    for (const c of cases) it(c.name, async () => expect(await c.run(new WorkQueue(new FakeClock()))).to.deep.equal(c.want));

    it('a waiting get receives the next key added', async () => {
      const q = new WorkQueue(new FakeClock());
      const p = q.get();
      expect(await settled(p)).to.equal(false);
      q.add('x');
      expect(await p).to.equal('x');
      expect(q.depth).to.equal(0);
    });

    it('a key in flight is not handed to a second waiting worker; it is after done', async () => {
      const q = new WorkQueue(new FakeClock());
      q.add('x');
      const first = await q.get();
      const second = q.get();
      q.add('x');
      expect(await settled(second)).to.equal(false);
      q.done(first!);
      expect(await second).to.equal('x');
    });

    it('waiting workers are served in the order they asked', async () => {
      const q = new WorkQueue(new FakeClock());
      const w1 = q.get();
      const w2 = q.get();
      q.add('a');
      q.add('b');
      expect([await w1, await w2]).to.deep.equal(['a', 'b']);
    });
  });

  describe('addAfter', () => {
    const cases: Array<{ name: string; adds: Array<[string, number]>; steps: number[]; want: string[][] }> = [
      { name: 'due order, not add order', adds: [['a', 100], ['b', 50], ['c', 75]], steps: [50, 25, 25], want: [['b'], ['c'], ['a']] },
      { name: 'not before its time', adds: [['a', 100]], steps: [99, 1], want: [[], ['a']] },
      { name: 'zero or negative: at once', adds: [['a', 0], ['b', -10]], steps: [0], want: [['a', 'b']] },
      { name: 'an earlier pending delay wins over a later one', adds: [['a', 100], ['a', 200]], steps: [100, 100], want: [['a'], []] },
      { name: 'a sooner delay replaces a later pending one', adds: [['a', 100], ['a', 10]], steps: [10, 90], want: [['a'], []] },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const clock = new FakeClock();
        const q = new WorkQueue(clock);
        for (const [k, ms] of c.adds) q.addAfter(k, ms);
        const got: string[][] = [];
        for (const ms of c.steps) {
          clock.advance(ms);
          got.push(await drain(q));
        }
        expect(got).to.deep.equal(c.want);
      });
    }
  });

  it('addAfter: a key still waiting when its delay ends is not queued twice', () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock);
    q.add('a');
    q.addAfter('a', 10);
    clock.advance(10);
    expect(q.depth).to.equal(1);
  });

  describe('addRateLimited', () => {
    it('back-off doubles per failure: 5, 10, 20, 40 ms; forget starts over', async () => {
      const clock = new FakeClock();
      const q = new WorkQueue(clock);
      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        q.addRateLimited('k');
        delays.push(clock.pendingDelays()[0]!);
        clock.advance(delays[i]! - 1);
        expect(q.depth, `not before ${delays[i]} ms`).to.equal(0);
        clock.advance(1);
        expect(await drain(q)).to.deep.equal(['k']);
      }
      expect(delays).to.deep.equal([5, 10, 20, 40]);
      expect(q.retries('k')).to.equal(4);
      q.forget('k');
      expect(q.retries('k')).to.equal(0);
      q.addRateLimited('k');
      expect(clock.pendingDelays()).to.deep.equal([5]);
    });

    it('back-off is per key', () => {
      const clock = new FakeClock();
      const q = new WorkQueue(clock);
      q.addRateLimited('a');
      clock.advance(5);
      q.addRateLimited('a');
      q.addRateLimited('b');
      expect([q.retries('a'), q.retries('b'), clock.pendingDelays()]).to.deep.equal([2, 1, [5, 10]]);
    });

    it('a custom limit', () => {
      const clock = new FakeClock();
      const q = new WorkQueue(clock, { baseMs: 1000, maxMs: 1500 });
      q.addRateLimited('a');
      clock.advance(1000);
      q.addRateLimited('a');
      expect(clock.pendingDelays()).to.deep.equal([1500]);
    });
  });

  describe('shutDown', () => {
    it('releases every waiting worker with undefined', async () => {
      const q = new WorkQueue(new FakeClock());
      const waiters = [q.get(), q.get(), q.get()];
      q.shutDown();
      expect(await Promise.all(waiters)).to.deep.equal([undefined, undefined, undefined]);
    });

    it('after shutDown: adds are ignored, delayed keys are cancelled, get returns undefined', async () => {
      const clock = new FakeClock();
      const q = new WorkQueue(clock);
      q.addAfter('later', 10);
      q.shutDown();
      q.add('x');
      clock.advance(10);
      expect([q.depth, clock.pending, await q.get()]).to.deep.equal([0, 0, undefined]);
    });

    it('keys queued before shutDown are still handed out, then undefined', async () => {
      const q = new WorkQueue(new FakeClock());
      q.add('a');
      q.add('b');
      q.shutDown();
      expect([await q.get(), await q.get(), await q.get()]).to.deep.equal(['a', 'b', undefined]);
    });

    it('a key re-added while in flight is dropped if the queue shuts down before done', async () => {
      const q = new WorkQueue(new FakeClock());
      q.add('a');
      const k = await q.get();
      q.add('a');
      q.shutDown();
      q.done(k!);
      expect([q.depth, await q.get()]).to.deep.equal([0, undefined]);
    });
  });
});
