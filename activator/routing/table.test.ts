import { expect } from 'chai';
import { parseDomainConfig } from '../../api/serving/domain-config.js';
import { ServingLabels, VISIBILITY_CLUSTER_LOCAL } from '../../api/serving/labels.js';
import type { Route, TrafficTarget } from '../../api/serving/v1/types.js';
import {
  cond, route, withCondition, withCreationTimestamp, withLabels, withNamespace, withStatusTraffic, withURL, type Opt,
} from '../../testing/builders.js';
import { lookup, pickTarget, RoutingIndex, type RouteEntry, type Scope } from './table.js';

const domains = parseDomainConfig({ 'example.com': '', 'internal.example.org': 'selector:\n  app: internal\n' });
const assigned = (status: 'True' | 'False' | 'Unknown' = 'True'): Opt<Route> => withCondition(cond('AllTrafficAssigned', status)) as Opt<Route>;
const clusterLocal: Opt<Route> = withLabels({ [ServingLabels.visibility]: VISIBILITY_CLUSTER_LOCAL });
const served = (name: string, ...opts: Array<Opt<Route>>): Route => route(name, ...opts, assigned());
const to = (revisionName: string, percent = 100, tag?: string): TrafficTarget => ({ revisionName, percent, ...(tag ? { tag } : {}) });
const entry = (routeName: string, targets: Array<[string, number]>, ns = 'default'): RouteEntry => ({
  namespace: ns, route: routeName, targets: targets.map(([revision, percent]) => ({ namespace: ns, revision, percent })),
});
const local = (label: string, ns = 'default'): string[] => [`${label}.${ns}`, `${label}.${ns}.svc`, `${label}.${ns}.svc.cluster.local`];
const indexOf = (...routes: Route[]): RoutingIndex => {
  const index = new RoutingIndex(domains);
  for (const r of routes) index.upsert(r);
  return index;
};
/** host -> `route:revision@percent,...`, sorted by host: on the cluster-local listener, or the public one. */
const servedBy = (index: RoutingIndex, scope: Scope = 'cluster-local'): Record<string, string> => Object.fromEntries([...(scope === 'public' ? index.table.publicHosts : index.table.hosts)]
  .sort(([a], [b]) => (a < b ? -1 : 1))
  .map(([h, e]) => [h, `${e.namespace}/${e.route}:${e.targets.map((t) => `${t.revision}@${t.percent}`).join(',')}`]));
const hostsOf = (value: string, ...hosts: string[]): Record<string, string> => Object.fromEntries(hosts.map((h) => [h, value]));

