import { expect } from 'chai';
import type { KubernetesListObject, V1ConfigMap } from '@kubernetes/client-node';
import { FakeClock, flush } from '../../testing/fake-clock.js';
import { silentLogger } from '../../testing/cluster.js';
import { createLogger } from '../log.js';
import { Informer } from './informer.js';
import { KubeApiError, type ResourceClient, type WatchEvent, type WatchOptions } from './rest.js';

const cm = (name: string, rv: string, ns = 'default'): V1ConfigMap => ({
  metadata: { name, namespace: ns, resourceVersion: rv, managedFields: [{ manager: 'kubectl' }] },
});

/**
 * The informer's side of the API: lists answer from `lists` in turn; each watch call gets a handle to push
 * events to and to end (normally, or with an error) as the API server would.
 */
class ScriptedApi {
  lists: Array<V1ConfigMap[] | Error> = [];
  listRVs: string[] = [];
  watches: Array<{ opts: WatchOptions; push: (e: WatchEvent<V1ConfigMap>) => void; end: (err?: Error) => void }> = [];
  listCalls = 0;

  client(): ResourceClient<V1ConfigMap> {
    return {
      type: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
      list: async () => {
        const next = this.lists[this.listCalls] ?? [];
        const rv = this.listRVs[this.listCalls] ?? String(100 + this.listCalls);
        this.listCalls++;
        if (next instanceof Error) throw next;
        return { items: next.map((o) => structuredClone(o)), metadata: { resourceVersion: rv } } as KubernetesListObject<V1ConfigMap>;
      },
      watch: (_ns: string | undefined, opts: WatchOptions, onEvent: (e: WatchEvent<V1ConfigMap>) => void) => new Promise<void>((resolve, reject) => {
        if (opts.signal.aborted) return reject(new Error('aborted'));
        opts.signal.addEventListener('abort', () => reject(new Error('aborted')));
        this.watches.push({
          opts,
          push: (e) => {
            try {
              onEvent(e);
            } catch (err) {
              reject(err);
            }
          },
          end: (err) => (err ? reject(err) : resolve()),
        });
      }),
    } as unknown as ResourceClient<V1ConfigMap>;
  }
}

