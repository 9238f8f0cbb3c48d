import { expect } from 'chai';
import type { Configuration, Route, Service } from '../../../api/serving/v1/types.js';
import { KubeApiError } from '../../../lib/kube/rest.js';
import {
  EARLIER, child, cond, service, withAddress, withCondition, withGeneration, withImage, withLabels, withLatestCreated, withLatestReady,
  withObservedGeneration, withOwner, withReadyCondition, withStatusTraffic, withTraffic, withURL, withUID, withoutOwner, type Opt,
} from '../../../testing/builders.js';
import { runRow, tableTest, type TableRow, type TableSubject } from '../../../testing/table.js';
import { makeConfiguration, makeRoute } from './resources.js';
import { ServiceReconciler } from './reconciler.js';

const CFG_OOD = 'The Configuration is still working to reflect the latest desired specification.';
const ROUTE_OOD = 'The Route is still working to reflect the latest desired specification.';
const URL = 'http://foo.default.example.com';
const ADDRESS = 'http://foo.default.svc.cluster.local';
const TRAFFIC = [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }];
const at = (t: string) => ({ at: t });

const subject: TableSubject<Service> = {
  resource: (c) => c.services,
  reconciler: (c) => new ServiceReconciler({
    configurations: { lister: c.configurations.lister, client: c.configurations.asClient() },
    routes: { lister: c.routes.lister, client: c.routes.asClient() },
    events: c.events,
  }),
};

const svc = (...opts: Array<Opt<Service>>): Service => service('foo', withImage('img:v1'), ...opts);

/** The Service's Configuration, reconciled and Ready on foo-00001. */
const readyConfig = (s: Service = svc(), ...opts: Array<Opt<Configuration>>): Configuration => child(makeConfiguration(s),
  withObservedGeneration(), withLatestCreated('foo-00001'), withLatestReady('foo-00001'), withReadyCondition('True'), ...opts);
/** The Service's Route, reconciled and Ready, 100% on foo-00001. */
const readyRoute = (s: Service = svc(), ...opts: Array<Opt<Route>>): Route => child(makeRoute(s),
  withObservedGeneration(), withURL(URL), withAddress(ADDRESS), withStatusTraffic(...TRAFFIC), withReadyCondition('True'), ...opts);

/** The status a Service with ready children has, set at EARLIER. */
const readyStatus: Opt<Service> = (s) => {
  s.status = {
    observedGeneration: s.metadata.generation,
    latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', url: URL, address: { url: ADDRESS }, traffic: TRAFFIC,
    conditions: [cond('ConfigurationsReady', 'True', undefined, undefined, at(EARLIER)), cond('Ready', 'True', undefined, undefined, at(EARLIER)), cond('RoutesReady', 'True', undefined, undefined, at(EARLIER))],
  };
};

