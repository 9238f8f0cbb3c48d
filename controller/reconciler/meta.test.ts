import { expect } from 'chai';
import { configuration, revision, service, withAnnotations, withLabels, withOwner, withUID } from '../../testing/builders.js';
import { childUpToDate, containsAll, type WithSpec } from './children.js';
import { inheritedAnnotations, isControlledBy, ownerRef, shardLabel } from './meta.js';

describe('reconciler/meta and children helpers', () => {
  const annotations: Array<{ name: string; have: Record<string, string> | undefined; want: Record<string, string> }> = [
    { name: 'none', have: undefined, want: {} },
    { name: 'kept', have: { a: '1', 'serving.knative.dev/creator': 'x' }, want: { a: '1', 'serving.knative.dev/creator': 'x' } },
    { name: 'last-applied dropped', have: { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, want: { a: '1' } },
  ];
  for (const c of annotations) it(`inheritedAnnotations: ${c.name}`, () => expect(inheritedAnnotations({ annotations: c.have })).to.deep.equal(c.want));

  it('ownerRef: a controller reference that blocks owner deletion', () => {
    expect(ownerRef('serving.knative.dev/v1', 'Service', { name: 'foo', uid: 'u1' })).to.deep.equal({
      apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'foo', uid: 'u1', controller: true, blockOwnerDeletion: true,
    });
  });

  const parent = service('foo', withUID('u1'));
  const controlled: Array<{ name: string; child: WithSpec; want: boolean }> = [
    { name: 'controller ref with the uid', child: configuration('foo', withOwner(parent)), want: true },
    { name: 'no owner refs', child: configuration('foo'), want: false },
    { name: 'same name, other uid', child: configuration('foo', withOwner(service('foo', withUID('u2')))), want: false },
    { name: 'a non-controller ref', child: configuration('foo', withOwner(parent), (c) => void (c.metadata.ownerReferences![0]!.controller = false)), want: false },
  ];
  for (const c of controlled) it(`isControlledBy: ${c.name}`, () => expect(isControlledBy(c.child, parent)).to.equal(c.want));

  const shards: Array<{ labels: Record<string, string> | undefined; want: Record<string, string> }> = [
    { labels: undefined, want: {} },
    { labels: { other: 'x' }, want: {} },
    { labels: { 'kzero.dev/shard': '3', other: 'x' }, want: { 'kzero.dev/shard': '3' } },
    { labels: { 'kzero.dev/shard': '' }, want: { 'kzero.dev/shard': '' } },
  ];
  for (const c of shards) it(`shardLabel(${JSON.stringify(c.labels)})`, () => expect(shardLabel({ labels: c.labels })).to.deep.equal(c.want));

  const contains: Array<{ have: Record<string, string> | undefined; want: Record<string, string> | undefined; ok: boolean }> = [
    { have: undefined, want: undefined, ok: true },
    { have: { a: '1', b: '2' }, want: { a: '1' }, ok: true },
    { have: { a: '1' }, want: { a: '2' }, ok: false },
    { have: undefined, want: { a: '1' }, ok: false },
    { have: { a: '1' }, want: {}, ok: true },
  ];
  for (const c of contains) it(`containsAll(${JSON.stringify(c.have)}, ${JSON.stringify(c.want)}) = ${c.ok}`, () => expect(containsAll(c.have, c.want)).to.equal(c.ok));

  const desired = revision('r', withLabels({ a: '1' }), withAnnotations({ n: 'x' }));
  const upToDate: Array<{ name: string; existing: WithSpec; want: boolean }> = [
    { name: 'same', existing: revision('r', withLabels({ a: '1' }), withAnnotations({ n: 'x' })), want: true },
    { name: 'plus defaults, labels and annotations', existing: revision('r', withLabels({ a: '1', b: '2' }), withAnnotations({ n: 'x', m: 'y' }), (r) => void (r.spec.containers[0]!.imagePullPolicy = 'Always')), want: true },
    { name: 'spec changed', existing: revision('r', withLabels({ a: '1' }), withAnnotations({ n: 'x' }), (r) => void (r.spec.containers[0]!.image = 'other')), want: false },
    { name: 'label changed', existing: revision('r', withLabels({ a: '2' }), withAnnotations({ n: 'x' })), want: false },
    { name: 'annotation missing', existing: revision('r', withLabels({ a: '1' })), want: false },
  ];
  for (const c of upToDate) it(`childUpToDate: ${c.name}`, () => expect(childUpToDate(c.existing, desired)).to.equal(c.want));
});
