import { expect } from 'chai';
import { parseDomainConfig } from '../../api/serving/domain-config.js';
import { ServingLabels, VISIBILITY_CLUSTER_LOCAL } from '../../api/serving/labels.js';
import type { Route } from '../../api/serving/v1/types.js';
import { cond, revision, route, withCondition, withLabels, withStatusTraffic, type Opt } from '../../testing/builders.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { ActivatorError } from '../errors.js';
import { RevisionRegistry } from '../revisions.js';
import { RoutingIndex, type Scope } from '../routing/table.js';
import { resolveRevision, type RouteDeps } from './route.js';

const assigned = withCondition(cond('AllTrafficAssigned', 'True')) as Opt<Route>;
const to = (revisionName: string, tag?: string): { revisionName: string; percent: number; tag?: string } => ({ revisionName, percent: tag ? 0 : 100, ...(tag ? { tag } : {}) });

describe('activator/handler/route resolveRevision', () => {
  const index = new RoutingIndex(parseDomainConfig({ 'example.com': '' }));
  index.upsert(route('hello', withStatusTraffic(to('hello-00001'), to('hello-00001', 'next')), assigned));
  index.upsert(route('private', withLabels({ [ServingLabels.visibility]: VISIBILITY_CLUSTER_LOCAL }), withStatusTraffic(to('private-00001'), to('private-00001', 'v1')), assigned));
  const registry = new RevisionRegistry(new FakeClock());
  registry.upsertRevision(revision('hello-00001'));
  registry.upsertRevision(revision('private-00001'));
  const deps: RouteDeps = { table: () => index.table, registry, random: () => 0 };
  const resolved = (host: string, scope: Scope): string => {
    try {
      return resolveRevision(deps, host, scope).revision.name;
    } catch (err) {
      return err instanceof ActivatorError ? `${err.code}: ${err.message}` : String(err);
    }
  };
  const publicHosts = ['hello.default.example.com', 'next-hello.default.example.com'];
  const localOnly = [
    'hello.default', 'hello.default.svc', 'hello.default.svc.cluster.local', 'next-hello.default.svc.cluster.local',
    'private.default', 'private.default.svc', 'private.default.svc.cluster.local', 'v1-private.default.svc.cluster.local',
  ];

  for (const host of publicHosts) {
    it(`${host}: served on both listeners`, () => {
      expect([resolved(host, 'public'), resolved(host, 'cluster-local')]).to.deep.equal(['hello-00001', 'hello-00001']);
    });
  }
  for (const host of localOnly) {
    it(`${host}: served on the cluster-local listener; on the public one, what an unknown host gets`, () => {
      expect(resolved(host, 'cluster-local')).to.match(/^(hello|private)-00001$/);
      expect(resolved(host, 'public')).to.equal(`KZERO_NO_ROUTE: no Route serves host "${host}"`);
    });
  }
  it('an unknown host: KZERO_NO_ROUTE on both', () => {
    expect(resolved('nobody.default.example.com', 'public')).to.equal(resolved('nobody.default.example.com', 'cluster-local'));
    expect(resolved('nobody.default.example.com', 'public')).to.equal('KZERO_NO_ROUTE: no Route serves host "nobody.default.example.com"');
  });
});
