import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { core, isReady, kubectl, listPods, testNamespace, waitForValue } from '../support/cluster.js';
import { netnsExists, podPids } from '../support/host.js';
import { httpGet } from '../support/http.js';

// The process node runs real pods: scheduled by kube-scheduler, started as processes in their own network
// namespaces, probed, restarted and reported as a kubelet would.

const helloworld = (namespace: string, replicas: number): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: ${namespace}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: hello }
  template:
    metadata:
      labels: { app: hello }
    spec:
      containers:
        - name: user-container
          image: ghcr.io/knative/helloworld-go:latest
          env:
            - { name: TARGET, value: e2e }
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: { path: /, port: 8080 }
            periodSeconds: 1
`;

async function readyPods(namespace: string, selector: string, count: number): Promise<V1Pod[]> {
  return waitForValue(`${count} Ready pod(s) ${selector} in ${namespace}`, async () => {
    const pods = (await listPods(namespace, selector)).filter((p) => !p.metadata?.deletionTimestamp);
    return pods.length === count && pods.every(isReady) ? pods : undefined;
  });
}

describe('process node: a Deployment of helloworld', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  let pods: V1Pod[];

  before(async function () {
    ns = await testNamespace('e2e-pods');
    await kubectl(['apply', '-f', '-'], helloworld(ns.name, 2));
    pods = await readyPods(ns.name, 'app=hello', 2);
  });
  after(async () => ns?.cleanup());

  it('runs both replicas Running and Ready, with distinct pod IPs on the node', () => {
    const ips = pods.map((p) => p.status?.podIP);
    expect(pods.map((p) => p.status?.phase)).to.deep.equal(['Running', 'Running']);
    expect(ips[0]).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    expect(new Set(ips).size).to.equal(2);
    for (const p of pods) {
      expect(p.spec?.nodeName).to.equal('kzero-node');
      const cs = p.status?.containerStatuses?.[0];
      expect(cs?.ready).to.equal(true);
      expect(cs?.state?.running?.startedAt).to.not.equal(undefined);
    }
  });

  it('answers HTTP on each pod IP with the env the manifest set', async () => {
    for (const p of pods) {
      const res = await httpGet(`http://${p.status?.podIP}:8080/`);
      expect(res.status).to.equal(200);
      expect(res.body).to.equal('Hello e2e!\n');
    }
  });

  it('serves the container log through kubectl logs', async () => {
    const name = pods[0]?.metadata?.name ?? '';
    const logs = await kubectl(['logs', '-n', ns.name, name]);
    expect(logs).to.contain('helloworld: listening');
  });

  it('restarts a container whose process was killed and counts the restart', async () => {
    const pod = pods[0]!;
    const uid = pod.metadata?.uid ?? '';
    const pids = await podPids(uid);
    expect(pids.length).to.be.greaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const restarted = await waitForValue('restartCount 1 and Ready again', async () => {
      const p = await core.readNamespacedPod({ name: pod.metadata?.name ?? '', namespace: ns.name });
      const cs = p.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && isReady(p) ? p : undefined;
    });
    const cs = restarted.status?.containerStatuses?.[0];
    expect(cs?.lastState?.terminated?.exitCode).to.equal(137);
    expect(cs?.lastState?.terminated?.reason).to.equal('Error');
    expect((await httpGet(`http://${restarted.status?.podIP}:8080/`)).body).to.equal('Hello e2e!\n');
    // The previous run's log is kept for `kubectl logs --previous`.
    expect(await kubectl(['logs', '-n', ns.name, pod.metadata?.name ?? '', '--previous'])).to.contain('helloworld: listening');
  });

  it('leaves no process and no network namespace behind when the Deployment is deleted', async () => {
    const uids = pods.map((p) => p.metadata?.uid ?? '');
    await kubectl(['delete', 'deployment', 'hello', '-n', ns.name, '--wait=true']);
    await waitForValue('the pods to be gone from the API', async () => ((await listPods(ns.name, 'app=hello')).length === 0 ? true : undefined));
    for (const uid of uids) {
      expect(await podPids(uid), `processes of pod ${uid}`).to.deep.equal([]);
      expect(await netnsExists(uid), `network namespace of pod ${uid}`).to.equal(false);
    }
  });
});

describe('process node: pods that cannot run, and pods that end', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => (ns = await testNamespace('e2e-fail')));
  after(async () => ns?.cleanup());

  const pod = (name: string, spec: string): string => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns.name} }
