import { expect } from 'chai';
import type { Service } from '../api/serving/v1/types.js';
import { KubeApiError } from '../lib/kube/rest.js';
import { Resources } from '../lib/kube/resources.js';
import { isConflict, isNotFound } from '../lib/kube/client.js';
import { service, withImage, withLabels, withObservedGeneration, withReadyCondition } from './builders.js';
import { FakeResourceClient, mergePatch } from './fake-client.js';

async function errorOf(p: Promise<unknown>): Promise<KubeApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(KubeApiError);
    return err as KubeApiError;
  }
  throw new Error('expected the call to fail');
}

describe('testing/FakeResourceClient', () => {
  const fresh = (): FakeResourceClient<Service> => new FakeResourceClient<Service>(Resources.service);

  it('create assigns uid, resourceVersion and generation, drops status, records the call', async () => {
    const c = fresh();
    const created = await c.create({ metadata: { name: 'foo', namespace: 'ns' }, spec: { template: { spec: { containers: [] } } }, status: { observedGeneration: 9 } });
    expect(created.metadata).to.deep.equal({ name: 'foo', namespace: 'ns', uid: 'service-foo-uid', resourceVersion: '1', generation: 1 });
    expect(created.apiVersion).to.equal('serving.knative.dev/v1');
    expect(created.kind).to.equal('Service');
    expect(created.status).to.equal(undefined);
    expect(c.actions.map((a) => [a.verb, a.namespace, a.name])).to.deep.equal([['create', 'ns', 'foo']]);
  });

  it('create of an existing name is 409 AlreadyExists', async () => {
    const c = fresh();
    c.seed(service('foo'));
    const err = await errorOf(c.create(service('foo')));
    expect([err.code, err.reason, isConflict(err)]).to.deep.equal([409, 'AlreadyExists', true]);
    expect(c.actions[0]?.error).to.equal('AlreadyExists');
  });

  it('get/update/updateStatus/patch of a missing object are 404 NotFound', async () => {
    const c = fresh();
    for (const p of [c.get('default', 'foo'), c.update(service('foo')), c.updateStatus(service('foo')), c.patch('default', 'foo', {})]) {
      const err = await errorOf(p);
      expect([err.code, err.reason, isNotFound(err)]).to.deep.equal([404, 'NotFound', true]);
    }
  });

  it('update with a stale resourceVersion is 409 Conflict; a current one bumps it, and generation only on spec change', async () => {
    const c = fresh();
    c.seed(service('foo', withReadyCondition('True')));
    const have = await c.get('default', 'foo');
    expect(have.metadata.resourceVersion).to.equal('1');
    const labelled = await c.update({ ...have, metadata: { ...have.metadata, labels: { a: 'b' } } });
    expect([labelled.metadata.resourceVersion, labelled.metadata.generation]).to.deep.equal(['2', 1]);
    const err = await errorOf(c.update(have));
    expect([err.code, err.reason]).to.deep.equal([409, 'Conflict']);
    const respec = await c.update({ ...service('foo', withImage('other')), metadata: labelled.metadata, status: {} });
    expect([respec.metadata.resourceVersion, respec.metadata.generation]).to.deep.equal(['3', 2]);
    expect(respec.status, 'update keeps status').to.deep.equal(have.status);
  });

  it('updateStatus changes only status', async () => {
    const c = fresh();
    c.seed(service('foo'));
    const have = await c.get('default', 'foo');
    const out = await c.updateStatus({ ...service('foo', withImage('x'), withLabels({ a: 'b' }), withObservedGeneration(1)), metadata: { ...have.metadata, labels: { a: 'b' } } });
    expect(out.status).to.deep.equal({ observedGeneration: 1 });
    expect(out.spec).to.deep.equal(have.spec);
    expect(out.metadata.labels).to.equal(undefined);
    expect(out.metadata.resourceVersion).to.equal('2');
  });

  it('patch merges, with resourceVersion as a precondition', async () => {
    const c = fresh();
    c.seed(service('foo', withLabels({ keep: 'me', drop: 'me' })));
    const err = await errorOf(c.patch('default', 'foo', { metadata: { resourceVersion: '7', labels: { x: 'y' } } }));
    expect(err.reason).to.equal('Conflict');
    const out = await c.patch('default', 'foo', { metadata: { resourceVersion: '1', labels: { x: 'y', drop: null } } });
    expect(out.metadata.labels).to.deep.equal({ keep: 'me', x: 'y' });
    expect(out.metadata.resourceVersion).to.equal('2');
  });

  it('the lister shows the store, or what the test says the cache holds', async () => {
    const c = fresh();
    c.seed(service('a'), service('b'), service('c', (s) => void (s.metadata.namespace = 'other')));
    expect(c.lister.list('default').map((s) => s.metadata.name)).to.deep.equal(['a', 'b']);
    expect(c.lister.list().map((s) => s.metadata.name)).to.deep.equal(['a', 'b', 'c']);
    c.hideFromLister('default', 'a');
    expect(c.lister.get('a', 'default')).to.equal(undefined);
    c.setListerCopy(service('b', withLabels({ old: 'copy' })));
    expect(c.lister.get('b', 'default')?.metadata.labels).to.deep.equal({ old: 'copy' });
    expect((await c.get('default', 'b')).metadata.labels).to.equal(undefined);
    // copies: mutating what the lister returned changes nothing
    c.lister.get('c', 'other')!.metadata.name = 'zzz';
    expect(c.lister.get('c', 'other')?.metadata.name).to.equal('c');
  });

  it('failOn makes the next calls fail', async () => {
    const c = fresh();
    c.seed(service('foo'));
    c.failOn('get', new KubeApiError(500, 'InternalError', 'boom'), { times: 1 });
    expect((await errorOf(c.get('default', 'foo'))).code).to.equal(500);
    expect((await c.get('default', 'foo')).metadata.name).to.equal('foo');
  });

  it('a JSON patch applies its ops when its test ops pass, and is 422 Invalid (nothing stored) when one fails', async () => {
    const c = fresh();
    c.seed(service('foo', withLabels({ a: '1' })));
    const rv = c.peek('default', 'foo')!.metadata.resourceVersion;
    const got = await c.asClient().patch('default', 'foo', [{ op: 'test', path: '/metadata/resourceVersion', value: rv }, { op: 'add', path: '/metadata/labels', value: { b: '2' } }], 'json');
    expect([got.metadata.labels, got.metadata.uid, got.metadata.resourceVersion !== rv]).to.deep.equal([{ b: '2' }, 'service-foo-uid', true]);
    const err = await errorOf(c.asClient().patch('default', 'foo', [{ op: 'test', path: '/metadata/resourceVersion', value: rv }, { op: 'add', path: '/metadata/labels', value: { c: '3' } }], 'json'));
    expect([err.code, err.reason, c.peek('default', 'foo')?.metadata.labels]).to.deep.equal([422, 'Invalid', { b: '2' }]);
    expect(c.actions.map((a) => [a.verb, a.patchType, a.error])).to.deep.equal([['patch', 'json', undefined], ['patch', 'json', 'Invalid']]);
  });

  it('delete records its options; a uid precondition that does not match is 409 Conflict', async () => {
    const c = fresh();
    c.seed(service('foo'));
    const err = await errorOf(c.delete('default', 'foo', { uid: 'other-uid' }));
    expect([err.code, err.reason, c.peek('default', 'foo') !== undefined]).to.deep.equal([409, 'Conflict', true]);
    await c.delete('default', 'foo', { uid: 'service-foo-uid' });
    expect(c.peek('default', 'foo')).to.equal(undefined);
    expect(c.actions.map((a) => [a.verb, a.options, a.error])).to.deep.equal([['delete', { uid: 'other-uid' }, 'Conflict'], ['delete', { uid: 'service-foo-uid' }, undefined]]);
  });

  const merges: Array<{ name: string; target: unknown; patch: unknown; want: unknown }> = [
    { name: 'adds', target: { a: 1 }, patch: { b: 2 }, want: { a: 1, b: 2 } },
    { name: 'null deletes', target: { a: 1, b: 2 }, patch: { b: null }, want: { a: 1 } },
    { name: 'nested', target: { m: { x: 1, y: 2 } }, patch: { m: { y: 3 } }, want: { m: { x: 1, y: 3 } } },
    { name: 'arrays replace', target: { l: [1, 2] }, patch: { l: [3] }, want: { l: [3] } },
    { name: 'non-object patch replaces', target: { a: 1 }, patch: 'x', want: 'x' },
  ];
  for (const m of merges) it(`mergePatch: ${m.name}`, () => expect(mergePatch(m.target, m.patch)).to.deep.equal(m.want));
});
