import { expect } from 'chai';
import { parseDomainConfig, type DomainConfig } from './domain-config.js';
import { routeHosts, type RouteHosts, type RouteMeta } from './route-hosts.js';

const domains = parseDomainConfig({ 'example.com': '', 'internal.example.org': 'selector:\n  app: internal\n' });
const none = parseDomainConfig(undefined);
const local = { 'networking.knative.dev/visibility': 'cluster-local' };
const meta = (name: string, namespace = 'default', labels?: Record<string, string>): RouteMeta => ({ name, namespace, labels });
const names = (label: string, ns: string, url: string, publicHosts = [url]): RouteHosts => ({
  label, url, clusterLocal: `${label}.${ns}.svc.cluster.local`,
  hosts: [...new Set([url, `${label}.${ns}`, `${label}.${ns}.svc`, `${label}.${ns}.svc.cluster.local`])],
  publicHosts,
});

describe('api/serving/route-hosts', () => {
  const cases: Array<{ name: string; meta: RouteMeta; config: DomainConfig; tag?: string; want: RouteHosts | undefined }> = [
    { name: 'default domain', meta: meta('foo'), config: domains, want: names('foo', 'default', 'foo.default.example.com') },
    { name: 'namespace in the host', meta: meta('foo', 'team-a'), config: domains, want: names('foo', 'team-a', 'foo.team-a.example.com') },
    { name: 'tag prefix', meta: meta('foo'), config: domains, tag: 'canary', want: names('canary-foo', 'default', 'canary-foo.default.example.com') },
    { name: 'an empty tag is no tag', meta: meta('foo'), config: domains, tag: '', want: names('foo', 'default', 'foo.default.example.com') },
    { name: 'domain by selector', meta: meta('foo', 'default', { app: 'internal' }), config: domains, want: names('foo', 'default', 'foo.default.internal.example.org') },
    { name: 'cluster-local visibility', meta: meta('foo', 'default', local), config: domains, want: names('foo', 'default', 'foo.default.svc.cluster.local', []) },
    { name: 'cluster-local with a tag', meta: meta('foo', 'default', local), config: domains, tag: 'v1', want: names('v1-foo', 'default', 'v1-foo.default.svc.cluster.local', []) },
    { name: 'cluster-local wins over a selector match', meta: meta('foo', 'default', { ...local, app: 'internal' }), config: domains, want: names('foo', 'default', 'foo.default.svc.cluster.local', []) },
    { name: 'no config-domain: the cluster-local domain, once', meta: meta('foo'), config: none, want: names('foo', 'default', 'foo.default.svc.cluster.local', []) },
    { name: 'a domain of "svc": no duplicate host', meta: meta('foo'), config: parseDomainConfig({ svc: '' }), want: names('foo', 'default', 'foo.default.svc', []) },
    { name: 'a config-domain of svc.cluster.local: no public host', meta: meta('foo'), config: parseDomainConfig({ 'svc.cluster.local': '' }), want: names('foo', 'default', 'foo.default.svc.cluster.local', []) },
    { name: 'a name with a dot: no host', meta: meta('hello.b'), config: domains, want: undefined },
    { name: 'a tag with a dot: no host', meta: meta('foo'), config: domains, tag: 'hello.b', want: undefined },
    { name: 'an upper-case name: no host', meta: meta('Foo'), config: domains, want: undefined },
    { name: 'a namespace with a dot: no host', meta: meta('foo', 'a.b'), config: domains, want: undefined },
    { name: 'no namespace: no host', meta: { name: 'foo' }, config: domains, want: undefined },
    { name: 'no name: no host', meta: { namespace: 'default' }, config: domains, want: undefined },
    { name: 'a tag and name over 63 characters: no host', meta: meta('n'.repeat(40)), config: domains, tag: 't'.repeat(23), want: undefined },
    { name: 'a tag and name of 63 characters', meta: meta('n'.repeat(40)), config: domains, tag: 't'.repeat(22), want: names(`${'t'.repeat(22)}-${'n'.repeat(40)}`, 'default', `${'t'.repeat(22)}-${'n'.repeat(40)}.default.example.com`) },
  ];
  for (const c of cases) it(`routeHosts: ${c.name}`, () => expect(routeHosts(c.meta, c.config, c.tag)).to.deep.equal(c.want));

  // The property route-hosts.ts argues: whatever the names, tags, labels and domains, a host is one
  // namespace's. Names and tags include ones that try to spell another namespace's host.
  it('two different namespaces never produce the same host, whatever their names, tags and labels', () => {
    const configs = [
      none,
      domains,
      parseDomainConfig({ localhost: '', 'b.localhost': 'selector:\n  team: b\n', svc: 'selector:\n  short: "yes"\n', 'cluster.local': 'selector:\n  c: l\n' }),
    ];
    const namespaces = ['a', 'b', 'a-b', 'b-a', 'default', 'svc', 'localhost'];
    const routeNames = ['hello', 'a', 'b', 'a-b', 'hello-b', 'b-hello', 'hello.b', 'hello.b.localhost', 'default', 'svc', 'localhost', ''];
    const tags = [undefined, '', 'a', 'b', 'hello', 'a-b', 'x.b', 'hello.default', 'svc'];
    const labelSets: Array<Record<string, string> | undefined> = [undefined, { team: 'b' }, { short: 'yes' }, { c: 'l' }, local, { app: 'internal' }];
    for (const config of configs) {
      const owner = new Map<string, string>();
      let made = 0;
      for (const ns of namespaces) for (const name of routeNames) for (const tag of tags) for (const labels of labelSets) {
        for (const host of routeHosts(meta(name, ns, labels), config, tag)?.hosts ?? []) {
          made++;
          const first = owner.get(host);
          expect(first === undefined || first === ns, `${host}: namespaces ${first} and ${ns}`).to.equal(true);
          owner.set(host, ns);
          expect(host.split('.').slice(0, 2)[1], host).to.equal(ns);
        }
      }
      expect(made).to.be.greaterThan(1000); // the grid made hosts: the check above ran
    }
  });
});
