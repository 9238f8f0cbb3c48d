import type { Route, TrafficTarget } from '../../../api/serving/v1/types.js';
import { expect } from 'chai';
import { parseDomainConfig } from '../../../api/serving/domain-config.js';
import {
  EARLIER, cond, configuration, revision, route, withCondition, withCreationTimestamp, withLabels, withLatestReady, withObservedGeneration, withReadyCondition, withStatusTraffic,
  withNamespace, withTraffic, withURL, withAddress, type Opt,
} from '../../../testing/builders.js';
import { FakeCluster } from '../../../testing/cluster.js';
import { tableTest, type TableRow, type TableSubject } from '../../../testing/table.js';
import { CONFLICT_RECHECK_MS, RouteReconciler } from './reconciler.js';

const domains = parseDomainConfig({ 'example.com': '', 'internal.example.org': 'selector:\n  app: internal\n' });

const subject: TableSubject<Route> = {
  resource: (c) => c.routes,
  reconciler: (c) => new RouteReconciler({
    configurations: c.configurations.lister, revisions: c.revisions.lister, routes: { lister: c.routes.lister, client: c.routes.asClient() }, domains: () => domains,
  }),
};

const URL = 'http://foo.default.example.com';
const ADDRESS = { url: 'http://foo.default.svc.cluster.local' };
const LATEST: TrafficTarget = { configurationName: 'foo', latestRevision: true, percent: 100 };
const ready = [cond('AllTrafficAssigned', 'True'), cond('IngressReady', 'True'), cond('Ready', 'True')];
const at = { at: EARLIER };

const rt = (...opts: Array<Opt<Route>>): Route => route('foo', withTraffic(LATEST), ...opts);
const cfgReady = (latest = 'foo-00001') => configuration('foo', withObservedGeneration(), withLatestReady(latest), withReadyCondition('True'));
const revReady = (name: string) => revision(name, withReadyCondition('True'));

/** A Route that was served on foo-00001 (all at EARLIER). */
const served: Opt<Route> = (r) => {
  withObservedGeneration()(r);
  withURL(URL)(r);
  withAddress(ADDRESS.url)(r);
  withStatusTraffic({ revisionName: 'foo-00001', latestRevision: true, percent: 100 })(r);
  for (const t of ['AllTrafficAssigned', 'IngressReady', 'Ready']) withCondition(cond(t, 'True', undefined, undefined, at))(r);
};