function setup(api: ScriptedApi): { clock: FakeClock; inf: Informer<V1ConfigMap>; seen: string[]; logs: string[] } {
  const clock = new FakeClock();
  const logs: string[] = [];
  const log = createLogger('test', { level: 'info', write: (line) => logs.push(`${(JSON.parse(line) as { level: string }).level} ${(JSON.parse(line) as { msg: string }).msg}`) });
  const inf = new Informer<V1ConfigMap>({ client: api.client(), clock, log });
  const seen: string[] = [];
  inf.on({
    add: (o) => seen.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    update: (o) => seen.push(`update ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    delete: (o) => seen.push(`delete ${o.metadata?.name}`),
  });
  return { clock, inf, seen, logs };
}

describe('kube/Informer', () => {
  it('lists, then watches from the list\'s resourceVersion; caches objects without managedFields', async () => {
    const api = new ScriptedApi();
    api.lists = [[cm('a', '1'), cm('b', '2')]];
    api.listRVs = ['10'];
    const { inf, seen } = setup(api);
    await inf.start();
    await flush();
    expect(seen).to.deep.equal(['add a@1', 'add b@2']);
    expect([inf.get('b', 'default')?.apiVersion, inf.get('b', 'default')?.kind]).to.deep.equal(['v1', 'ConfigMap'], 'listed items get the apiVersion and kind a list leaves out');
    expect(api.watches[0]!.opts.resourceVersion).to.equal('10');
    api.watches[0]!.push({ type: 'MODIFIED', object: cm('a', '11') });
    api.watches[0]!.push({ type: 'ADDED', object: cm('c', '12', 'other') });
    api.watches[0]!.push({ type: 'DELETED', object: cm('b', '13') });
    expect(seen.slice(2)).to.deep.equal(['update a@11', 'add c@12', 'delete b']);
    expect(inf.get('a', 'default')?.metadata?.managedFields).to.equal(undefined);
    expect(inf.list().map((o) => o.metadata?.name).sort()).to.deep.equal(['a', 'c']);
    expect(inf.list('other').map((o) => o.metadata?.name)).to.deep.equal(['c']);
    await inf.stop();
  });

  it('a watch the server ends resumes from the last resourceVersion it delivered, without a list', async () => {
    const api = new ScriptedApi();
    const { clock, inf } = setup(api);
    await inf.start();
    await flush();
    api.watches[0]!.push({ type: 'ADDED', object: cm('a', '20') });
    api.watches[0]!.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '25' } } });
    clock.advance(5000);
    api.watches[0]!.end();
    await flush();
    expect([api.listCalls, api.watches.length, api.watches[1]?.opts.resourceVersion]).to.deep.equal([1, 2, '25']);
    await inf.stop();
  });

  it('410 Gone: lists again at once, and tells handlers what changed meanwhile (deletes included)', async () => {
    const api = new ScriptedApi();
    api.lists = [[cm('a', '1'), cm('b', '2')], [cm('a', '1'), cm('c', '30')]];
    const { inf, seen } = setup(api);
    await inf.start();
    await flush();
    api.watches[0]!.push({ type: 'ERROR', object: { code: 410, reason: 'Expired', message: 'too old resource version' } as unknown as V1ConfigMap });
    await flush();
    await flush();
    expect(api.listCalls).to.equal(2);
    expect(seen).to.deep.equal(['add a@1', 'add b@2', 'add c@30', 'delete b']);
    expect(api.watches.length).to.equal(2);
    await inf.stop();
  });

  it('a failed watch is retried with capped exponential back-off; a working one resets it', async () => {
    const api = new ScriptedApi();
    const { clock, inf, logs } = setup(api);
    await inf.start();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      api.watches[i]!.end(new KubeApiError(500, 'InternalError', 'etcd is down'));
      await flush();
      delays.push(clock.pendingDelays()[0]!);
      clock.advance(delays[i]!);
      await flush();
    }
    expect(delays).to.deep.equal([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
    api.watches[8]!.push({ type: 'ADDED', object: cm('a', '40') });
    api.watches[8]!.end(new Error('connection reset'));
    await flush();
    expect(clock.pendingDelays()).to.deep.equal([200]);
    // An outage warns once at its start (and every tenth retry), not at each retry, and says when it is over.
    expect(logs).to.deep.equal(['warn informer: watch failed, restarting', 'info informer: watching again', 'warn informer: watch failed, restarting']);
    await inf.stop();
  });

  it('ERROR events in a row (other than 410) back off like any failure', async () => {
    const api = new ScriptedApi();
    const { clock, inf } = setup(api);
    await inf.start();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      api.watches[i]!.push({ type: 'ERROR', object: { code: 500, reason: 'InternalError', message: 'etcd timeout' } as unknown as V1ConfigMap });
      await flush();
      delays.push(clock.pendingDelays()[0]!);
      clock.advance(delays[i]!);
      await flush();
    }
    expect([delays, api.listCalls]).to.deep.equal([[200, 400, 800], 1]);
    await inf.stop();
  });

  it('a watch the server ends early after events (a client that fell behind) resumes at once', async () => {
    const api = new ScriptedApi();
    const { clock, inf } = setup(api);
    await inf.start();
    await flush();
    api.watches[0]!.push({ type: 'ADDED', object: cm('a', '50') });
    api.watches[0]!.end();
    await flush();
    expect([api.watches.length, api.watches[1]?.opts.resourceVersion, clock.pendingDelays()]).to.deep.equal([2, '50', []]);
    await inf.stop();
  });

  it('a watch that ends at once, empty, is not asked again in a tight loop', async () => {
    const api = new ScriptedApi();
    const { clock, inf } = setup(api);
    await inf.start();
    await flush();
    api.watches[0]!.end();
    await flush();
    expect([api.watches.length, clock.pendingDelays()]).to.deep.equal([1, [200]]);
    await inf.stop();
  });

  it('a failed first list is retried; start() resolves once one succeeds', async () => {
    const api = new ScriptedApi();
    api.lists = [new KubeApiError(503, 'ServiceUnavailable', 'not ready'), [cm('a', '1')]];
    const { clock, inf, seen } = setup(api);
    let synced = false;
    void inf.start().then(() => (synced = true));
    await flush();
    expect(synced).to.equal(false);
    clock.advance(200);
    await flush();
    await flush();
    expect([synced, seen]).to.deep.equal([true, ['add a@1']]);
    await inf.stop();
  });

  it('resync delivers every cached object again as an update', async () => {
    const api = new ScriptedApi();
    api.lists = [[cm('a', '1')]];
    const clock = new FakeClock();
    const inf = new Informer<V1ConfigMap>({ client: api.client(), clock, log: silentLogger(), resyncMs: 60_000 });
    const seen: string[] = [];
    inf.on({ update: (o) => seen.push(`update ${o.metadata?.name}`) });
    await inf.start();
    clock.advance(60_000);
    clock.advance(60_000);
    expect(seen).to.deep.equal(['update a', 'update a']);
    await inf.stop();
  });
});
