import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { pod, withAnnotations, withLabels, withResourceVersion, type Opt } from '../../../testing/builders.js';
import { T0 } from '../../../testing/fake-clock.js';
import { claimPatch } from './pool-claim.js';

const good = (name: string, ...opts: Array<Opt<V1Pod>>): V1Pod => pod(name, withLabels({ 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm' }), ...opts);

describe('api/kzero/v1alpha1 claimPatch', () => {
  const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'hello-00001', uid: 'rev-uid', controller: true };
  const revLabels = { 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/service': 'hello', 'kzero.dev/pool': 'wrong' };

  it('tests that the pod is still labelled warm, then replaces labels and owners, and adds claimed-at to the annotations', () => {
    const p = good('p', withResourceVersion('42'), withLabels({ 'pod-template-hash': 'abc' }), withAnnotations({ 'kept': 'yes' }), (x) => void (x.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }]));
    expect(claimPatch(p, 'node', revLabels, owner, T0 + 1234)).to.deep.equal([
      { op: 'test', path: '/metadata/labels/kzero.dev~1pool-state', value: 'warm' },
      { op: 'add', path: '/metadata/labels', value: { 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/service': 'hello', 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'claimed' } },
      { op: 'add', path: '/metadata/ownerReferences', value: [owner] },
      { op: 'add', path: '/metadata/annotations', value: { kept: 'yes', 'kzero.dev/claimed-at': '2024-05-01T12:00:01.234Z' } },
    ]);
  });

  it('a pod without annotations: adds only claimed-at', () => {
    const ops = claimPatch(good('p'), 'node', {}, owner, T0);
    expect(ops[3]).to.deep.equal({ op: 'add', path: '/metadata/annotations', value: { 'kzero.dev/claimed-at': '2024-05-01T12:00:00.000Z' } });
  });
});
