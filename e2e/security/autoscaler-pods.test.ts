import { expect } from 'chai';
import { kubectl as runKubectl } from '../../local/kubectl.js';
import { config, kubectl, testNamespace } from '../support/cluster.js';

// The autoscaler's ServiceAccount may patch and delete any pod as far as RBAC goes (RBAC cannot filter by
// label); the webhook (pod-writes.kzero.dev, controller/webhook/pod-writes.ts) holds it to the claim of a warm
// pool pod and to deletes of kzero's pods. Here as that identity (kubectl --as): the real claim path is the
// pool suite's (e2e/pool/).

const AUTOSCALER = 'system:serviceaccount:kzero-system:kzero-autoscaler';

/** A pod that is never scheduled (no node has the label): admission sees it like any other, nothing runs. */
const parkedPod = (namespace: string, name: string, labels: Record<string, string>): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels },
  spec: { nodeSelector: { 'kzero.dev/e2e': 'nowhere' }, containers: [{ name: 'app', image: 'ghcr.io/knative/helloworld-go:latest' }] },
});

const imagePatch = JSON.stringify([{ op: 'replace', path: '/spec/containers/0/image', value: 'registry.example.com/evil:1' }]);
const claimLikePatch = JSON.stringify([
  { op: 'test', path: '/metadata/labels/kzero.dev~1pool-state', value: 'warm' },
  { op: 'add', path: '/metadata/labels', value: { 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'claimed', 'serving.knative.dev/revision': 'x-00001' } },
  { op: 'add', path: '/metadata/annotations', value: { 'kzero.dev/claimed-at': new Date(0).toISOString() } },
]);

/** kubectl as the autoscaler: its stderr when refused, '' when it went through. */
async function asAutoscaler(args: string[]): Promise<string> {
  const r = await runKubectl(config, [`--as=${AUTOSCALER}`, ...args]);
  return r.code === 0 ? '' : r.stderr.trim();
}

const denied = (why: RegExp): RegExp => new RegExp(`admission webhook "pod-writes.kzero.dev" denied the request: kzero-autoscaler: ${why.source}`);

describe('security: the autoscaler\'s pod writes are held to claims and kzero\'s pods', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  const system = `e2e-guard-${Date.now().toString(36)}`;
  before(async () => {
    ns = await testNamespace('e2e-podwrites');
    await kubectl(['apply', '-f', '-'], parkedPod('kube-system', system, { app: 'e2e-guard' }));
    await kubectl(['apply', '-f', '-'], parkedPod(ns.name, 'tenant-app', { app: 'web' }));
    await kubectl(['apply', '-f', '-'], parkedPod(ns.name, 'warm-1', { 'kzero.dev/pool': 'node', 'kzero.dev/pool-state': 'warm' }));
  });
  after(async () => {
    await kubectl(['-n', 'kube-system', 'delete', 'pod', system, '--ignore-not-found', '--wait=false']);
    await ns?.cleanup();
  });

  it('an image patch of a kube-system pod or a tenant\'s pod is denied; the pods are unchanged', async () => {
    expect(await asAutoscaler(['-n', 'kube-system', 'patch', 'pod', system, '--type=json', '-p', imagePatch])).to.match(denied(/may only claim a warm pool pod/));
    expect(await asAutoscaler(['-n', ns.name, 'patch', 'pod', 'tenant-app', '--type=json', '-p', imagePatch])).to.match(denied(/may only claim a warm pool pod/));
    for (const [where, name] of [['kube-system', system], [ns.name, 'tenant-app']]) {
      expect(await kubectl(['-n', where!, 'get', 'pod', name!, '-o', 'jsonpath={.spec.containers[0].image}'])).to.equal('ghcr.io/knative/helloworld-go:latest');
    }
  });

  it('a label patch of a pod that is not a warm pool pod is denied too', async () => {
    const relabel = JSON.stringify([{ op: 'add', path: '/metadata/labels/serving.knative.dev~1revision', value: 'x-00001' }]);
    expect(await asAutoscaler(['-n', ns.name, 'patch', 'pod', 'tenant-app', '--type=json', '-p', relabel])).to.match(denied(/may only claim a warm pool pod/));
  });

  it('deleting a pod kzero does not manage is denied, in kube-system and in a tenant namespace', async () => {
    expect(await asAutoscaler(['-n', 'kube-system', 'delete', 'pod', system, '--wait=false'])).to.match(denied(/may only delete pods kzero manages/));
    expect(await asAutoscaler(['-n', ns.name, 'delete', 'pod', 'tenant-app', '--wait=false'])).to.match(denied(/may only delete pods kzero manages/));
    expect(await kubectl(['-n', 'kube-system', 'get', 'pod', system, '-o', 'name'])).to.equal(`pod/${system}\n`);
  });

  it('on a warm pool pod: an image patch is denied, the claim goes through, and so does a delete', async () => {
    expect(await asAutoscaler(['-n', ns.name, 'patch', 'pod', 'warm-1', '--type=json', '-p', imagePatch])).to.match(denied(/a claim may change only the labels, ownerReferences and the kzero.dev\/claimed-at annotation of a warm pool pod; this update of pod \S+ changes spec/));
    expect(await asAutoscaler(['-n', ns.name, 'patch', 'pod', 'warm-1', '--type=json', '-p', claimLikePatch])).to.equal('');
    expect(await kubectl(['-n', ns.name, 'get', 'pod', 'warm-1', '-o', 'jsonpath={.metadata.labels.kzero\\.dev/pool-state}'])).to.equal('claimed');
    expect(await asAutoscaler(['-n', ns.name, 'delete', 'pod', 'warm-1', '--wait=false'])).to.equal('');
  });

  it('other users are not held: the cluster admin relabels the kube-system pod', async () => {
    await kubectl(['-n', 'kube-system', 'label', 'pod', system, 'checked=yes']);
    expect(await kubectl(['-n', 'kube-system', 'get', 'pod', system, '-o', 'jsonpath={.metadata.labels.checked}'])).to.equal('yes');
  });
});
