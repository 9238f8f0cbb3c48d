import type { Route, TrafficTarget } from '../../../api/serving/v1/types.js';
import { parseDomainConfig } from '../../config/domain.js';
import {
  EARLIER, cond, configuration, revision, route, withCondition, withLabels, withLatestReady, withObservedGeneration, withReadyCondition, withStatusTraffic,
  withTraffic, withURL, withAddress, type Opt,
} from '../../testing/builders.js';
import { tableTest, type TableRow, type TableSubject } from '../../testing/table.js';
import { RouteReconciler } from './reconciler.js';

const domains = parseDomainConfig({ 'example.com': '', 'internal.example.org': 'selector:\n  app: internal\n' });

const subject: TableSubject<Route> = {
  resource: (c) => c.routes,
  reconciler: (c) => new RouteReconciler({ configurations: c.configurations.lister, revisions: c.revisions.lister, domains: () => domains }),
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
      name: 'steady state: no API call',
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
