import { expect } from 'chai';
import { serviceConditions } from '../../../api/serving/v1/service-lifecycle.js';
import type { Configuration, Route, Service } from '../../../api/serving/v1/types.js';
import {
  EARLIER, NOW, cond, configuration, route, service, withAddress, withCondition, withGeneration, withLatestCreated, withLatestReady,
  withObservedGeneration, withReadyCondition, withStatusTraffic, withURL,
} from '../../../testing/builders.js';
import { serviceStatusFromChildren } from './status.js';

const CFG_OUT_OF_DATE = 'The Configuration is still working to reflect the latest desired specification.';
const ROUTE_OUT_OF_DATE = 'The Route is still working to reflect the latest desired specification.';
const URL = 'http://foo.default.example.com';
const ADDRESS = 'http://foo.default.svc.cluster.local';

type Cfg = (c: Configuration) => void;
type Rt = (r: Route) => void;

const readyConfig = (...opts: Cfg[]): Configuration => configuration('foo',
  withObservedGeneration(), withLatestCreated('foo-00001'), withLatestReady('foo-00001'), withReadyCondition('True'), ...opts);
const readyRoute = (...opts: Rt[]): Route => route('foo',
  withObservedGeneration(), withURL(URL), withAddress(ADDRESS), withStatusTraffic({ revisionName: 'foo-00001', latestRevision: true, percent: 100 }),
  withReadyCondition('True'), ...opts);

/** What the route's status fields make of the Service's. */
const routeFields = { url: URL, address: { url: ADDRESS }, traffic: [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }] };

