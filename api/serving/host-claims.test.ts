import { expect } from 'chai';
import { cond, route, withCondition, withCreationTimestamp, withNamespace, withStatusTraffic, withURL, type Opt } from '../../testing/builders.js';
import { parseDomainConfig } from './domain-config.js';
import { hostLabel } from './route-hosts.js';
import { claimKey, claimsOf, compareClaims, rivalsFor, servedClaims, type HostClaim } from './host-claims.js';
import type { Route, TrafficTarget } from './v1/types.js';

const domains = parseDomainConfig({ 'example.com': '' });
const created = (iso: string): Opt<Route> => withCreationTimestamp(iso);
const assigned: Opt<Route> = withCondition(cond('AllTrafficAssigned', 'True')) as Opt<Route>;
const summary = (c: HostClaim): string => `${c.namespace}/${c.route}${c.tag ? `#${c.tag}` : ''} ${c.url} ${c.targets.map((t) => `${t.revision}:${t.percent}`).join(',')}`;

describe('api/serving/host-claims', () => {
  describe('claimsOf', () => {
    const cases: Array<{ name: string; traffic: TrafficTarget[]; want: string[] }> = [
      { name: 'one revision: the own host', traffic: [{ revisionName: 'b-1', percent: 100 }], want: ['default/b b.default.example.com b-1:100'] },
      {
        name: 'a split and tags: own host with the shares, one host per tag at 100%',
        traffic: [{ revisionName: 'b-1', percent: 40 }, { revisionName: 'b-2', percent: 60, tag: 'a' }, { revisionName: 'b-3', percent: 0, tag: 'next' }],
        want: ['default/b b.default.example.com b-1:40,b-2:60', 'default/b#a a-b.default.example.com b-2:100', 'default/b#next next-b.default.example.com b-3:100'],
      },
      { name: 'every share 0%: only the tags', traffic: [{ revisionName: 'b-1', percent: 0, tag: 't' }], want: ['default/b#t t-b.default.example.com b-1:100'] },
      { name: 'a missing percent is 0%', traffic: [{ revisionName: 'b-1', percent: 100 }, { revisionName: 'b-2' }], want: ['default/b b.default.example.com b-1:100'] },
      { name: 'targets without a revision claim nothing', traffic: [{ configurationName: 'b', percent: 100, tag: 't' }], want: [] },
      { name: 'a tag given twice counts once, its first target', traffic: [{ revisionName: 'b-1', percent: 100, tag: 't' }, { revisionName: 'b-2', percent: 0, tag: 't' }], want: ['default/b b.default.example.com b-1:100', 'default/b#t t-b.default.example.com b-1:100'] },
      { name: 'a tag that cannot make a host is left out', traffic: [{ revisionName: 'b-1', percent: 100, tag: 'hello.other' }], want: ['default/b b.default.example.com b-1:100'] },
    ];
    for (const c of cases) it(c.name, () => expect(claimsOf(route('b'), c.traffic, domains).map(summary)).to.deep.equal(c.want));

    it('a status URL naming another namespace changes nothing: hosts are computed', () => {
      const r = route('b', withNamespace('team-a'), withURL('http://hello.default.example.com'),
        withStatusTraffic({ revisionName: 'b-1', percent: 100, tag: 't', url: 'http://hello.default.example.com' }), assigned);
      expect(servedClaims(r, domains).flatMap((c) => c.hosts).filter((h) => !h.split('.').includes('team-a'))).to.deep.equal([]);
    });
  });

  describe('servedClaims', () => {
    const traffic = withStatusTraffic({ revisionName: 'b-1', percent: 100 });
    const cases: Array<{ name: string; r: Route; want: number }> = [
      { name: 'no status', r: route('b'), want: 0 },
      { name: 'traffic, AllTrafficAssigned not set yet', r: route('b', traffic), want: 0 },
      { name: 'traffic, AllTrafficAssigned True', r: route('b', traffic, assigned), want: 1 },
      { name: 'the last good traffic while AllTrafficAssigned is False', r: route('b', traffic, withCondition(cond('AllTrafficAssigned', 'False')) as Opt<Route>), want: 1 },
      { name: 'AllTrafficAssigned but no traffic', r: route('b', assigned), want: 0 },
    ];
    for (const c of cases) it(c.name, () => expect(servedClaims(c.r, domains)).to.have.length(c.want));
  });

  describe('compareClaims', () => {
    const claim = (name: string, traffic: TrafficTarget, ...opts: Array<Opt<Route>>): HostClaim => {
      const claims = claimsOf(route(name, ...opts), [traffic], domains);
      return claims[claims.length - 1]!;
    };
    const own = claim('a-b', { revisionName: 'x-1', percent: 100 }, created('2024-05-01T00:00:00Z'));
    const tagOld = claim('b', { revisionName: 'b-1', percent: 0, tag: 'a' }, created('2024-04-01T00:00:00Z'));
    const tagNew = claim('b-x', { revisionName: 'c-1', percent: 0, tag: 'a' }, created('2024-04-02T00:00:00Z'));
    const tagSameTimeB = claim('b', { revisionName: 'b-1', percent: 0, tag: 'q' }, created('2024-04-03T00:00:00Z'));
    const tagSameTimeC = claim('c', { revisionName: 'c-1', percent: 0, tag: 'q' }, created('2024-04-03T00:00:00Z'));
    const tagUndated = claim('a', { revisionName: 'a-1', percent: 0, tag: 'q' });
    const wins: Array<[string, HostClaim, HostClaim]> = [
      ['an own host beats an older tag', own, tagOld],
      ['the older of two tags', tagOld, tagNew],
      ['created in the same second: the name', tagSameTimeB, tagSameTimeC],
      ['a dated Route beats one without a creationTimestamp', tagNew, tagUndated],
    ];
    for (const [name, winner, loser] of wins) {
      it(name, () => {
        expect(compareClaims(winner, loser)).to.be.lessThan(0);
        expect(compareClaims(loser, winner)).to.be.greaterThan(0);
      });
    }
    it('a claim against itself is 0', () => expect(compareClaims(tagOld, { ...tagOld })).to.equal(0));
    it('claimKey is the namespace and the label', () => expect([claimKey(own), claimKey(tagOld)]).to.deep.equal(['default/a-b', 'default/a-b']));
  });

  describe('rivalsFor', () => {
    const cases: Array<{ label: string; self: string; want: string[] }> = [
      { label: 'canary-hello', self: 'hello', want: ['canary-hello'] },
      { label: 'a-b', self: 'b', want: ['a-b'] },
      { label: 'my-tag-my-svc', self: 'my-svc', want: ['my-tag-my-svc', 'tag-my-svc', 'svc'] },
      { label: 'a--b', self: 'b', want: ['a--b'] },
      { label: 'x-', self: 'x', want: ['x-'] },
    ];
    for (const c of cases) it(`${c.label} (self ${c.self})`, () => expect(rivalsFor(c.label, c.self)).to.deep.equal(c.want));

    it('every Route whose own or tag host can spell the label is a rival', () => {
      // Brute force: every name and tag cut from the label, kept if `<name>` or `<tag>-<name>` spells it.
      const label = 'a-b-c-dd';
      const cuts = new Set<string>();
      for (let i = 0; i < label.length; i++) for (let j = i + 1; j <= label.length; j++) cuts.add(label.slice(i, j));
      const claimants = new Set<string>();
      for (const name of cuts) {
        if (!/^[a-z0-9]/.test(name)) continue; // not a Kubernetes name
        if (hostLabel(name) === label) claimants.add(name);
        for (const tag of cuts) if (hostLabel(name, tag) === label) claimants.add(name);
      }
      expect(rivalsFor(label, 'none').sort()).to.deep.equal([...claimants].sort());
    });
  });
});
