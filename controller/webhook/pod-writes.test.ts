// The autoscaler's pod writes (pure): the claim and deletes of kzero's pods pass, nothing else by it does.
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { claimPatch } from '../../api/kzero/v1alpha1/pool-claim.js';
import { pod, withAnnotations, withLabels, withNamespace, withResourceVersion, type Opt } from '../../testing/builders.js';
import { T0 } from '../../testing/fake-clock.js';
import { applyPatch } from '../../testing/json-patch.js';
import type { AdmissionRequest } from './admission.js';
import { AUTOSCALER_USER, reviewPodWrite } from './pod-writes.js';

const warm = (name: string, ...opts: Array<Opt<V1Pod>>): V1Pod => pod(name, withNamespace('team'),
  withLabels({ 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm', 'pod-template-hash': 'abc' }), withAnnotations({ kept: 'yes' }), withResourceVersion('7'),
  (p) => void ((p.spec ??= { containers: [] }).containers = [{ name: 'runtime', image: 'kzero/runtime:1' }]),
  (p) => void (p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'node-podpool-abc', uid: 'rs-uid', controller: true }]),
  ...opts);
const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'hello-00001', uid: 'rev-uid', controller: true };
/** The autoscaler's real claim of `p` (api/kzero/v1alpha1/pool-claim.ts), as the API server hands it to admission (its test op passed). */
const claimed = (p: V1Pod): V1Pod => {
  const ops = claimPatch(p, 'node', { 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/service': 'hello' }, owner, T0);
  return applyPatch(p, ops.filter((o) => o.op !== 'test') as Parameters<typeof applyPatch>[1]);
};

const request = (operation: 'UPDATE' | 'DELETE', old: V1Pod, object: V1Pod | undefined, extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'req-1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation, namespace: old.metadata?.namespace, name: old.metadata?.name,
  userInfo: { username: AUTOSCALER_USER }, oldObject: old, object, ...extra,
});
const verdict = (req: AdmissionRequest): string => {
  const r = reviewPodWrite(req);
  expect(r.uid).to.equal('req-1');
  return r.allowed ? 'allowed' : `${r.status?.code} ${r.status?.message}`;
};

describe('webhook pod-writes (the autoscaler\'s pod writes)', () => {
  it('the claim patch of a warm pool pod passes (also with the API server\'s own metadata changed)', () => {
    expect(verdict(request('UPDATE', warm('w1'), claimed(warm('w1'))))).to.equal('allowed');
    const bumped = claimed(warm('w1'));
    bumped.metadata = { ...bumped.metadata, resourceVersion: '8', managedFields: [{ manager: 'autoscaler', operation: 'Update' }] };
    expect(verdict(request('UPDATE', warm('w1'), bumped))).to.equal('allowed');
  });

  const denied: Array<{ name: string; old: V1Pod; change: (p: V1Pod) => void; want: string }> = [
    {
      name: 'an image change of a warm pool pod, even with the claim',
      old: warm('w1'),
      change: (p) => void (p.spec!.containers[0]!.image = 'evil:1'),
      want: '403 kzero-autoscaler: a claim may change only the labels, ownerReferences and the kzero.dev/claimed-at annotation of a warm pool pod; this update of pod team/w1 changes spec',
    },
    {
      name: 'another annotation',
      old: warm('w1'),
      change: (p) => void (p.metadata!.annotations = { ...p.metadata!.annotations, kept: 'no', added: 'x' }),
      want: '403 kzero-autoscaler: a claim may change only the labels, ownerReferences and the kzero.dev/claimed-at annotation of a warm pool pod; this update of pod team/w1 changes metadata.annotations[kept], metadata.annotations[added]',
    },
    {
      name: 'moving the pod to another pool, a finalizer and the status',
      old: warm('w1'),
      change: (p) => {
        p.metadata!.labels = { ...p.metadata!.labels, 'kzero.dev/pool': 'other' };
        p.metadata!.finalizers = ['hold'];
        p.status = { phase: 'Failed' };
      },
      want: '403 kzero-autoscaler: a claim may change only the labels, ownerReferences and the kzero.dev/claimed-at annotation of a warm pool pod; this update of pod team/w1 changes status, metadata.finalizers, metadata.labels[kzero.dev/pool]',
    },
  ];
  for (const c of denied) {
    it(`denies ${c.name}`, () => {
      const next = claimed(c.old);
      c.change(next);
      expect(verdict(request('UPDATE', c.old, next))).to.equal(c.want);
    });
  }

  it('denies any update of a pod that is not a warm pool pod: kube-system, a tenant\'s, a claimed one', () => {
    const notWarm = (p: V1Pod): string => `403 kzero-autoscaler: may only claim a warm pool pod (labelled kzero.dev/pool and kzero.dev/pool-state=warm): pod ${p.metadata?.namespace}/${p.metadata?.name} is not one`;
    const system = pod('kube-proxy-x', withNamespace('kube-system'));
    const tenant = pod('app', withNamespace('team'), withLabels({ app: 'web' }));
    const taken = warm('w2', withLabels({ 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'claimed' }));
    for (const p of [system, tenant, taken]) {
      const next = structuredClone(p);
      next.metadata!.labels = { ...next.metadata!.labels, 'kzero.dev/pool-state': 'claimed' };
      expect(verdict(request('UPDATE', p, next)), p.metadata?.name).to.equal(notWarm(p));
    }
  });

  it('deletes: kzero\'s pods (pool or Revision) pass; any other pod is denied', () => {
    expect(verdict(request('DELETE', warm('w1'), undefined))).to.equal('allowed');
    expect(verdict(request('DELETE', pod('hello-00001-deployment-x', withNamespace('team'), withLabels({ 'serving.knative.dev/revision': 'hello-00001' })), undefined))).to.equal('allowed');
    expect(verdict(request('DELETE', pod('coredns-1', withNamespace('kube-system'), withLabels({ 'k8s-app': 'kube-dns' })), undefined)))
      .to.equal('403 kzero-autoscaler: may only delete pods kzero manages (labelled kzero.dev/pool or serving.knative.dev/revision): pod kube-system/coredns-1 is neither');
  });

  it('denies what it cannot check, and subresources', () => {
    expect(verdict(request('DELETE', warm('w1'), undefined, { oldObject: undefined })))
      .to.equal('403 kzero-autoscaler: DELETE of pod team/w1 without the pod\'s current state: cannot check it');
    expect(verdict(request('UPDATE', warm('w1'), claimed(warm('w1')), { subResource: 'status' })))
      .to.equal('403 kzero-autoscaler: may not UPDATE Pod/status team/w1: it only claims and deletes kzero\'s pods');
  });

  it('every other user passes at once, whatever the write', () => {
    const system = pod('kube-proxy-x', withNamespace('kube-system'));
    const next = structuredClone(system);
    next.spec = { containers: [{ name: 'c', image: 'evil:1' }] };
    for (const username of ['system:serviceaccount:kube-system:replicaset-controller', 'system:serviceaccount:kzero-system:kzero-controller', 'kzero-admin', undefined]) {
      expect(verdict(request('UPDATE', system, next, { userInfo: username === undefined ? {} : { username } })), String(username)).to.equal('allowed');
    }
  });
});