spec:
${spec}`;

  it('reports an image missing from the image table as a waiting reason with a message', async () => {
    await kubectl(['apply', '-f', '-'], pod('missing', `  containers:\n    - name: app\n      image: example.com/nope/missing:v1\n`));
    const waiting = await waitForValue('a waiting reason', async () => {
      const p = await core.readNamespacedPod({ name: 'missing', namespace: ns.name });
      return p.status?.containerStatuses?.[0]?.state?.waiting;
    });
    expect(waiting.reason).to.be.oneOf(['ErrImagePull', 'ImagePullBackOff']);
    expect(waiting.message).to.contain('example.com/nope/missing:v1');
    const p = await core.readNamespacedPod({ name: 'missing', namespace: ns.name });
    expect(p.status?.phase).to.equal('Pending');
    expect(isReady(p)).to.equal(false);
  });

  it('reports a container that exits with restartPolicy Never as Failed with its exit code', async () => {
    await kubectl(['apply', '-f', '-'], pod('exits', `  restartPolicy: Never\n  containers:\n    - name: app\n      image: busybox\n      command: ["sh", "-c", "echo bye; exit 3"]\n`));
    const p = await waitForValue('phase Failed', async () => {
      const p = await core.readNamespacedPod({ name: 'exits', namespace: ns.name });
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    const t = p.status?.containerStatuses?.[0]?.state?.terminated;
    expect(t?.exitCode).to.equal(3);
    expect(t?.reason).to.equal('Error');
    expect(await kubectl(['logs', '-n', ns.name, 'exits'])).to.equal('bye\n');
  });

  it('resolves env from fieldRef, configMapKeyRef and secretKeyRef, and a missing ConfigMap is a config error', async () => {
    await kubectl(['create', 'configmap', 'settings', '-n', ns.name, '--from-literal=greeting=hi']);
    await kubectl(['create', 'secret', 'generic', 'creds', '-n', ns.name, '--from-literal=password=s3cret']);
    await kubectl(['apply', '-f', '-'], pod('env', `  restartPolicy: Never
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "echo $POD_NAME $POD_NS $GREETING $PASSWORD $(GREETING)-x"]
      env:
        - name: POD_NAME
          valueFrom: { fieldRef: { fieldPath: metadata.name } }
        - name: POD_NS
          valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
        - name: GREETING
          valueFrom: { configMapKeyRef: { name: settings, key: greeting } }
        - name: PASSWORD
          valueFrom: { secretKeyRef: { name: creds, key: password } }
`));
    await waitForValue('phase Succeeded', async () => {
      const p = await core.readNamespacedPod({ name: 'env', namespace: ns.name });
      return p.status?.phase === 'Succeeded' ? true : undefined;
    });
    expect(await kubectl(['logs', '-n', ns.name, 'env'])).to.equal(`env ${ns.name} hi s3cret hi-x\n`);

    await kubectl(['apply', '-f', '-'], pod('noconfig', `  containers:
    - name: app
      image: busybox
      command: ["sleep", "3600"]
      env:
        - name: X
          valueFrom: { configMapKeyRef: { name: absent, key: x } }
`));
    const waiting = await waitForValue('CreateContainerConfigError', async () => {
      const p = await core.readNamespacedPod({ name: 'noconfig', namespace: ns.name });
      const w = p.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    });
    expect(waiting.message).to.equal('configmap "absent" not found');
  });

  it('restarts a container whose liveness probe fails, and keeps a pod with a failing readiness probe unready', async () => {
    await kubectl(['apply', '-f', '-'], pod('probes', `  containers:
    - name: live
      image: busybox
      command: ["sleep", "3600"]
      livenessProbe:
        exec: { command: ["sh", "-c", "exit 1"] }
        periodSeconds: 1
        failureThreshold: 1
    - name: unready
      image: ghcr.io/knative/helloworld-go
      readinessProbe:
        tcpSocket: { port: 9999 }
        periodSeconds: 1
`));
    const p = await waitForValue('a liveness restart', async () => {
      const p = await core.readNamespacedPod({ name: 'probes', namespace: ns.name });
      const live = p.status?.containerStatuses?.find((c) => c.name === 'live');
      return (live?.restartCount ?? 0) >= 1 ? p : undefined;
    });
    const unready = p.status?.containerStatuses?.find((c) => c.name === 'unready');
    expect(unready?.state?.running).to.not.equal(undefined);
    expect(unready?.ready).to.equal(false);
    expect(isReady(p)).to.equal(false);
    const cond = p.status?.conditions?.find((c) => c.type === 'ContainersReady');
    expect(cond?.message).to.contain('unready');
  });
});
