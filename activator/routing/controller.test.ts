import { expect } from 'chai';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Route } from '../../api/serving/v1/types.js';
import { SYSTEM_NAMESPACE } from '../../lib/kube/config-value.js';
import type { Handlers } from '../../lib/kube/informer.js';
import { silentLogger } from '../../testing/cluster.js';
import { cond, route, withCondition, withStatusTraffic, type Opt } from '../../testing/builders.js';
import { routingIndexFrom, type Watched } from './controller.js';
import { lookup } from './table.js';

/** What an informer hands its handlers, pushed by the test. */
class Pushed<T> implements Watched<T> {
  private readonly handlers: Array<Handlers<T>> = [];
  on(h: Handlers<T>): void {
    this.handlers.push(h);
  }
  add(o: T): void {
    for (const h of this.handlers) h.add?.(o);
  }
  update(o: T): void {
    for (const h of this.handlers) h.update?.(o);
  }
  delete(o: T): void {
    for (const h of this.handlers) h.delete?.(o);
  }
}

const domainMap = (data: Record<string, string>, ns = SYSTEM_NAMESPACE, name = 'config-domain'): V1ConfigMap => ({ metadata: { name, namespace: ns }, data });
const hello = route('hello', withStatusTraffic({ revisionName: 'hello-00001', percent: 100 }), withCondition(cond('AllTrafficAssigned', 'True')) as Opt<Route>);

describe('activator/routing/controller routingIndexFrom', () => {
  const setup = (): { routes: Pushed<Route>; configMaps: Pushed<V1ConfigMap>; served: (host: string) => string | undefined } => {
    const routes = new Pushed<Route>();
    const configMaps = new Pushed<V1ConfigMap>();
    const index = routingIndexFrom({ routes, configMaps }, silentLogger());
    return { routes, configMaps, served: (host) => lookup(index.table, host, 'cluster-local')?.route };
  };

  it('serves Routes on config-domain\'s domain, and follows its changes', () => {
    const s = setup();
    s.routes.add(hello);
    expect([s.served('hello.default'), s.served('hello.default.localhost')]).to.deep.equal(['hello', undefined]);
    s.configMaps.add(domainMap({ localhost: '' }));
    expect(s.served('hello.default.localhost')).to.equal('hello');
    s.configMaps.update(domainMap({ 'example.com': '' }));
    expect([s.served('hello.default.example.com'), s.served('hello.default.localhost')]).to.deep.equal(['hello', undefined]);
  });

  it('an invalid config-domain keeps the last good one; a deleted one falls back to cluster-local names', () => {
    const s = setup();
    s.configMaps.add(domainMap({ localhost: '' }));
    s.routes.add(hello);
    s.configMaps.update(domainMap({ 'Not A Domain': '' }));
    expect(s.served('hello.default.localhost')).to.equal('hello');
    s.configMaps.delete(domainMap({ localhost: '' }));
    expect([s.served('hello.default.localhost'), s.served('hello.default.svc.cluster.local')]).to.deep.equal([undefined, 'hello']);
  });

  it('a config-domain in another namespace is not the platform\'s', () => {
    const s = setup();
    s.routes.add(hello);
    s.configMaps.add(domainMap({ 'evil.example': '' }, 'default'));
    expect(s.served('hello.default.evil.example')).to.equal(undefined);
  });

  it('a deleted Route serves nothing', () => {
    const s = setup();
    s.routes.add(hello);
    s.routes.delete(hello);
    expect(s.served('hello.default')).to.equal(undefined);
  });
});