describe('service/reconciler ServiceReconciler', () => {
  const v2 = svc(withGeneration(2), withImage('img:v2'), readyStatus);
  const oldCfg = readyConfig();
  const unlabelled = readyConfig(svc(), (c) => void (c.metadata.labels = {}));

  const rows: TableRow[] = [
    {
      name: 'new Service: creates its Configuration and Route; both not reconciled yet',
      objects: [svc()],
      key: 'default/foo',
      wantCreates: [makeConfiguration(svc()), makeRoute(svc())],
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1,
          conditions: [cond('ConfigurationsReady', 'Unknown', 'OutOfDate', CFG_OOD), cond('Ready', 'Unknown', 'OutOfDate', CFG_OOD), cond('RoutesReady', 'Unknown', 'OutOfDate', ROUTE_OOD)],
        },
      }],
      wantEvents: ['Normal Created Created Configuration "foo"', 'Normal Created Created Route "foo"'],
    },
    {
      name: 'children ready: the Service becomes Ready with url, address, traffic and revision names',
      objects: [svc(), readyConfig(), readyRoute()],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', url: URL, address: { url: ADDRESS }, traffic: TRAFFIC,
          conditions: [cond('ConfigurationsReady', 'True'), cond('Ready', 'True'), cond('RoutesReady', 'True')],
        },
      }],
    },
    {
      name: 'steady state: no API call at all',
      objects: [svc(readyStatus), readyConfig(), readyRoute()],
      key: 'default/foo',
    },
    {
      name: 'a label or annotation someone added to a child is left alone',
      objects: [svc(readyStatus), readyConfig(svc(), withLabels({ 'added-by': 'someone' })), readyRoute()],
      key: 'default/foo',
    },
    {
      name: 'template changed: updates the Configuration (spec only), which is then out of date',
      objects: [v2, oldCfg, readyRoute()],
      key: 'default/foo',
      wantUpdates: [{ ...oldCfg, spec: makeConfiguration(v2).spec } as Configuration],
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 2, latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', url: URL, address: { url: ADDRESS }, traffic: TRAFFIC,
          conditions: [cond('ConfigurationsReady', 'Unknown', 'OutOfDate', CFG_OOD), cond('Ready', 'Unknown', 'OutOfDate', CFG_OOD), cond('RoutesReady', 'True', undefined, undefined, at(EARLIER))],
        },
      }],
      wantEvents: ['Normal Updated Updated Configuration "foo"'],
    },
    {
      name: 'traffic changed: updates the Route only',
      objects: [svc(withGeneration(2), withTraffic({ latestRevision: true, percent: 50 }, { revisionName: 'foo-00001', latestRevision: false, percent: 50 }), readyStatus), readyConfig(), readyRoute()],
      key: 'default/foo',
      wantUpdates: [{
        ...readyRoute(),
        spec: { traffic: [{ latestRevision: true, percent: 50, configurationName: 'foo' }, { revisionName: 'foo-00001', latestRevision: false, percent: 50 }] },
      } as Route],
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 2, latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', url: URL, address: { url: ADDRESS }, traffic: TRAFFIC,
          conditions: [cond('ConfigurationsReady', 'True', undefined, undefined, at(EARLIER)), cond('Ready', 'Unknown', 'OutOfDate', ROUTE_OOD), cond('RoutesReady', 'Unknown', 'OutOfDate', ROUTE_OOD)],
        },
      }],
      wantEvents: ['Normal Updated Updated Route "foo"'],
    },
    {
      name: 'labels of a child drifted: put back (spec unchanged)',
      objects: [svc(readyStatus), unlabelled, readyRoute()],
      key: 'default/foo',
      wantUpdates: [{ ...unlabelled, metadata: { ...unlabelled.metadata, labels: makeConfiguration(svc()).metadata.labels } } as Configuration],
      wantEvents: ['Normal Updated Updated Configuration "foo"'],
    },
    {
      name: 'a Configuration of the same name without an owner reference: NotOwned, never touched',
      objects: [svc(), readyConfig(svc(), withoutOwner)],
      key: 'default/foo',
      wantCreates: [makeRoute(svc())],
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1,
          conditions: [
            cond('ConfigurationsReady', 'False', 'NotOwned', 'There is an existing Configuration "foo" that we do not own.'),
            cond('Ready', 'False', 'NotOwned', 'There is an existing Configuration "foo" that we do not own.'),
            cond('RoutesReady', 'Unknown', 'OutOfDate', ROUTE_OOD),
          ],
        },
      }],
      wantEvents: ['Normal Created Created Route "foo"'],
    },
    {
      name: 'a Configuration controlled by another Service (same name, other uid): NotOwned',
      objects: [svc(), readyConfig(svc(), withOwner(service('foo', withUID('an-older-foo'))))],
      key: 'default/foo',
      wantCreates: [makeRoute(svc())],
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1,
          conditions: [
            cond('ConfigurationsReady', 'False', 'NotOwned', 'There is an existing Configuration "foo" that we do not own.'),
            cond('Ready', 'False', 'NotOwned', 'There is an existing Configuration "foo" that we do not own.'),
            cond('RoutesReady', 'Unknown', 'OutOfDate', ROUTE_OOD),
          ],
        },
      }],
      wantEvents: ['Normal Created Created Route "foo"'],
    },
    {
      name: 'a Route of the same name not owned: NotOwned',
      objects: [svc(), readyConfig(), readyRoute(svc(), withoutOwner)],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001',
          conditions: [
            cond('ConfigurationsReady', 'True'),
            cond('Ready', 'False', 'NotOwned', 'There is an existing Route "foo" that we do not own.'),
            cond('RoutesReady', 'False', 'NotOwned', 'There is an existing Route "foo" that we do not own.'),
          ],
        },
      }],
    },
    {
      name: 'AlreadyExists race: the Configuration is read back from the API and not created twice',
      objects: [svc(readyStatus), readyConfig(), readyRoute()],
      key: 'default/foo',
      setup: (c) => c.configurations.hideFromLister('default', 'foo'),
      wantCreates: [makeConfiguration(svc())],
      wantGets: ['configurations/foo'],
    },
    {
      name: 'route traffic lags the latest ready revision: RoutesReady Unknown TrafficNotMigrated',
      objects: [svc(readyStatus), readyConfig(svc(), withLatestCreated('foo-00002'), withLatestReady('foo-00002')), readyRoute()],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00002', url: URL, address: { url: ADDRESS }, traffic: TRAFFIC,
          conditions: [
            cond('ConfigurationsReady', 'True', undefined, undefined, at(EARLIER)),
            cond('Ready', 'Unknown', 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.'),
            cond('RoutesReady', 'Unknown', 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.'),
          ],
        },
      }],
    },
    {
      name: 'the Configuration failed: Service Ready False with its reason',
      objects: [svc(readyStatus), readyConfig(svc(), withLatestCreated('foo-00002'), withReadyCondition('False', 'RevisionFailed', 'Revision "foo-00002" failed with message: boom.')), readyRoute()],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1, latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001', url: URL, address: { url: ADDRESS }, traffic: TRAFFIC,
          conditions: [
            cond('ConfigurationsReady', 'False', 'RevisionFailed', 'Revision "foo-00002" failed with message: boom.'),
            cond('Ready', 'False', 'RevisionFailed', 'Revision "foo-00002" failed with message: boom.'),
            cond('RoutesReady', 'True', undefined, undefined, at(EARLIER)),
          ],
        },
      }],
    },
    {
      name: 'creating the Configuration fails: Warning event, retry with back-off, status still written',
      objects: [svc()],
      key: 'default/foo',
      setup: (c) => c.configurations.failOn('create', new KubeApiError(500, 'InternalError', 'etcdserver: request timed out')),
      wantCreates: [makeConfiguration(svc())],
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, conditions: [cond('ConfigurationsReady', 'Unknown'), cond('Ready', 'Unknown'), cond('RoutesReady', 'Unknown')] } }],
      wantEvents: ['Warning InternalError etcdserver: request timed out'],
      wantRetry: true,
    },
    {
      name: 'the Service is gone: nothing happens',
      objects: [readyConfig(), readyRoute()],
      key: 'default/foo',
    },
  ];
  tableTest(rows, subject);

  it('a second reconcile after creating the children makes no API call', async () => {
    const first = await runRow(rows[0]!, subject);
    const before = first.log.length;
    const ctl = first.controller(first.services, subject.reconciler(first));
    await ctl.process('default/foo');
    expect(first.log.slice(before)).to.deep.equal([]);
  });

  // Unchanged status (fields set to undefined) is not written again.
  it('steady state while the revision is not ready yet: no status write', async () => {
    const waiting = 'Configuration "foo" is waiting for a Revision to become ready.';
    await runRow({
      name: 'not ready steady state',
      objects: [
        svc((s) => {
          s.status = {
            observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', url: URL, address: { url: ADDRESS },
            conditions: [
              cond('ConfigurationsReady', 'Unknown', 'OutOfDate', CFG_OOD, at(EARLIER)),
              cond('Ready', 'Unknown', 'OutOfDate', CFG_OOD, at(EARLIER)),
              cond('RoutesReady', 'Unknown', 'RevisionMissing', waiting, at(EARLIER)),
            ],
          };
        }),
        child(makeConfiguration(svc()), withObservedGeneration(), withLatestCreated('foo-00001'), withReadyCondition('Unknown')),
        child(makeRoute(svc()), withObservedGeneration(), withURL(URL), withAddress(ADDRESS), withCondition(cond('Ready', 'Unknown', 'RevisionMissing', waiting, at(EARLIER)))),
      ],
      key: 'default/foo',
    }, subject);
  });
});
