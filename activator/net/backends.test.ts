import { expect } from 'chai';
import { FakeClock, T0, flush } from '../../testing/fake-clock.js';
import { RevisionBackends } from './backends.js';

type Slot = { ip: string; release: () => void } | undefined;

/** An acquire whose outcome the test can look at without awaiting it. */
function start(b: RevisionBackends, deadline: number, signal = new AbortController().signal): { done: () => boolean; slot: () => Slot; promise: Promise<Slot> } {
  let finished = false;
  let result: Slot;
  const promise = b.acquire(deadline, signal).then((s) => {
    finished = true;
    result = s;
    return s;
  });
  return { done: () => finished, slot: () => result, promise };
}

const never = (): AbortSignal => new AbortController().signal;

describe('activator/net/backends RevisionBackends', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  it('starts empty', () => {
    const b = new RevisionBackends(clock, 0);
    expect([b.readyCount, b.inflight, b.waiting, b.failure]).to.deep.equal([0, 0, 0, undefined]);
  });

  it('acquire returns at once when a pod has room, and counts the request in flight', async () => {
    const b = new RevisionBackends(clock, 1);
    b.setPods(['10.0.0.1']);
    const slot = await b.acquire(T0 + 1000, never());
    expect(slot?.ip).to.equal('10.0.0.1');
    expect([b.inflight, b.waiting, clock.pending]).to.deep.equal([1, 0, 0]);
    slot!.release();
    expect(b.inflight).to.equal(0);
  });

  it('release is idempotent', async () => {
    const b = new RevisionBackends(clock, 0);
    b.setPods(['10.0.0.1']);
    const s1 = await b.acquire(T0 + 1000, never());
    const s2 = await b.acquire(T0 + 1000, never());
    expect(b.inflight).to.equal(2);
    s1!.release();
    s1!.release();
    expect(b.inflight).to.equal(1);
    s2!.release();
    expect(b.inflight).to.equal(0);
  });

  const limits: Array<{ cc: number; pods: string[]; want: string[] }> = [
    { cc: 1, pods: ['10.0.0.1', '10.0.0.2'], want: ['10.0.0.1', '10.0.0.2'] },
    { cc: 2, pods: ['10.0.0.1', '10.0.0.2'], want: ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2'] },
    { cc: 3, pods: ['10.0.0.1'], want: ['10.0.0.1', '10.0.0.1', '10.0.0.1'] },
    { cc: 4, pods: ['10.0.0.1', '10.0.0.2'], want: ['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2'] },
  ];
  for (const c of limits) {
    it(`containerConcurrency ${c.cc} over ${c.pods.length} pod(s): ${c.want.length} requests at once, then the next one waits`, async () => {
      const b = new RevisionBackends(clock, c.cc);
      b.setPods(c.pods);
      const got: string[] = [];
      for (let i = 0; i < c.want.length; i++) got.push((await b.acquire(T0 + 1000, never()))!.ip);
      expect(got).to.deep.equal(c.want);
      const extra = start(b, T0 + 1000);
      await flush();
      expect(extra.done()).to.equal(false);
      expect([b.inflight, b.waiting]).to.deep.equal([c.want.length, 1]);
    });
  }

  it('waits with no pods and is woken by setPods', async () => {
    const b = new RevisionBackends(clock, 0);
    const w = start(b, T0 + 10_000);
    await flush();
    expect([w.done(), b.waiting, clock.pending]).to.deep.equal([false, 1, 1]);
    b.setPods([]);
    await flush();
    expect(w.done()).to.equal(false);
    b.setPods(['10.0.0.9']);
    await flush();
    expect(w.slot()?.ip).to.equal('10.0.0.9');
    expect([b.waiting, b.inflight, clock.pending]).to.deep.equal([0, 1, 0]);
  });

  it('waits with no pods and is woken by addPod; addPod of a known IP is a no-op', async () => {
    const b = new RevisionBackends(clock, 1);
    const w1 = start(b, T0 + 10_000);
    const w2 = start(b, T0 + 10_000);
    await flush();
    expect(b.waiting).to.equal(2);
    b.addPod('10.0.0.5');
    await flush();
    // Both woke; one got the only slot (cc 1), the other waits again.
    expect([w1.slot()?.ip, w2.done(), b.waiting, b.inflight]).to.deep.equal(['10.0.0.5', false, 1, 1]);
    b.addPod('10.0.0.5');
    expect(b.readyCount).to.equal(1);
    b.addPod('10.0.0.6');
    await flush();
    expect([w2.slot()?.ip, b.waiting, b.inflight, b.readyCount]).to.deep.equal(['10.0.0.6', 0, 2, 2]);
  });

  it('release wakes exactly one waiter, in arrival order', async () => {
    const b = new RevisionBackends(clock, 1);
    b.setPods(['10.0.0.1']);
    const first = await b.acquire(T0 + 10_000, never());
    const w1 = start(b, T0 + 10_000);
    const w2 = start(b, T0 + 10_000);
    await flush();
    expect([b.waiting, b.inflight]).to.deep.equal([2, 1]);
    first!.release();
    await flush();
    expect([w1.slot()?.ip, w2.done(), b.waiting, b.inflight]).to.deep.equal(['10.0.0.1', false, 1, 1]);
    w1.slot()!.release();
    await flush();
    expect([w2.slot()?.ip, b.waiting, b.inflight]).to.deep.equal(['10.0.0.1', 0, 1]);
    expect(clock.pending).to.equal(0);
  });

  it('setPods keeps the in-flight count of pods that stay and drops pods that go', async () => {
    const b = new RevisionBackends(clock, 1);
    b.setPods(['10.0.0.1', '10.0.0.2']);
    const s1 = await b.acquire(T0 + 1000, never());
    expect(s1?.ip).to.equal('10.0.0.1');
    b.setPods(['10.0.0.3', '10.0.0.1']);
    expect([b.readyCount, b.inflight]).to.deep.equal([2, 1]);
    // 10.0.0.1 is still full: the next request goes to 10.0.0.3.
    expect((await b.acquire(T0 + 1000, never()))?.ip).to.equal('10.0.0.3');
    b.setPods(['10.0.0.3']);
    expect(b.inflight).to.equal(1);
    // Releasing a request on a pod that is gone changes nothing for the pods that remain.
    s1!.release();
    expect([b.readyCount, b.inflight]).to.deep.equal([1, 1]);
  });

  it('returns undefined at the deadline, not before', async () => {
    const b = new RevisionBackends(clock, 0);
    const w = start(b, T0 + 5000);
    await flush();
    expect(clock.pendingDelays()).to.deep.equal([5000]);
    clock.advance(4999);
    await flush();
    expect(w.done()).to.equal(false);
    clock.advance(1);
    await flush();
    expect([w.done(), w.slot(), b.waiting, clock.pending]).to.deep.equal([true, undefined, 0, 0]);
  });

  it('keeps its deadline across wake-ups that find no room', async () => {
    const b = new RevisionBackends(clock, 1);
    b.setPods(['10.0.0.1']);
    const held = await b.acquire(T0 + 60_000, never());
    const w = start(b, T0 + 5000);
    await flush();
    clock.advance(3000);
    b.setPods(['10.0.0.1']); // wakes everyone; the pod is still full
    await flush();
    expect([w.done(), b.waiting]).to.deep.equal([false, 1]);
    expect(clock.pendingDelays()).to.deep.equal([2000]);
    clock.advance(2000);
    await flush();
    expect([w.done(), w.slot()]).to.deep.equal([true, undefined]);
    held!.release();
  });

  it('returns undefined at once when the deadline has passed and no pod has room', async () => {
    const b = new RevisionBackends(clock, 0);
    expect(await b.acquire(T0, never())).to.equal(undefined);
    expect(await b.acquire(T0 - 1, never())).to.equal(undefined);
    expect([b.waiting, clock.pending]).to.deep.equal([0, 0]);
  });

  it('a pod with room wins over a passed deadline', async () => {
    const b = new RevisionBackends(clock, 0);
    b.setPods(['10.0.0.1']);
    expect((await b.acquire(T0 - 1, never()))?.ip).to.equal('10.0.0.1');
  });

  it('returns undefined when aborted while waiting, and forgets the waiter and its timer', async () => {
    const b = new RevisionBackends(clock, 0);
    const abort = new AbortController();
    const w = start(b, T0 + 10_000, abort.signal);
    await flush();
    expect(b.waiting).to.equal(1);
    abort.abort();
    await flush();
    expect([w.done(), w.slot(), b.waiting, clock.pending]).to.deep.equal([true, undefined, 0, 0]);
    // A pod appearing later does not hand it a slot.
    b.setPods(['10.0.0.1']);
    expect(b.inflight).to.equal(0);
  });

  it('returns undefined at once on an aborted signal, even with room', async () => {
    const b = new RevisionBackends(clock, 0);
    b.setPods(['10.0.0.1']);
    const abort = new AbortController();
    abort.abort();
    expect(await b.acquire(T0 + 1000, abort.signal)).to.equal(undefined);
    expect(b.inflight).to.equal(0);
  });

  it('fail(reason) wakes every waiter with undefined and sets failure; fail(undefined) clears it', async () => {
    const b = new RevisionBackends(clock, 0);
    const ws = [start(b, T0 + 10_000), start(b, T0 + 10_000), start(b, T0 + 10_000)];
    await flush();
    expect(b.waiting).to.equal(3);
    b.fail('revision "hello-00001" cannot become ready: ExitCode1: boom');
    await flush();
    expect(ws.map((w) => [w.done(), w.slot()])).to.deep.equal([[true, undefined], [true, undefined], [true, undefined]]);
    expect([b.waiting, clock.pending, b.failure]).to.deep.equal([0, 0, 'revision "hello-00001" cannot become ready: ExitCode1: boom']);
    // Failed: no slot even with a pod with room.
    b.setPods(['10.0.0.1']);
    expect(await b.acquire(T0 + 1000, never())).to.equal(undefined);
    b.fail(undefined);
    expect(b.failure).to.equal(undefined);
    expect((await b.acquire(T0 + 1000, never()))?.ip).to.equal('10.0.0.1');
  });

  it('inflight and waiting count over all pods and waiters', async () => {
    const b = new RevisionBackends(clock, 2);
    b.setPods(['10.0.0.1', '10.0.0.2']);
    const slots = await Promise.all([0, 1, 2, 3].map(() => b.acquire(T0 + 1000, never())));
    expect(slots.map((s) => s?.ip)).to.deep.equal(['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2']);
    const waiters = [start(b, T0 + 1000), start(b, T0 + 1000)];
    await flush();
    expect([b.inflight, b.waiting, b.readyCount]).to.deep.equal([4, 2, 2]);
    slots[2]!.release();
    await flush();
    expect([b.inflight, b.waiting]).to.deep.equal([4, 1]);
    expect(waiters[0]!.slot()?.ip).to.equal('10.0.0.2');
    clock.advance(1000);
    await flush();
    expect([b.inflight, b.waiting, waiters[1]!.done(), waiters[1]!.slot()]).to.deep.equal([4, 0, true, undefined]);
  });

  it('containerConcurrency can change while running (the registry updates it)', async () => {
    const b = new RevisionBackends(clock, 1);
    b.setPods(['10.0.0.1']);
    await b.acquire(T0 + 1000, never());
    const w = start(b, T0 + 1000);
    await flush();
    expect(w.done()).to.equal(false);
    b.containerConcurrency = 2;
    b.setPods(['10.0.0.1']);
    await flush();
    expect(w.slot()?.ip).to.equal('10.0.0.1');
    expect(b.inflight).to.equal(2);
  });

  it('tryAcquire(except) picks none of the pods named (a failover after their connects failed)', () => {
    const b = new RevisionBackends(clock, 1);
    b.setPods(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(b.tryAcquire(['10.0.0.1'])?.ip).to.equal('10.0.0.2');
    expect(b.tryAcquire(['10.0.0.1', '10.0.0.3'])).to.equal(undefined); // 10.0.0.2 is full
    expect(b.tryAcquire()?.ip).to.equal('10.0.0.1');
  });
});