describe('route/reconciler RouteReconciler', () => {
  const rows: TableRow[] = [
    {
      name: 'latest revision of a ready Configuration: traffic, url, address, Ready',
      objects: [rt(), cfgReady()],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: { observedGeneration: 1, url: URL, address: ADDRESS, traffic: [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }], conditions: ready },
      }],
    },
    {
      name: 'steady state: no API call (an untagged Route has no rival to read)',
      objects: [rt(served), cfgReady()],
      key: 'default/foo',
    },
    {
      name: 'a split with a tag: the tagged target gets its own url',
      objects: [
        route('foo', withTraffic({ ...LATEST, percent: 90 }, { tag: 'old', revisionName: 'foo-00001', percent: 10 })),
        cfgReady('foo-00002'), revReady('foo-00001'),
      ],
      key: 'default/foo',
      // The one Route that could claim old-foo's host: not there.
      wantGets: ['routes/old-foo'],
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS,
          traffic: [
            { revisionName: 'foo-00002', latestRevision: true, percent: 90 },
            { tag: 'old', revisionName: 'foo-00001', latestRevision: false, percent: 10, url: 'http://old-foo.default.example.com' },
          ],
          conditions: ready,
        },
      }],
    },
    {
      name: 'cluster-local: every url is cluster-local',
      objects: [route('foo', withLabels({ 'networking.knative.dev/visibility': 'cluster-local' }), withTraffic({ ...LATEST, tag: 'cur' })), cfgReady()],
      key: 'default/foo',
      wantGets: ['routes/cur-foo'],
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: 'http://foo.default.svc.cluster.local', address: ADDRESS,
          traffic: [{ tag: 'cur', revisionName: 'foo-00001', latestRevision: true, percent: 100, url: 'http://cur-foo.default.svc.cluster.local' }],
          conditions: ready,
        },
      }],
    },
    {
      name: 'domain by label selector',
      objects: [rt(withLabels({ app: 'internal' })), cfgReady()],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: { observedGeneration: 1, url: 'http://foo.default.internal.example.org', address: ADDRESS, traffic: [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }], conditions: ready },
      }],
    },
    {
      name: 'configuration missing: AllTrafficAssigned False ConfigurationMissing; url set, no traffic',
      objects: [rt()],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS,
          conditions: [
            cond('AllTrafficAssigned', 'False', 'ConfigurationMissing', 'Configuration "foo" referenced in traffic not found.'),
            cond('IngressReady', 'Unknown'),
            cond('Ready', 'False', 'ConfigurationMissing', 'Configuration "foo" referenced in traffic not found.'),
          ],
        },
      }],
    },
    {
      name: 'revision missing: RevisionMissing',
      objects: [route('foo', withTraffic({ revisionName: 'foo-00009', percent: 100 }))],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS,
          conditions: [
            cond('AllTrafficAssigned', 'False', 'RevisionMissing', 'Revision "foo-00009" referenced in traffic not found.'),
            cond('IngressReady', 'Unknown'),
            cond('Ready', 'False', 'RevisionMissing', 'Revision "foo-00009" referenced in traffic not found.'),
          ],
        },
      }],
    },
    {
      name: 'configuration without a ready revision yet: Unknown, waiting',
      objects: [rt(), configuration('foo', withReadyCondition('Unknown'))],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS,
          conditions: [
            cond('AllTrafficAssigned', 'Unknown', 'RevisionMissing', 'Configuration "foo" is waiting for a Revision to become ready.'),
            cond('IngressReady', 'Unknown'),
            cond('Ready', 'Unknown', 'RevisionMissing', 'Configuration "foo" is waiting for a Revision to become ready.'),
          ],
        },
      }],
    },
    {
      name: 'configuration failed with no ready revision: False',
      objects: [rt(), configuration('foo', withReadyCondition('False', 'RevisionFailed', 'x'))],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS,
          conditions: [
            cond('AllTrafficAssigned', 'False', 'RevisionMissing', 'Configuration "foo" does not have any ready Revision.'),
            cond('IngressReady', 'Unknown'),
            cond('Ready', 'False', 'RevisionMissing', 'Configuration "foo" does not have any ready Revision.'),
          ],
        },
      }],
    },
    {
      name: 'pinned revision not ready / failed',
      objects: [route('foo', withTraffic({ revisionName: 'foo-00002', percent: 100 })), revision('foo-00002', withReadyCondition('False', 'ExitCode1', 'x'))],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS,
          conditions: [
            cond('AllTrafficAssigned', 'False', 'RevisionMissing', 'Revision "foo-00002" failed to become ready.'),
            cond('IngressReady', 'Unknown'),
            cond('Ready', 'False', 'RevisionMissing', 'Revision "foo-00002" failed to become ready.'),
          ],
        },
      }],
    },
    {
      name: 'a new pinned target not ready yet: the last good traffic keeps being served',
      objects: [route('foo', withTraffic({ revisionName: 'foo-00002', percent: 100 }), served), revision('foo-00002')],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS, traffic: [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }],
          conditions: [
            cond('AllTrafficAssigned', 'Unknown', 'RevisionMissing', 'Revision "foo-00002" is not yet ready.'),
            cond('IngressReady', 'True', undefined, undefined, at),
            cond('Ready', 'Unknown', 'RevisionMissing', 'Revision "foo-00002" is not yet ready.'),
          ],
        },
      }],
    },
    {
      name: 'the latest ready revision moved: traffic follows, transition times kept',
      objects: [rt(served), cfgReady('foo-00002')],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, url: URL, address: ADDRESS, traffic: [{ revisionName: 'foo-00002', latestRevision: true, percent: 100 }],
          conditions: [cond('AllTrafficAssigned', 'True', undefined, undefined, at), cond('IngressReady', 'True', undefined, undefined, at), cond('Ready', 'True', undefined, undefined, at)],
        },
      }],
    },
  ];
  tableTest(rows, subject);
});

