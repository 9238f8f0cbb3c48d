import { expect } from 'chai';
import { parsePoke, parseStats, pokedPods } from './autoscaler-wire.js';

describe('api/kzero autoscaler wire (/stats, /poke)', () => {
  const stat = { namespace: 'default', revision: 'hello-00001', concurrency: 2.5, requests: 7 };

  it('takes well-formed stats, keeping only the contract fields', () => {
    expect(parseStats({ stats: [{ ...stat, extra: 'x' }] })).to.deep.equal([stat]);
    expect(parseStats({ stats: [] })).to.deep.equal([]);
  });

  for (const [name, body] of [
    ['not an object', null],
    ['no stats', {}],
    ['stats not a list', { stats: { 0: stat } }],
    ['a string concurrency', { stats: [{ ...stat, concurrency: '2' }] }],
    ['a negative count', { stats: [{ ...stat, requests: -1 }] }],
    ['an empty revision', { stats: [{ ...stat, revision: '' }] }],
    ['a non-finite load', { stats: [{ ...stat, concurrency: 1e400 }] }],
  ] as const) {
    it(`refuses stats with ${name}, saying what it wants`, () => {
      expect(parseStats(body)).to.be.a('string').that.matches(/want/);
    });
  }

  it('refuses a bad stats entry by its index', () => {
    expect(parseStats({ stats: [stat, { ...stat, namespace: 5 }] })).to.match(/^stats\[1\]:/);
  });

  it('takes a poke naming a revision, refuses one that does not', () => {
    expect(parsePoke({ namespace: 'a', revision: 'b', x: 1 })).to.deep.equal({ namespace: 'a', revision: 'b' });
    for (const body of [null, [], {}, { namespace: 'a' }, { namespace: 'a', revision: 3 }]) expect(parsePoke(body)).to.be.a('string');
  });

  it('reads the pods of a poke answer that name an IP and ignores the rest', () => {
    expect(pokedPods({ pods: [{ name: 'p', ip: '10.0.0.1' }, { name: 'q' }, 'x', null] })).to.deep.equal([{ name: 'p', ip: '10.0.0.1' }]);
    expect(pokedPods(undefined)).to.deep.equal([]);
    expect(pokedPods({ pods: 'no' })).to.deep.equal([]);
  });
});
