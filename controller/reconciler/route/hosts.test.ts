import { expect } from 'chai';
import type { Route } from '../../../api/serving/v1/types.js';
import { parseDomainConfig, type DomainConfig } from '../../config/domain.js';
import { route, withLabels, withNamespace } from '../../testing/builders.js';
import { clusterLocalHost, isClusterLocal, routeDomain, routeHost } from './hosts.js';

const domains = parseDomainConfig({ 'example.com': '', 'internal.example.org': 'selector:\n  app: internal\n' });
const none = parseDomainConfig(undefined);
const local = withLabels({ 'networking.knative.dev/visibility': 'cluster-local' });

describe('route/hosts', () => {
  const cases: Array<{ name: string; route: Route; config: DomainConfig; tag?: string; want: string }> = [
    { name: 'default domain', route: route('foo'), config: domains, want: 'foo.default.example.com' },
    { name: 'namespace in the host', route: route('foo', withNamespace('team-a')), config: domains, want: 'foo.team-a.example.com' },
    { name: 'tag prefix', route: route('foo'), config: domains, tag: 'canary', want: 'canary-foo.default.example.com' },
    { name: 'domain by selector', route: route('foo', withLabels({ app: 'internal' })), config: domains, want: 'foo.default.internal.example.org' },
    { name: 'cluster-local visibility', route: route('foo', local), config: domains, want: 'foo.default.svc.cluster.local' },
    { name: 'cluster-local with a tag', route: route('foo', local), config: domains, tag: 'v1', want: 'v1-foo.default.svc.cluster.local' },
    { name: 'cluster-local wins over a selector match', route: route('foo', local, withLabels({ app: 'internal' })), config: domains, want: 'foo.default.svc.cluster.local' },
    { name: 'no config-domain: cluster-local domain', route: route('foo'), config: none, want: 'foo.default.svc.cluster.local' },
    { name: 'an empty tag is no tag', route: route('foo'), config: domains, tag: '', want: 'foo.default.example.com' },
  ];
  for (const c of cases) it(`routeHost: ${c.name}`, () => expect(routeHost(c.route, c.config, c.tag)).to.equal(c.want));

  const locals: Array<{ name: string; route: Route; tag?: string; want: string }> = [
    { name: 'plain', route: route('foo'), want: 'foo.default.svc.cluster.local' },
    { name: 'tagged', route: route('foo', withNamespace('ns')), tag: 'beta', want: 'beta-foo.ns.svc.cluster.local' },
  ];
  for (const c of locals) it(`clusterLocalHost: ${c.name}`, () => expect(clusterLocalHost(c.route, c.tag)).to.equal(c.want));

  const vis: Array<{ labels: Record<string, string>; want: boolean }> = [
    { labels: {}, want: false },
    { labels: { 'networking.knative.dev/visibility': 'cluster-local' }, want: true },
    { labels: { 'networking.knative.dev/visibility': 'public' }, want: false },
    { labels: { 'serving.knative.dev/visibility': 'cluster-local' }, want: false },
  ];
  for (const c of vis) it(`isClusterLocal(${JSON.stringify(c.labels)}) = ${c.want}`, () => expect(isClusterLocal(route('foo', withLabels(c.labels)))).to.equal(c.want));

  it('routeDomain', () => {
    expect([routeDomain(route('foo'), domains), routeDomain(route('foo', local), domains)]).to.deep.equal(['example.com', 'svc.cluster.local']);
  });
});