describe('service/status serviceStatusFromChildren', () => {
  const cases: Array<{ name: string; cfg: Configuration | undefined; route: Route | undefined; want: Service['status'] }> = [
    {
      name: 'both children ready: Ready True; names, url, address and traffic copied',
      cfg: readyConfig(),
      route: readyRoute(),
      want: {
        latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', ...routeFields,
        conditions: [cond('ConfigurationsReady', 'True'), cond('Ready', 'True'), cond('RoutesReady', 'True')],
      },
    },
    {
      name: 'configuration not reconciled yet (observedGeneration behind): Unknown OutOfDate, names not copied',
      cfg: readyConfig(withGeneration(2)),
      route: readyRoute(),
      want: {
        ...routeFields,
        conditions: [cond('ConfigurationsReady', 'Unknown', 'OutOfDate', CFG_OUT_OF_DATE), cond('Ready', 'Unknown', 'OutOfDate', CFG_OUT_OF_DATE), cond('RoutesReady', 'True')],
      },
    },
    {
      name: 'configuration never reconciled (no status)',
      cfg: configuration('foo'),
      route: readyRoute(),
      want: {
        ...routeFields,
        conditions: [cond('ConfigurationsReady', 'Unknown', 'OutOfDate', CFG_OUT_OF_DATE), cond('Ready', 'Unknown', 'OutOfDate', CFG_OUT_OF_DATE), cond('RoutesReady', 'True')],
      },
    },
    {
      name: 'route not reconciled yet: Unknown OutOfDate, url and traffic not copied',
      cfg: readyConfig(),
      route: readyRoute(withGeneration(3)),
      want: {
        latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001',
        conditions: [cond('ConfigurationsReady', 'True'), cond('Ready', 'Unknown', 'OutOfDate', ROUTE_OUT_OF_DATE), cond('RoutesReady', 'Unknown', 'OutOfDate', ROUTE_OUT_OF_DATE)],
      },
    },
    {
      name: 'configuration failed: its reason and message propagate to ConfigurationsReady and Ready',
      cfg: readyConfig(withLatestCreated('foo-00002'), withReadyCondition('False', 'RevisionFailed', 'Revision "foo-00002" failed with message: boom.')),
      route: readyRoute(),
      want: {
        latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001', ...routeFields,
        conditions: [
          cond('ConfigurationsReady', 'False', 'RevisionFailed', 'Revision "foo-00002" failed with message: boom.'),
          cond('Ready', 'False', 'RevisionFailed', 'Revision "foo-00002" failed with message: boom.'),
          cond('RoutesReady', 'True'),
        ],
      },
    },
    {
      name: 'route failed: RoutesReady and Ready False with the route\'s reason',
      cfg: readyConfig(),
      route: readyRoute(withReadyCondition('False', 'RevisionMissing', 'Revision "foo-00009" referenced in traffic not found.')),
      want: {
        latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', ...routeFields,
        conditions: [
          cond('ConfigurationsReady', 'True'),
          cond('Ready', 'False', 'RevisionMissing', 'Revision "foo-00009" referenced in traffic not found.'),
          cond('RoutesReady', 'False', 'RevisionMissing', 'Revision "foo-00009" referenced in traffic not found.'),
        ],
      },
    },
    {
      name: 'both failed: Ready takes the configuration\'s reason (first dependent)',
      cfg: readyConfig(withReadyCondition('False', 'RevisionFailed', 'cfg bad')),
      route: readyRoute(withReadyCondition('False', 'RevisionMissing', 'route bad')),
      want: {
        latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', ...routeFields,
        conditions: [cond('ConfigurationsReady', 'False', 'RevisionFailed', 'cfg bad'), cond('Ready', 'False', 'RevisionFailed', 'cfg bad'), cond('RoutesReady', 'False', 'RevisionMissing', 'route bad')],
      },
    },
    {
      name: 'configuration Unknown with a reason: propagated as is',
      cfg: readyConfig(withLatestCreated('foo-00002'), withReadyCondition('Unknown', 'Deploying', 'waiting')),
      route: readyRoute(),
      want: {
        latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001', ...routeFields,
        conditions: [cond('ConfigurationsReady', 'Unknown', 'Deploying', 'waiting'), cond('Ready', 'Unknown', 'Deploying', 'waiting'), cond('RoutesReady', 'True')],
      },
    },
    {
      name: 'configuration without a Ready condition: Unknown OutOfDate (the fallback)',
      cfg: configuration('foo', withObservedGeneration()),
      route: readyRoute(),
      want: {
        ...routeFields,
        conditions: [cond('ConfigurationsReady', 'Unknown', 'OutOfDate', CFG_OUT_OF_DATE), cond('Ready', 'Unknown', 'OutOfDate', CFG_OUT_OF_DATE), cond('RoutesReady', 'True')],
      },
    },
    {
      name: 'route ready but its latest-revision traffic lags the latest ready revision: TrafficNotMigrated',
      cfg: readyConfig(withLatestCreated('foo-00002'), withLatestReady('foo-00002')),
      route: readyRoute(),
      want: {
        latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00002', ...routeFields,
        conditions: [
          cond('ConfigurationsReady', 'True'),
          cond('Ready', 'Unknown', 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.'),
          cond('RoutesReady', 'Unknown', 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.'),
        ],
      },
    },
    {
      name: 'a pinned (non-latest) target on an older revision is not lagging',
      cfg: readyConfig(withLatestCreated('foo-00002'), withLatestReady('foo-00002')),
      route: readyRoute(withStatusTraffic({ revisionName: 'foo-00002', latestRevision: true, percent: 50 }, { revisionName: 'foo-00001', latestRevision: false, percent: 50 })),
      want: {
        latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00002', url: URL, address: { url: ADDRESS },
        traffic: [{ revisionName: 'foo-00002', latestRevision: true, percent: 50 }, { revisionName: 'foo-00001', latestRevision: false, percent: 50 }],
        conditions: [cond('ConfigurationsReady', 'True'), cond('Ready', 'True'), cond('RoutesReady', 'True')],
      },
    },
    {
      name: 'route failed and lagging: stays False (not softened to Unknown)',
      cfg: readyConfig(withLatestCreated('foo-00002'), withLatestReady('foo-00002')),
      route: readyRoute(withReadyCondition('False', 'RevisionMissing', 'gone')),
      want: {
        latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00002', ...routeFields,
        conditions: [cond('ConfigurationsReady', 'True'), cond('Ready', 'False', 'RevisionMissing', 'gone'), cond('RoutesReady', 'False', 'RevisionMissing', 'gone')],
      },
    },
    {
      name: 'no configuration (not owned, marked by the caller): the route still propagates',
      cfg: undefined,
      route: readyRoute(),
      want: { ...routeFields, conditions: [cond('ConfigurationsReady', 'Unknown'), cond('Ready', 'Unknown'), cond('RoutesReady', 'True')] },
    },
    {
      name: 'no route: only the configuration propagates',
      cfg: readyConfig(),
      route: undefined,
      want: {
        latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001',
        conditions: [cond('ConfigurationsReady', 'True'), cond('Ready', 'Unknown'), cond('RoutesReady', 'Unknown')],
      },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const svc = service('foo');
      const mgr = serviceConditions(svc, NOW).initialize();
      serviceStatusFromChildren(svc, mgr, c.cfg, c.route);
      expect(JSON.parse(JSON.stringify(svc.status))).to.deep.equal(c.want);
    });
  }

  it('an unchanged condition keeps its transition time', () => {
    const svc = service('foo', withCondition(cond('ConfigurationsReady', 'True', undefined, undefined, { at: EARLIER })), withCondition(cond('RoutesReady', 'Unknown', 'OutOfDate', ROUTE_OUT_OF_DATE, { at: EARLIER })));
    const mgr = serviceConditions(svc, NOW).initialize();
    serviceStatusFromChildren(svc, mgr, readyConfig(), readyRoute());
    expect(svc.status?.conditions).to.deep.equal([cond('ConfigurationsReady', 'True', undefined, undefined, { at: EARLIER }), cond('Ready', 'True'), cond('RoutesReady', 'True')]);
  });
});
