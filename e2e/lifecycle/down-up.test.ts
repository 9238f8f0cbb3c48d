import { expect } from 'chai';
import { kzero } from '../support/cli.js';
import { config, core, isReady, kubectl, testNamespace, waitForValue } from '../support/cluster.js';
import { linkExists, processesMatching } from '../support/host.js';
import { listKzeroNetns } from '../../local/net/netns.js';

// `kzero down` stops everything it started and removes what it made on the host; `kzero up` brings the
// same cluster back, with the pods that were in it.

const helloPod = (namespace: string): string => `
apiVersion: v1
kind: Pod
metadata: { name: survivor, namespace: ${namespace} }
spec:
  containers:
    - name: app
      image: gcr.io/knative-samples/helloworld-go
`;

describe('kzero down and up', function () {
  let namespace = '';

  before(async function () {
    const ns = await testNamespace('e2e-life');
    namespace = ns.name;
    await kubectl(['apply', '-f', '-'], helloPod(namespace));
    await waitForValue('the pod to be Ready', async () => {
      const p = await core.readNamespacedPod({ name: 'survivor', namespace });
      return isReady(p) ? true : undefined;
    });
  });

  it('down leaves no control-plane process, node agent, pod process, network namespace or bridge', async () => {
    const { code } = await kzero(['down']);
    expect(code).to.equal(0);
    expect(await processesMatching(config.dirs.etcd), 'etcd').to.deep.equal([]);
    expect(await processesMatching(config.binDir), 'kube-* binaries').to.deep.equal([]);
    expect(await processesMatching('local/node/main.js'), 'node agent').to.deep.equal([]);
    expect(await processesMatching('controller/main.js'), 'kzero controller').to.deep.equal([]);
    expect(await processesMatching('controller/webhook/main.js'), 'kzero webhook').to.deep.equal([]);
    expect(await processesMatching('local/images/apps/'), 'pod processes').to.deep.equal([]);
    expect(await listKzeroNetns(), 'network namespaces').to.deep.equal([]);
    expect(await linkExists(config.bridgeName), 'bridge').to.equal(false);
    expect((await kzero(['status'], false)).code).to.not.equal(0);
  });

  it('up brings the same cluster back, and its pods run again', async () => {
    const { code, output } = await kzero(['up']);
    expect(code, output).to.equal(0);
    expect(output).to.match(/local cluster ready in [\d.]+ s/);
    // Its status in etcd still says Ready from before `down`; wait for the agent's restart to show.
    const pod = await waitForValue('the pod to be restarted and Ready again', async () => {
      const p = await core.readNamespacedPod({ name: 'survivor', namespace });
      return isReady(p) && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0 ? p : undefined;
    });
    expect(pod.status?.containerStatuses?.[0]?.state?.running).to.not.equal(undefined);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('a second up reuses what runs and starts nothing', async () => {
    const before = await processesMatching(config.binDir);
    const { code, output } = await kzero(['up']);
    expect(code, output).to.equal(0);
    expect(output).to.not.contain('starting');
    expect(await processesMatching(config.binDir)).to.deep.equal(before);
  });
});