// Route `b` with tag `a` computes the host label `a-b`, which is Route `a-b`'s own: the own host wins.
describe('route/reconciler RouteReconciler: tag hosts another Route wins', () => {
  const B_URL = 'http://b.default.example.com';
  const B_ADDRESS = { url: 'http://b.default.svc.cluster.local' };
  const cfgB = configuration('b', withObservedGeneration(), withLatestReady('b-00002'), withReadyCondition('True'));
  const revB1 = revision('b-00001', withReadyCondition('True'));
  const tagged = (tag: string, ...opts: Array<Opt<Route>>): Route =>
    route('b', withTraffic({ configurationName: 'b', latestRevision: true, percent: 100 }, { tag, revisionName: 'b-00001', percent: 0 }), ...opts);
  const latest = { revisionName: 'b-00002', latestRevision: true, percent: 100 };
  const tagTarget = (tag: string, url?: string): TrafficTarget => ({ tag, revisionName: 'b-00001', latestRevision: false, percent: 0, ...(url ? { url } : {}) });
  /** A Route that the activator serves (its traffic resolved). */
  const servedRoute = (name: string, traffic: TrafficTarget[], ...opts: Array<Opt<Route>>): Route =>
    route(name, withStatusTraffic(...traffic), withCondition(cond('AllTrafficAssigned', 'True', undefined, undefined, at)), ...opts);
  const rivalAB = servedRoute('a-b', [{ revisionName: 'a-b-00001', percent: 100 }]);
  const conflict = (message: string) => [
    cond('AllTrafficAssigned', 'True'), cond('IngressReady', 'False', 'DomainConflict', message), cond('Ready', 'False', 'DomainConflict', message),
  ];
  const lostToAB = 'Host "a-b.default.example.com" of tag "a" is already served by Route "a-b".';

  const rows: TableRow[] = [
    {
      name: 'the rival is in another shard: read by name, the tag URL left out, DomainConflict on IngressReady',
      objects: [tagged('a'), cfgB, revB1, rivalAB],
      setup: (c) => c.routes.hideFromLister('default', 'a-b'),
      key: 'default/b',
      wantGets: ['routes/a-b'],
      wantStatusUpdates: [{ name: 'b', status: { observedGeneration: 1, url: B_URL, address: B_ADDRESS, traffic: [latest, tagTarget('a')], conditions: conflict(lostToAB) } }],
    },
    {
      name: 'the rival is in this shard: read from the cache, no API call',
      objects: [tagged('a'), cfgB, revB1, rivalAB],
      key: 'default/b',
      wantStatusUpdates: [{ name: 'b', status: { observedGeneration: 1, url: B_URL, address: B_ADDRESS, traffic: [latest, tagTarget('a')], conditions: conflict(lostToAB) } }],
    },
    {
      name: 'a rival not served yet (no resolved traffic) claims nothing: the tag URL is published',
      objects: [tagged('a'), cfgB, revB1, route('a-b')],
      key: 'default/b',
      wantStatusUpdates: [{
        name: 'b',
        status: { observedGeneration: 1, url: B_URL, address: B_ADDRESS, traffic: [latest, tagTarget('a', 'http://a-b.default.example.com')], conditions: ready },
      }],
    },
    {
      name: 'the winner is gone: the tag URL and IngressReady come back',
      objects: [
        tagged('a', withObservedGeneration(), withURL(B_URL), withAddress(B_ADDRESS.url), withStatusTraffic(latest, tagTarget('a')),
          withCondition(cond('AllTrafficAssigned', 'True', undefined, undefined, at)), withCondition(cond('IngressReady', 'False', 'DomainConflict', lostToAB, at)),
          withCondition(cond('Ready', 'False', 'DomainConflict', lostToAB, at))),
        cfgB, revB1,
      ],
      key: 'default/b',
      wantGets: ['routes/a-b'],
      wantStatusUpdates: [{
        name: 'b',
        status: {
          observedGeneration: 1, url: B_URL, address: B_ADDRESS, traffic: [latest, tagTarget('a', 'http://a-b.default.example.com')],
          conditions: [cond('AllTrafficAssigned', 'True', undefined, undefined, at), cond('IngressReady', 'True'), cond('Ready', 'True')],
        },
      }],
    },
    {
      // `x-c-b` is b's tag `x-c` and c-b's tag `x`; c-b is older.
      name: 'two tags: the younger Route reports the older one as the winner',
      objects: [
        tagged('x-c', withCreationTimestamp('2024-04-02T00:00:00Z')), cfgB, revB1,
        servedRoute('c-b', [{ revisionName: 'c-b-00001', percent: 100 }, { revisionName: 'c-b-00001', percent: 0, tag: 'x' }], withCreationTimestamp('2024-04-01T00:00:00Z')),
      ],
      key: 'default/b',
      wantGets: ['routes/x-c-b'],
      wantStatusUpdates: [{
        name: 'b',
        status: {
          observedGeneration: 1, url: B_URL, address: B_ADDRESS, traffic: [latest, tagTarget('x-c')],
          conditions: conflict('Host "x-c-b.default.example.com" of tag "x-c" is already served by tag "x" of Route "c-b".'),
        },
      }],
    },
    {
      name: 'two tags: the older Route keeps its tag URL',
      objects: [
        tagged('x-c', withCreationTimestamp('2024-04-01T00:00:00Z')), cfgB, revB1,
        servedRoute('c-b', [{ revisionName: 'c-b-00001', percent: 100 }, { revisionName: 'c-b-00001', percent: 0, tag: 'x' }], withCreationTimestamp('2024-04-02T00:00:00Z')),
      ],
      key: 'default/b',
      wantGets: ['routes/x-c-b'],
      wantStatusUpdates: [{
        name: 'b',
        status: { observedGeneration: 1, url: B_URL, address: B_ADDRESS, traffic: [latest, tagTarget('x-c', 'http://x-c-b.default.example.com')], conditions: ready },
      }],
    },
    {
      name: 'a rival in another namespace is never read: hosts of two namespaces cannot meet',
      objects: [tagged('a'), cfgB, revB1, servedRoute('a-b', [{ revisionName: 'a-b-00001', percent: 100 }], withNamespace('other'))],
      key: 'default/b',
      wantGets: ['routes/a-b'],
      wantStatusUpdates: [{
        name: 'b',
        status: { observedGeneration: 1, url: B_URL, address: B_ADDRESS, traffic: [latest, tagTarget('a', 'http://a-b.default.example.com')], conditions: ready },
      }],
    },
    {
      name: 'reading a rival fails: the reconcile is retried, no tag URL published meanwhile',
      objects: [tagged('a'), cfgB, revB1],
      setup: (c) => c.routes.failOn('get', new Error('connection reset'), { name: 'a-b' }),
      key: 'default/b',
      wantGets: ['routes/a-b'],
      wantStatusUpdates: [{
        name: 'b',
        status: { observedGeneration: 1, url: B_URL, address: B_ADDRESS, conditions: [cond('AllTrafficAssigned', 'Unknown'), cond('IngressReady', 'Unknown'), cond('Ready', 'Unknown')] },
      }],
      wantEvents: ['Warning InternalError connection reset'],
      wantRetry: true,
    },
  ];
  tableTest(rows, subject);

  it('while in conflict, asks to be reconciled again; once clear, does not', async () => {
    const c = new FakeCluster().seed(tagged('a'), cfgB, revB1, rivalAB);
    const reconciler = subject.reconciler(c);
    expect(await reconciler.reconcile(tagged('a'), new Date())).to.deep.equal({ requeueAfterMs: CONFLICT_RECHECK_MS });
    const clear = new FakeCluster().seed(tagged('a'), cfgB, revB1);
    expect(await subject.reconciler(clear).reconcile(tagged('a'), new Date())).to.equal(undefined);
  });
});
