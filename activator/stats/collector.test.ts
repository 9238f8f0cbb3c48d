import { expect } from 'chai';
import { FakeClock, T0 } from '../../testing/fake-clock.js';
import type { RevisionStat } from '../../api/kzero/v1alpha1/autoscaler-wire.js';
import { RevisionBackends } from '../net/backends.js';
import type { RevisionState } from '../revisions.js';
import { StatsCollector } from './collector.js';

const clock = new FakeClock();

function state(name: string, shard: string | undefined, namespace = 'default'): RevisionState {
  return {
    key: `${namespace}/${name}`, namespace, name, shard, containerConcurrency: 1, timeoutMs: 300_000, responseStartTimeoutMs: 300_000, idleTimeoutMs: 0,
    backends: new RevisionBackends(clock, 1), starting: [], probed: new Set(), announced: new Map(), pooled: new Set(), port: 8080,
  };
}

/** Puts the revision at `inflight` requests in flight (one pod each) and `waiting` requests waiting. */
function load(s: RevisionState, inflight: number, waiting: number): Array<() => void> {
  const done: Array<() => void> = [];
  s.backends.setPods(Array.from({ length: inflight }, (_, i) => `10.0.${s.name.length}.${i + 1}`));
  for (let i = 0; i < inflight; i++) {
    void s.backends.acquire(T0 + 60_000, new AbortController().signal).then((slot) => slot && done.push(slot.release));
  }
  for (let i = 0; i < waiting; i++) {
    const abort = new AbortController();
    void s.backends.acquire(T0 + 60_000, abort.signal);
    done.push(() => abort.abort());
  }
  return done;
}

/** Puts a revision at a load of `n` (n requests waiting, no pods): what sample() reads. */
function setLoad(s: RevisionState, n: number): void {
  s.backends = new RevisionBackends(clock, 1);
  load(s, 0, n);
}

const asObject = (m: Map<string, RevisionStat[]>): Record<string, RevisionStat[]> => Object.fromEntries(m);

describe('activator/stats/collector StatsCollector', () => {
  it('samples in flight + waiting and reports their average over the samples', async () => {
    const s = state('hello-00001', 'shard-a');
    const c = new StatsCollector();
    load(s, 2, 1);
    await Promise.resolve();
    expect([s.backends.inflight, s.backends.waiting]).to.deep.equal([2, 1]);
    c.sample([s]); // 3
    setLoad(s, 5);
    c.sample([s]); // 5
    setLoad(s, 1);
    c.sample([s]); // 1
    c.sample([s]); // 1
    expect(asObject(c.drain())).to.deep.equal({ 'shard-a': [{ namespace: 'default', revision: 'hello-00001', concurrency: 2.5, requests: 0 }] });
  });

  it('counts requests, with concurrency 0 when no sample saw load', () => {
    const s = state('hello-00001', 'shard-a');
    const c = new StatsCollector();
    c.request(s);
    c.request(s);
    c.request(s);
    expect(asObject(c.drain())).to.deep.equal({ 'shard-a': [{ namespace: 'default', revision: 'hello-00001', concurrency: 0, requests: 3 }] });
  });

  it('after a request, idle samples count in the average', () => {
    const s = state('hello-00001', 'shard-a');
    const c = new StatsCollector();
    c.request(s);
    setLoad(s, 4);
    c.sample([s]);
    setLoad(s, 0);
    c.sample([s]);
    c.sample([s]);
    c.sample([s]);
    expect(asObject(c.drain())).to.deep.equal({ 'shard-a': [{ namespace: 'default', revision: 'hello-00001', concurrency: 1, requests: 1 }] });
  });

  it('groups by shard (no shard label: ""), in first-seen order within a shard', () => {
    const a1 = state('a-00001', 'shard-a');
    const b1 = state('b-00001', 'shard-b');
    const a2 = state('a-00002', 'shard-a', 'team');
    const none = state('x-00001', undefined);
    const c = new StatsCollector();
    setLoad(a1, 2);
    setLoad(b1, 4);
    setLoad(a2, 6);
    c.sample([a1, b1, a2]);
    c.request(none);
    c.request(b1);
    expect(asObject(c.drain())).to.deep.equal({
      'shard-a': [
        { namespace: 'default', revision: 'a-00001', concurrency: 2, requests: 0 },
        { namespace: 'team', revision: 'a-00002', concurrency: 6, requests: 0 },
      ],
      'shard-b': [{ namespace: 'default', revision: 'b-00001', concurrency: 4, requests: 1 }],
      '': [{ namespace: 'default', revision: 'x-00001', concurrency: 0, requests: 1 }],
    });
  });

  it('drain resets: the next second starts empty', () => {
    const s = state('hello-00001', 'shard-a');
    const c = new StatsCollector();
    setLoad(s, 2);
    c.sample([s]);
    c.request(s);
    expect(c.drain().size).to.equal(1);
    expect(c.drain().size).to.equal(0);
    // The next second's numbers do not carry the previous second's.
    setLoad(s, 8);
    c.sample([s]);
    expect(asObject(c.drain())).to.deep.equal({ 'shard-a': [{ namespace: 'default', revision: 'hello-00001', concurrency: 8, requests: 0 }] });
  });

  it('leaves out revisions idle all second', () => {
    const idle = state('idle-00001', 'shard-a');
    const busy = state('busy-00001', 'shard-a');
    const c = new StatsCollector();
    setLoad(busy, 1);
    for (let i = 0; i < 10; i++) c.sample([idle, busy]);
    expect(asObject(c.drain())).to.deep.equal({ 'shard-a': [{ namespace: 'default', revision: 'busy-00001', concurrency: 1, requests: 0 }] });
    for (let i = 0; i < 10; i++) c.sample([idle]);
    expect(c.drain().size).to.equal(0);
  });

  it('a revision whose load went back to 0 within the second still reports its average', () => {
    const s = state('hello-00001', 'shard-a');
    const c = new StatsCollector();
    setLoad(s, 10);
    c.sample([s]);
    setLoad(s, 0);
    for (let i = 0; i < 9; i++) c.sample([s]);
    expect(asObject(c.drain())).to.deep.equal({ 'shard-a': [{ namespace: 'default', revision: 'hello-00001', concurrency: 1, requests: 0 }] });
  });

  // Idle rounds count: a burst late in the second averages over the whole second.
  it('idle samples before a revision first has load count in its average', () => {
    const s = state('hello-00001', 'shard-a');
    const c = new StatsCollector();
    setLoad(s, 0);
    for (let i = 0; i < 9; i++) c.sample([s]);
    setLoad(s, 10);
    c.sample([s]);
    expect(asObject(c.drain())).to.deep.equal({ 'shard-a': [{ namespace: 'default', revision: 'hello-00001', concurrency: 1, requests: 0 }] });
  });
});