describe('activator/routing/table', () => {
  describe('RoutingIndex: hosts computed from name, namespace and config-domain', () => {
    it('a Route: its own host and cluster-local names, one host per tag (0% targets only by tag)', () => {
      const index = indexOf(served('hello', withStatusTraffic(to('hello-00001', 50), to('hello-00002', 50, 'canary'), to('hello-00003', 0, 'next'))));
      expect(servedBy(index)).to.deep.equal({
        ...hostsOf('default/hello:hello-00001@50,hello-00002@50', 'hello.default.example.com', ...local('hello')),
        ...hostsOf('default/hello:hello-00002@100', 'canary-hello.default.example.com', ...local('canary-hello')),
        ...hostsOf('default/hello:hello-00003@100', 'next-hello.default.example.com', ...local('next-hello')),
      });
    });

    it('a cluster-local Route: only cluster-local names, whatever a stale status URL says', () => {
      const index = indexOf(served('private', clusterLocal, withURL('http://private.default.example.com'), withStatusTraffic(to('private-00001', 100, 'v1'))));
      expect(Object.keys(servedBy(index)).sort()).to.deep.equal([...local('private'), ...local('v1-private')].sort());
    });

    it('the domain a Route\'s labels select', () => {
      const index = indexOf(served('app', withLabels({ app: 'internal' }), withStatusTraffic(to('app-00001'))));
      expect(lookup(index.table, 'app.default.internal.example.org', 'cluster-local')?.route).to.equal('app');
      expect(lookup(index.table, 'app.default.example.com', 'cluster-local')).to.equal(undefined);
    });

    const skipped: Array<{ name: string; r: Route }> = [
      { name: 'no status at all', r: route('a') },
      { name: 'no traffic yet (AllTrafficAssigned Unknown)', r: route('a', assigned('Unknown')) },
      { name: 'empty traffic', r: route('a', withStatusTraffic(), assigned()) },
      { name: 'traffic but no AllTrafficAssigned condition', r: route('a', withStatusTraffic(to('a-00001'))) },
      { name: 'every target at 0% and no tags', r: route('a', withStatusTraffic(to('a-00001', 0)), assigned()) },
      { name: 'targets without a revision name', r: route('a', withStatusTraffic({ configurationName: 'a', percent: 100 }), assigned()) },
      { name: 'a name that is not a DNS label', r: route('a.b', withStatusTraffic(to('a-00001')), assigned()) },
    ];
    for (const c of skipped) it(`serves nothing for a Route with ${c.name}`, () => expect(servedBy(indexOf(c.r))).to.deep.equal({}));

    it('keeps serving the last resolved traffic while AllTrafficAssigned is False', () => {
      const index = indexOf(route('a', withStatusTraffic(to('a-00001')), assigned('False')));
      expect(lookup(index.table, 'a.default.example.com', 'cluster-local')).to.deep.equal(entry('a', [['a-00001', 100]]));
    });

    it('several Routes in several namespaces do not mix, revisions are the Route\'s own namespace\'s', () => {
      const index = indexOf(served('a', withStatusTraffic(to('a-00001'))), served('a', withNamespace('team'), withStatusTraffic(to('a-00007'))));
      expect(lookup(index.table, 'a.default', 'cluster-local')).to.deep.equal(entry('a', [['a-00001', 100]]));
      expect(lookup(index.table, 'a.team.svc', 'cluster-local')).to.deep.equal(entry('a', [['a-00007', 100]], 'team'));
      expect(lookup(index.table, 'a.team.example.com', 'cluster-local')).to.deep.equal(entry('a', [['a-00007', 100]], 'team'));
    });

    // The reproduced attack: a Route in team-a whose status names default's hosts took them, and kept them
    // blackholed after team-a was gone.
    it('status URLs are ignored: a Route whose status names another namespace\'s host routes nothing there', () => {
      const victim = served('hello', withStatusTraffic(to('hello-00001')));
      const attacker = served('x', withNamespace('team-a'), withURL('http://hello.default.example.com'),
        withStatusTraffic({ ...to('x-00001', 100, 'hello'), url: 'http://hello.default.example.com' }));
      const index = indexOf(victim, attacker);
      expect(lookup(index.table, 'hello.default.example.com', 'cluster-local')).to.deep.equal(entry('hello', [['hello-00001', 100]]));
      for (const [host, by] of Object.entries(servedBy(index))) expect(host.split('.')[1], host).to.equal(by.split('/')[0]);
      index.remove(attacker);
      expect(lookup(index.table, 'hello.default.example.com', 'cluster-local')).to.deep.equal(entry('hello', [['hello-00001', 100]]));
    });

    it('a new config-domain moves every host to the new domain', () => {
      const index = indexOf(served('a', withStatusTraffic(to('a-00001', 100, 't'))));
      index.setDomains(parseDomainConfig({ 'new.dev': '' }));
      expect(Object.keys(servedBy(index)).sort()).to.deep.equal(['a.default.new.dev', ...local('a'), 't-a.default.new.dev', ...local('t-a')].sort());
    });
  });

  describe('RoutingIndex: which hosts the public listener serves', () => {
    it('a public Route: its URL host and its tag hosts on its domain, none of their cluster-local names', () => {
      const index = indexOf(served('hello', withStatusTraffic(to('hello-00001', 100), to('hello-00002', 0, 'next'))));
      expect(servedBy(index, 'public')).to.deep.equal({
        'hello.default.example.com': 'default/hello:hello-00001@100',
        'next-hello.default.example.com': 'default/hello:hello-00002@100',
      });
      for (const h of [...local('hello'), ...local('next-hello')]) {
        expect(lookup(index.table, h, 'public'), h).to.equal(undefined);
        expect(lookup(index.table, h, 'cluster-local')?.route, h).to.equal('hello');
      }
    });

    it('a cluster-local Route (label): none of its hosts or tag hosts', () => {
      const index = indexOf(served('private', clusterLocal, withStatusTraffic(to('private-00001', 100, 'v1'))));
      expect(servedBy(index, 'public')).to.deep.equal({});
      expect(Object.keys(servedBy(index)).sort()).to.deep.equal([...local('private'), ...local('v1-private')].sort());
    });

    it('a Route given the cluster-local domain by config-domain: none of its hosts', () => {
      const index = new RoutingIndex(parseDomainConfig({ 'example.com': '', 'svc.cluster.local': 'selector:\n  app: internal\n' }));
      index.upsert(served('app', withLabels({ app: 'internal' }), withStatusTraffic(to('app-00001', 100, 't'))));
      expect(servedBy(index, 'public')).to.deep.equal({});
      expect(lookup(index.table, 'app.default.svc.cluster.local', 'cluster-local')?.route).to.equal('app');
    });

    it('a Route turned cluster-local leaves the public listener, and back', () => {
      const index = indexOf(served('hello', withStatusTraffic(to('hello-00001'))));
      index.upsert(served('hello', clusterLocal, withStatusTraffic(to('hello-00001'))));
      expect(servedBy(index, 'public')).to.deep.equal({});
      index.upsert(served('hello', withStatusTraffic(to('hello-00001'))));
      expect(Object.keys(servedBy(index, 'public'))).to.deep.equal(['hello.default.example.com']);
      index.remove(served('hello'));
      expect(servedBy(index, 'public')).to.deep.equal({});
    });
  });

  describe('RoutingIndex: a host has one winner among its claimants', () => {
    // Route `b` with tag `a` and Route `a-b` both claim the label `a-b` in `default`.
    const tagged = served('b', withCreationTimestamp('2024-04-01T00:00:00Z'), withStatusTraffic(to('b-00001'), to('b-00002', 0, 'a')));
    const own = served('a-b', withCreationTimestamp('2024-05-01T00:00:00Z'), withStatusTraffic(to('a-b-00001')));
    const ownServes = hostsOf('default/a-b:a-b-00001@100', 'a-b.default.example.com', ...local('a-b'));
    const tagServes = hostsOf('default/b:b-00002@100', 'a-b.default.example.com', ...local('a-b'));
    const bServes = hostsOf('default/b:b-00001@100', 'b.default.example.com', ...local('b'));

    it('a Route\'s own host beats an older Route\'s tag host, whichever came first', () => {
      expect(servedBy(indexOf(tagged, own))).to.deep.equal({ ...bServes, ...ownServes });
      expect(servedBy(indexOf(own, tagged))).to.deep.equal({ ...bServes, ...ownServes });
    });

    it('removing the winner serves the next claimant at once, and back', () => {
      const index = indexOf(tagged, own);
      index.remove(own);
      expect(servedBy(index)).to.deep.equal({ ...bServes, ...tagServes });
      index.upsert(own);
      expect(servedBy(index)).to.deep.equal({ ...bServes, ...ownServes });
    });

    it('a winner that stops claiming (its traffic gone to 0%) gives the host back', () => {
      const index = indexOf(tagged, own);
      index.upsert(served('a-b', withCreationTimestamp('2024-05-01T00:00:00Z'), withStatusTraffic(to('a-b-00001', 0))));
      expect(servedBy(index)).to.deep.equal({ ...bServes, ...tagServes });
    });

    it('between two tags, the older Route; created in the same second, the name', () => {
      // `x-c-b` is Route `b`'s tag `x-c` and Route `c-b`'s tag `x`.
      const tagOf = (name: string, tag: string, ts: string): Route => served(name, withCreationTimestamp(ts), withStatusTraffic(to(`${name}-00001`, 0, tag)));
      const older = tagOf('c-b', 'x', '2024-04-01T00:00:00Z');
      const younger = tagOf('b', 'x-c', '2024-04-02T00:00:00Z');
      expect(lookup(indexOf(younger, older).table, 'x-c-b.default.example.com', 'cluster-local')?.route).to.equal('c-b');
      const sameTime = tagOf('b', 'x-c', '2024-04-01T00:00:00Z');
      expect(lookup(indexOf(older, sameTime).table, 'x-c-b.default.example.com', 'cluster-local')?.route).to.equal('b');
    });

    it('a loser serves none of the label\'s hosts, not even one only it computes', () => {
      // The winner is cluster-local; the loser's external host of that label stays unserved, not split off.
      const localOwn = served('a-b', clusterLocal, withCreationTimestamp('2024-05-01T00:00:00Z'), withStatusTraffic(to('a-b-00001')));
      const index = indexOf(tagged, localOwn);
      expect(lookup(index.table, 'a-b.default.example.com', 'cluster-local')).to.equal(undefined);
      expect(lookup(index.table, 'a-b.default.example.com', 'public')).to.equal(undefined);
      expect(lookup(index.table, 'a-b.default', 'cluster-local')?.route).to.equal('a-b');
    });

    it('after any sequence of upserts and removals, serves what an index of the remaining Routes serves', () => {
      // Seeded: Routes of one namespace whose names and tags collide in many ways.
      let seed = 12;
      const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const names = ['a', 'b', 'a-b', 'c-b', 'a-c-b', 'b-a'];
      const tags = ['a', 'c', 'a-c', 'b'];
      const make = (): Route => {
        const name = names[Math.floor(random() * names.length)]!;
        const traffic = [to(`${name}-1`, random() < 0.8 ? 100 : 0), ...tags.filter(() => random() < 0.4).map((t) => to(`${name}-2`, 0, t))];
        return served(name, withCreationTimestamp(`2024-04-0${1 + Math.floor(random() * 3)}T00:00:00Z`), withStatusTraffic(...traffic));
      };
      const index = new RoutingIndex(domains);
      const live = new Map<string, Route>();
      for (let step = 0; step < 400; step++) {
        const r = make();
        if (random() < 0.3) {
          index.remove(r);
          live.delete(r.metadata.name!);
        } else {
          index.upsert(r);
          live.set(r.metadata.name!, r);
        }
        const fresh = indexOf(...[...live.values()].reverse());
        expect(servedBy(index), `step ${step}`).to.deep.equal(servedBy(fresh));
        expect(servedBy(index, 'public'), `step ${step}, public`).to.deep.equal(servedBy(fresh, 'public'));
      }
    });
  });

  describe('pickTarget', () => {
    const fiftyFifty = entry('hello', [['hello-00001', 50], ['hello-00002', 50]]);
    const hundredZero = entry('hello', [['hello-00001', 100], ['hello-00002', 0]]);
    const zeroHundred = entry('hello', [['hello-00001', 0], ['hello-00002', 100]]);
    const threeWay = entry('hello', [['a', 10], ['b', 30], ['c', 60]]);
    const cases: Array<{ name: string; e: RouteEntry; random: number; want: string | undefined }> = [
      { name: '50/50 at 0', e: fiftyFifty, random: 0, want: 'hello-00001' },
      { name: '50/50 at 0.49', e: fiftyFifty, random: 0.49, want: 'hello-00001' },
      { name: '50/50 at 0.5', e: fiftyFifty, random: 0.5, want: 'hello-00002' },
      { name: '50/50 at 0.99', e: fiftyFifty, random: 0.99, want: 'hello-00002' },
      { name: '100/0 at 0', e: hundredZero, random: 0, want: 'hello-00001' },
      { name: '100/0 at 0.5', e: hundredZero, random: 0.5, want: 'hello-00001' },
      { name: '100/0 at 0.99', e: hundredZero, random: 0.99, want: 'hello-00001' },
      { name: '100/0 at 0.999999', e: hundredZero, random: 0.999999, want: 'hello-00001' },
      { name: '0/100 at 0', e: zeroHundred, random: 0, want: 'hello-00002' },
      { name: '0/100 at 0.99', e: zeroHundred, random: 0.99, want: 'hello-00002' },
      { name: '10/30/60 at 0.0999', e: threeWay, random: 0.0999, want: 'a' },
      { name: '10/30/60 at 0.1', e: threeWay, random: 0.1, want: 'b' },
      { name: '10/30/60 at 0.39', e: threeWay, random: 0.39, want: 'b' },
      { name: '10/30/60 at 0.4', e: threeWay, random: 0.4, want: 'c' },
      { name: '10/30/60 at 0.99', e: threeWay, random: 0.99, want: 'c' },
      { name: 'no targets', e: entry('hello', []), random: 0.3, want: undefined },
    ];
    for (const c of cases) it(c.name, () => expect(pickTarget(c.e, c.random)?.revision).to.equal(c.want));

    it('a 100/0 Route built from status has only the 100% target, whatever the random value', () => {
      const e = lookup(indexOf(served('hello', withStatusTraffic(to('hello-00001', 100), to('hello-00002', 0)))).table, 'hello.default.example.com', 'cluster-local')!;
      expect(e.targets).to.deep.equal([{ namespace: 'default', revision: 'hello-00001', percent: 100 }]);
      expect([0, 0.49, 0.5, 0.99].map((r) => pickTarget(e, r)?.revision)).to.deep.equal(['hello-00001', 'hello-00001', 'hello-00001', 'hello-00001']);
    });

    it('spreads a 50/50 Route evenly over a uniform grid of random values', () => {
      const counts = new Map<string, number>();
      for (let i = 0; i < 1000; i++) {
        const t = pickTarget(fiftyFifty, i / 1000)!;
        counts.set(t.revision, (counts.get(t.revision) ?? 0) + 1);
      }
      expect(Object.fromEntries(counts)).to.deep.equal({ 'hello-00001': 500, 'hello-00002': 500 });
    });
  });
});
