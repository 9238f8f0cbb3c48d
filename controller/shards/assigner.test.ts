import type { Service } from '../../api/serving/v1/types.js';
import { namespace, service, withLabels, withNamespace, withOwner, withResourceVersion } from '../../testing/builders.js';
import { runRow, tableTest, type TableRow, type TableSubject } from '../../testing/table.js';
import { fnv1a } from './assign.js';
import { ShardAssigner, UNASSIGNED } from './assigner.js';
import { expect } from 'chai';

const subject: TableSubject<Service> = {
  resource: (c) => c.services,
  reconciler: (c) => new ShardAssigner<Service>('ServiceShardAssigner', { client: c.services.asClient(), namespaces: c.namespaces.lister, shards: () => ({ count: 4 }) }),
};

describe('shards/assigner ShardAssigner', () => {
  it('selects unassigned objects', () => expect(UNASSIGNED).to.equal('!kzero.dev/shard'));

  const rows: TableRow[] = [
    {
      name: 'an unowned object without a shard: labelled by hash, with its resourceVersion as precondition',
      objects: [namespace('default'), service('foo', withResourceVersion('41'))],
      key: 'default/foo',
      wantPatches: [{ name: 'foo', patch: { metadata: { resourceVersion: '41', labels: { 'kzero.dev/shard': String(fnv1a('default/foo') % 4) } } } }],
      check: (c) => expect(c.services.peek('default', 'foo')?.metadata.labels).to.deep.equal({ 'kzero.dev/shard': '1' }),
    },
    {
      name: 'the namespace\'s shard label wins',
      objects: [namespace('team-a', withLabels({ 'kzero.dev/shard': '3' })), service('foo', withNamespace('team-a'), withResourceVersion('7'))],
      key: 'team-a/foo',
      wantPatches: [{ name: 'foo', patch: { metadata: { resourceVersion: '7', labels: { 'kzero.dev/shard': '3' } } } }],
    },
    {
      name: 'a namespace the cache has not seen: by hash',
      objects: [service('bar', withResourceVersion('3'))],
      key: 'default/bar',
      wantPatches: [{ name: 'bar', patch: { metadata: { resourceVersion: '3', labels: { 'kzero.dev/shard': String(fnv1a('default/bar') % 4) } } } }],
    },
    {
      name: 'other labels are kept',
      objects: [service('foo', withResourceVersion('5'), withLabels({ app: 'x' }))],
      key: 'default/foo',
      wantPatches: [{ name: 'foo', patch: { metadata: { resourceVersion: '5', labels: { 'kzero.dev/shard': '1' } } } }],
      check: (c) => expect(c.services.peek('default', 'foo')?.metadata.labels).to.deep.equal({ app: 'x', 'kzero.dev/shard': '1' }),
    },
    {
      name: 'already labelled: left alone',
      objects: [service('foo', withLabels({ 'kzero.dev/shard': '0' }))],
      key: 'default/foo',
    },
    {
      name: 'labelled with an empty shard: left alone (the label is there)',
      objects: [service('foo', withLabels({ 'kzero.dev/shard': '' }))],
      key: 'default/foo',
    },
    {
      name: 'controlled by a parent: left alone (children inherit the parent\'s label)',
      objects: [service('foo', withOwner(service('parent')))],
      key: 'default/foo',
    },
    {
      name: 'changed since the cache saw it: the patch conflicts, retried quietly (no event)',
      objects: [service('foo', withResourceVersion('9'))],
      key: 'default/foo',
      setup: (c) => c.services.setListerCopy(service('foo', withResourceVersion('8'))),
      wantPatches: [{ name: 'foo', patch: { metadata: { resourceVersion: '8', labels: { 'kzero.dev/shard': '1' } } } }],
      wantRetry: true,
      check: (c) => expect(c.services.peek('default', 'foo')?.metadata.labels).to.equal(undefined),
    },
  ];
  tableTest(rows, subject);

  it('a non-controller owner reference does not count as a parent', async () => {
    const owned = service('foo', withResourceVersion('2'), withOwner(service('other')), (s) => void (s.metadata.ownerReferences![0]!.controller = false));
    await runRow({ name: 'x', objects: [owned], key: 'default/foo', wantPatches: [{ name: 'foo', patch: { metadata: { resourceVersion: '2', labels: { 'kzero.dev/shard': '1' } } } }] }, subject);
  });
});
