import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { join } from 'node:path';
import { claimPatch } from '../../api/kzero/v1alpha1/pool-claim.js';
import { messageOf } from '../../lib/errors.js';
import { loadKubeConfig, statusCodeOf } from '../../lib/kube/client.js';
import { Resources } from '../../lib/kube/resources.js';
import { KubeRest, type JsonPatchOp, type ResourceClient } from '../../lib/kube/rest.js';
import { config, core, kubectl, testNamespace } from '../support/cluster.js';

// The autoscaler's ServiceAccount may patch and delete any pod as far as RBAC goes (RBAC cannot filter by
// label); the webhook (pod-writes.kzero.dev, controller/webhook/pod-writes.ts) holds it to the claim of a warm
// pool pod and to deletes of kzero's pods. Here with the autoscaler's own credentials and client (its
// kubeconfig on the local cluster, lib/kube/ as the autoscaler calls it: kubectl would GET first, which the
// autoscaler may not). The real claim path is the pool suite's (e2e/pool/).

/** A pod that is never scheduled (no node has the label): admission sees it like any other, nothing runs. */
const parkedPod = (namespace: string, name: string, labels: Record<string, string>): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels },
  spec: { nodeSelector: { 'kzero.dev/e2e': 'nowhere' }, containers: [{ name: 'app', image: 'ghcr.io/knative/helloworld-go:latest' }] },
});

const IMAGE_PATCH: JsonPatchOp[] = [{ op: 'replace', path: '/spec/containers/0/image', value: 'registry.example.com/evil:1' }];

/** '' when the call went through, else its status and message. */
const outcome = (call: Promise<unknown>): Promise<string> => call.then(() => '', (err: unknown) => `${statusCodeOf(err)} ${messageOf(err)}`);
const denied = (why: RegExp): RegExp => new RegExp(`^403 admission webhook "pod-writes.kzero.dev" denied the request: kzero-autoscaler: ${why.source}`);

describe('security: the autoscaler\'s pod writes are held to claims and kzero\'s pods', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  let rest: KubeRest;
  let pods: ResourceClient<V1Pod>;
  const system = `e2e-guard-${Date.now().toString(36)}`;
  const image = (namespace: string, name: string): Promise<string> => kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'jsonpath={.spec.containers[0].image}']);

  before(async () => {
    ns = await testNamespace('e2e-podwrites');
    await kubectl(['apply', '-f', '-'], parkedPod('kube-system', system, { app: 'e2e-guard' }));
    await kubectl(['apply', '-f', '-'], parkedPod(ns.name, 'tenant-app', { app: 'web' }));
    await kubectl(['apply', '-f', '-'], parkedPod(ns.name, 'warm-1', { 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm' }));
    rest = await KubeRest.fromKubeConfig(loadKubeConfig(join(config.dirs.pki, 'autoscaler.kubeconfig')), 2);
    pods = rest.resource<V1Pod>(Resources.pod);
  });
  after(async () => {
    await rest?.close();
    await kubectl(['-n', 'kube-system', 'delete', 'pod', system, '--ignore-not-found', '--wait=false']);
    await ns?.cleanup();
  });

  it('an image patch of a kube-system pod or of a tenant\'s pod is denied; the pods are unchanged', async () => {
    expect(await outcome(pods.patch('kube-system', system, IMAGE_PATCH, 'json'))).to.match(denied(/may only claim a warm pool pod .*: pod kube-system\/\S+ is not one$/));
    expect(await outcome(pods.patch(ns.name, 'tenant-app', IMAGE_PATCH, 'json'))).to.match(denied(/may only claim a warm pool pod/));
    expect([await image('kube-system', system), await image(ns.name, 'tenant-app')]).to.deep.equal(['ghcr.io/knative/helloworld-go:latest', 'ghcr.io/knative/helloworld-go:latest']);
  });

  it('a label patch of a pod that is not a warm pool pod is denied too', async () => {
    const relabel: JsonPatchOp[] = [{ op: 'add', path: '/metadata/labels/serving.knative.dev~1revision', value: 'x-00001' }];
    expect(await outcome(pods.patch(ns.name, 'tenant-app', relabel, 'json'))).to.match(denied(/may only claim a warm pool pod/));
  });

  it('deleting a pod kzero does not manage is denied, in kube-system and in a tenant namespace', async () => {
    expect(await outcome(pods.delete('kube-system', system))).to.match(denied(/may only delete pods kzero manages/));
    expect(await outcome(pods.delete(ns.name, 'tenant-app'))).to.match(denied(/may only delete pods kzero manages/));
    expect(await kubectl(['-n', 'kube-system', 'get', 'pod', system, '-o', 'name'])).to.equal(`pod/${system}\n`);
  });

  it('on a warm pool pod: an image patch is denied, the claim (the autoscaler\'s own patch) goes through, and so does a delete', async () => {
    expect(await outcome(pods.patch(ns.name, 'warm-1', IMAGE_PATCH, 'json'))).to.match(denied(/a claim may change only the labels, ownerReferences and the kzero.dev\/claimed-at annotation of a warm pool pod; this update of pod \S+ changes spec$/));
    const warm = await core.readNamespacedPod({ namespace: ns.name, name: 'warm-1' });
    // An owner that exists (the garbage collector deletes a pod whose owner does not); a claim's is its Revision.
    await kubectl(['-n', ns.name, 'create', 'configmap', 'owner']);
    const uid = await kubectl(['-n', ns.name, 'get', 'configmap', 'owner', '-o', 'jsonpath={.metadata.uid}']);
    const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid, controller: true };
    expect(await outcome(pods.patch(ns.name, 'warm-1', claimPatch(warm, 'node', { 'serving.knative.dev/revision': 'x-00001' }, owner, Date.now()), 'json'))).to.equal('');
    expect(await kubectl(['-n', ns.name, 'get', 'pod', 'warm-1', '-o', 'jsonpath={.metadata.labels.kzero\\.dev/pool-state}'])).to.equal('claimed');
    expect(await outcome(pods.delete(ns.name, 'warm-1'))).to.equal('');
  });

  it('other users are not held: the cluster admin relabels the kube-system pod', async () => {
    await kubectl(['-n', 'kube-system', 'label', 'pod', system, 'checked=yes']);
    expect(await kubectl(['-n', 'kube-system', 'get', 'pod', system, '-o', 'jsonpath={.metadata.labels.checked}'])).to.equal('yes');
  });
});
