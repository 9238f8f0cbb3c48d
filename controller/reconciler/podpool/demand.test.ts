// PoolDemand: claims and misses per pool, by pod UID, within each pool's window.
import { expect } from 'chai';
import { T0 } from '../../../testing/fake-clock.js';
import { PoolDemand } from './demand.js';

describe('controller/podpool PoolDemand', () => {
  const windows: Record<string, number> = { 'default/short': 10_000 };
  let demand: PoolDemand;
  beforeEach(() => {
    demand = new PoolDemand((pool) => windows[pool] ?? 60_000);
  });

  it('an unknown pool has no demand', () => {
    expect(demand.times('default/none', T0)).to.deep.equal([]);
  });

  it('a pod UID counts once: the first record wins (its kind and time)', () => {
    demand.record('default/p', 'uid-1', 'claim', T0 - 1000);
    demand.record('default/p', 'uid-1', 'claim', T0 - 500);
    demand.record('default/p', 'uid-1', 'miss', T0);
    expect([demand.times('default/p', T0), demand.times('default/p', T0, 'claim'), demand.times('default/p', T0, 'miss')]).to.deep.equal([[T0 - 1000], [T0 - 1000], []]);
  });

  it('kinds are filtered; without a kind both count', () => {
    demand.record('default/p', 'uid-1', 'claim', T0 - 3000);
    demand.record('default/p', 'uid-2', 'miss', T0 - 2000);
    demand.record('default/p', 'uid-3', 'claim', T0 - 1000);
    expect({
      all: demand.times('default/p', T0),
      claims: demand.times('default/p', T0, 'claim'),
      misses: demand.times('default/p', T0, 'miss'),
    }).to.deep.equal({ all: [T0 - 3000, T0 - 2000, T0 - 1000], claims: [T0 - 3000, T0 - 1000], misses: [T0 - 2000] });
  });

  it('events at or before now - window are pruned; a pruned UID recorded again counts again', () => {
    demand.record('default/p', 'old', 'claim', T0 - 60_000);
    demand.record('default/p', 'older', 'miss', T0 - 90_000);
    demand.record('default/p', 'new', 'claim', T0 - 59_999);
    expect(demand.times('default/p', T0)).to.deep.equal([T0 - 59_999]);
    // Pruned, so no longer a duplicate.
    demand.record('default/p', 'old', 'miss', T0);
    expect(demand.times('default/p', T0, 'miss')).to.deep.equal([T0]);
    // Everything ages out; the pool is forgotten, and a later time sees nothing.
    expect(demand.times('default/p', T0 + 60_000)).to.deep.equal([]);
    expect(demand.times('default/p', T0)).to.deep.equal([]);
  });

  it('pools are separate, each with its own window', () => {
    demand.record('default/short', 'uid-1', 'claim', T0 - 20_000);
    demand.record('default/short', 'uid-2', 'claim', T0 - 5_000);
    demand.record('default/long', 'uid-1', 'claim', T0 - 20_000);
    demand.record('team/short', 'uid-3', 'miss', T0 - 20_000);
    expect({
      short: demand.times('default/short', T0),
      long: demand.times('default/long', T0),
      otherNamespace: demand.times('team/short', T0),
    }).to.deep.equal({ short: [T0 - 5_000], long: [T0 - 20_000], otherNamespace: [T0 - 20_000] });
  });
});
