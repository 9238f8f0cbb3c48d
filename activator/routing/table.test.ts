import { expect } from 'chai';
import { ServingLabels, VISIBILITY_CLUSTER_LOCAL } from '../../api/serving/labels.js';
import type { Route, TrafficTarget } from '../../api/serving/v1/types.js';
import { cond, route, withCondition, withLabels, withNamespace, withStatusTraffic, withURL, type Opt } from '../../controller/testing/builders.js';
import { buildRoutingTable, lookup, pickTarget, RoutingIndex, type RouteEntry, type RoutingTable } from './table.js';

const assigned = (status: 'True' | 'False' | 'Unknown' = 'True'): Opt<Route> => withCondition(cond('AllTrafficAssigned', status)) as Opt<Route>;
const clusterLocal: Opt<Route> = withLabels({ [ServingLabels.visibility]: VISIBILITY_CLUSTER_LOCAL });
const target = (revision: string, percent: number, ns = 'default'): { namespace: string; revision: string; percent: number } => ({ namespace: ns, revision, percent });
const entry = (routeName: string, targets: RouteEntry['targets'], opts: { ns?: string; clusterLocal?: boolean } = {}): RouteEntry => ({
  namespace: opts.ns ?? 'default', route: routeName, targets, clusterLocal: opts.clusterLocal ?? false,
});
const asObject = (m: ReadonlyMap<string, RouteEntry>): Record<string, RouteEntry> => Object.fromEntries(m);
const clusterNames = (name: string, ns = 'default'): string[] => [`${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
const allKeys = (t: RoutingTable): { external: string[]; internal: string[] } => ({ external: [...t.external.keys()].sort(), internal: [...t.internal.keys()].sort() });

describe('activator/routing/table', () => {
  describe('buildRoutingTable', () => {
    it('an external Route: its URL, its cluster-local names, and one entry per tag (0% targets only by tag)', () => {
      const traffic: TrafficTarget[] = [
        { revisionName: 'hello-00001', percent: 50 },
        { revisionName: 'hello-00002', percent: 50, tag: 'canary', url: 'http://canary-hello.default.example.com' },
        { revisionName: 'hello-00003', percent: 0, tag: 'next', url: 'http://next-hello.default.example.com' },
      ];
      const table = buildRoutingTable([route('hello', withURL('http://hello.default.example.com'), withStatusTraffic(...traffic), assigned())]);
      const main = entry('hello', [target('hello-00001', 50), target('hello-00002', 50)]);
      const canary = entry('hello', [target('hello-00002', 100)]);
      const next = entry('hello', [target('hello-00003', 100)]);
      expect(asObject(table.external)).to.deep.equal({
        'hello.default.example.com': main,
        'canary-hello.default.example.com': canary,
        'next-hello.default.example.com': next,
      });
      expect(asObject(table.internal)).to.deep.equal({
        ...Object.fromEntries(clusterNames('hello').map((h) => [h, main])),
        ...Object.fromEntries(clusterNames('canary-hello').map((h) => [h, canary])),
        ...Object.fromEntries(clusterNames('next-hello').map((h) => [h, next])),
      });
    });

    it('a cluster-local Route: only its cluster-local names and cluster-local tag names, never its URL', () => {
      const r = route('private', clusterLocal,
        // A stale external URL (the label was added later) must not make the Route reachable from outside.
        withURL('http://private.default.example.com'),
        withStatusTraffic({ revisionName: 'private-00001', percent: 100, tag: 'v1', url: 'http://v1-private.default.example.com' }),
        assigned());
      const table = buildRoutingTable([r]);
      expect(table.external.size).to.equal(0);
      const main = entry('private', [target('private-00001', 100)], { clusterLocal: true });
      const v1 = entry('private', [target('private-00001', 100)], { clusterLocal: true });
      expect(asObject(table.internal)).to.deep.equal({
        ...Object.fromEntries(clusterNames('private').map((h) => [h, main])),
        ...Object.fromEntries(clusterNames('v1-private').map((h) => [h, v1])),
      });
    });

    const skipped: Array<{ name: string; r: Route }> = [
      { name: 'no status at all', r: route('a') },
      { name: 'no traffic yet (AllTrafficAssigned Unknown)', r: route('a', withURL('http://a.default.example.com'), assigned('Unknown')) },
      { name: 'empty traffic', r: route('a', withURL('http://a.default.example.com'), withStatusTraffic(), assigned()) },
      { name: 'traffic but no AllTrafficAssigned condition', r: route('a', withURL('http://a.default.example.com'), withStatusTraffic({ revisionName: 'a-00001', percent: 100 })) },
      { name: 'every target at 0% and no tags', r: route('a', withURL('http://a.default.example.com'), withStatusTraffic({ revisionName: 'a-00001', percent: 0 }), assigned()) },
      { name: 'targets without a revision name', r: route('a', withURL('http://a.default.example.com'), withStatusTraffic({ configurationName: 'a', percent: 100 }), assigned()) },
    ];
    for (const c of skipped) {
      it(`skips a Route with ${c.name}`, () => {
        expect(allKeys(buildRoutingTable([c.r]))).to.deep.equal({ external: [], internal: [] });
      });
    }

    it('keeps serving the last resolved traffic while AllTrafficAssigned is False', () => {
      const r = route('a', withURL('http://a.default.example.com'), withStatusTraffic({ revisionName: 'a-00001', percent: 100 }), assigned('False'));
      expect(lookup(buildRoutingTable([r]), 'a.default.example.com')).to.deep.equal(entry('a', [target('a-00001', 100)]));
    });

    it('every target at 0% with a tag: no main entry, the tag hosts still route', () => {
      const r = route('a', withURL('http://a.default.example.com'), withStatusTraffic({ revisionName: 'a-00001', percent: 0, tag: 't', url: 'http://t-a.default.example.com' }), assigned());
      expect(allKeys(buildRoutingTable([r]))).to.deep.equal({ external: ['t-a.default.example.com'], internal: clusterNames('t-a').sort() });
    });

    it('a missing percent counts as 0%', () => {
      const r = route('a', withURL('http://a.default.example.com'), withStatusTraffic({ revisionName: 'a-00001', percent: 100 }, { revisionName: 'a-00002' }), assigned());
      expect(lookup(buildRoutingTable([r]), 'a.default.example.com')?.targets).to.deep.equal([target('a-00001', 100)]);
    });

    it('several Routes in several namespaces do not mix', () => {
      const table = buildRoutingTable([
        route('a', withURL('http://a.default.example.com'), withStatusTraffic({ revisionName: 'a-00001', percent: 100 }), assigned()),
        route('a', withNamespace('team'), withURL('http://a.team.example.com'), withStatusTraffic({ revisionName: 'a-00007', percent: 100 }), assigned()),
      ]);
      expect(lookup(table, 'a.default')).to.deep.equal(entry('a', [target('a-00001', 100)]));
      expect(lookup(table, 'a.team.svc')).to.deep.equal(entry('a', [target('a-00007', 100, 'team')], { ns: 'team' }));
      expect(lookup(table, 'a.team.example.com')).to.deep.equal(entry('a', [target('a-00007', 100, 'team')], { ns: 'team' }));
    });

    it('an empty list gives an empty table', () => {
      expect(allKeys(buildRoutingTable([]))).to.deep.equal({ external: [], internal: [] });
    });
  });

  describe('lookup', () => {
    const table = buildRoutingTable([
      route('hello', withURL('http://hello.default.example.com'),
        withStatusTraffic({ revisionName: 'hello-00001', percent: 100 }, { revisionName: 'hello-00002', percent: 0, tag: 'canary', url: 'http://canary-hello.default.example.com' }),
        assigned()),
      route('private', clusterLocal, withURL('http://private.default.svc.cluster.local'),
        withStatusTraffic({ revisionName: 'private-00001', percent: 100, tag: 'v1', url: 'http://v1-private.default.svc.cluster.local' }), assigned()),
    ]);
    const hello = entry('hello', [target('hello-00001', 100)]);
    const canary = entry('hello', [target('hello-00002', 100)]);
    const priv = entry('private', [target('private-00001', 100)], { clusterLocal: true });
    const cases: Array<{ host: string; want: RouteEntry | undefined }> = [
      { host: 'hello.default.example.com', want: hello },
      { host: 'hello.default', want: hello },
      { host: 'hello.default.svc', want: hello },
      { host: 'hello.default.svc.cluster.local', want: hello },
      { host: 'canary-hello.default.example.com', want: canary },
      { host: 'canary-hello.default', want: canary },
      { host: 'canary-hello.default.svc.cluster.local', want: canary },
      { host: 'private.default', want: priv },
      { host: 'private.default.svc', want: priv },
      { host: 'private.default.svc.cluster.local', want: priv },
      { host: 'v1-private.default', want: priv },
      { host: 'v1-private.default.svc', want: priv },
      { host: 'v1-private.default.svc.cluster.local', want: priv },
      { host: 'private.default.example.com', want: undefined },
      { host: 'v1-private.default.example.com', want: undefined },
      { host: 'hello.other.example.com', want: undefined },
      { host: 'hello', want: undefined },
      { host: '', want: undefined },
    ];
    for (const c of cases) {
      it(`${JSON.stringify(c.host)} -> ${c.want ? c.want.targets.map((t) => t.revision).join(',') : 'none'}`, () => {
        expect(lookup(table, c.host)).to.deep.equal(c.want);
      });
    }
  });

  describe('pickTarget', () => {
    const fiftyFifty = entry('hello', [target('hello-00001', 50), target('hello-00002', 50)]);
    const hundredZero = entry('hello', [target('hello-00001', 100), target('hello-00002', 0)]);
    const zeroHundred = entry('hello', [target('hello-00001', 0), target('hello-00002', 100)]);
    const threeWay = entry('hello', [target('a', 10), target('b', 30), target('c', 60)]);
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
    for (const c of cases) {
      it(c.name, () => {
        expect(pickTarget(c.e, c.random)?.revision).to.equal(c.want);
      });
    }

    it('a 100/0 Route built from status has only the 100% target, whatever the random value', () => {
      const table = buildRoutingTable([route('hello', withURL('http://hello.default.example.com'),
        withStatusTraffic({ revisionName: 'hello-00001', percent: 100 }, { revisionName: 'hello-00002', percent: 0 }), assigned())]);
      const e = lookup(table, 'hello.default.example.com')!;
      expect(e.targets).to.deep.equal([target('hello-00001', 100)]);
      expect([0, 0.49, 0.5, 0.99].map((r) => pickTarget(e, r))).to.deep.equal([0, 0.49, 0.5, 0.99].map(() => target('hello-00001', 100)));
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

  describe('RoutingIndex', () => {
    const hello = (url: string, ...traffic: TrafficTarget[]): Route => route('hello', withURL(url), withStatusTraffic(...traffic), assigned());
    const other = route('other', withNamespace('team-b'), withURL('http://other.team-b.example.com'), withStatusTraffic({ revisionName: 'other-00001', percent: 100 }), assigned());

    it('after any sequence of upserts and removals, equals the table built from the Routes that remain', () => {
      const index = new RoutingIndex();
      const v1 = hello('http://hello.default.example.com', { revisionName: 'hello-00001', percent: 100, tag: 'old', url: 'http://old-hello.default.example.com' });
      const v2 = hello('http://hello.default.example.com', { revisionName: 'hello-00002', percent: 100, tag: 'new', url: 'http://new-hello.default.example.com' });
      const steps: Array<[string, () => void, Route[]]> = [
        ['add hello v1', () => index.upsert(v1), [v1]],
        ['add other', () => index.upsert(other), [v1, other]],
        ['update hello to v2 (tag old gone, tag new added)', () => index.upsert(v2), [v2, other]],
        ['update hello to v2 again', () => index.upsert(v2), [v2, other]],
        ['remove hello', () => index.remove(v2), [other]],
        ['remove hello again', () => index.remove(v2), [other]],
        ['remove other', () => index.remove(other), []],
      ];
      for (const [name, step, remaining] of steps) {
        step();
        const want = buildRoutingTable(remaining);
        expect({ external: asObject(index.table.external), internal: asObject(index.table.internal) }, name).to.deep.equal({ external: asObject(want.external), internal: asObject(want.internal) });
      }
    });

    it('removing a Route leaves a host another Route took since with that Route', () => {
      const index = new RoutingIndex();
      const a = hello('http://shared.example.com', { revisionName: 'hello-00001', percent: 100 });
      const b = route('b', withURL('http://shared.example.com'), withStatusTraffic({ revisionName: 'b-00001', percent: 100 }), assigned());
      index.upsert(a);
      index.upsert(b);
      index.remove(a);
      expect(lookup(index.table, 'shared.example.com')?.route).to.equal('b');
    });
  });
});
