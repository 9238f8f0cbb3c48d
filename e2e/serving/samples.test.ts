import { expect } from 'chai';
import { ServingLabels } from '../../api/serving/labels.js';
import { isReady, kubectl, listPods, testNamespace, waitForValue } from '../support/cluster.js';
import { httpGet } from '../support/http.js';
import { getService, serving, waitForReady } from '../support/serving.js';

// Knative's docs samples, applied unchanged with kubectl, reconciled the way Knative does.

const hello = (ns: string, target: string): string => `
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
  namespace: ${ns}
spec:
  template:
    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go:latest
          ports:
            - containerPort: 8080
          env:
            - name: TARGET
              value: "${target}"
`;

describe('serving: the hello world Service', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => (ns = await testNamespace('e2e-hello')));
  after(async () => ns?.cleanup());

  it('becomes Ready with the first revision, its URL and 100% latest traffic', async () => {
    await kubectl(['apply', '-f', '-'], hello(ns.name, 'Go Sample v1'));
    const svc = await waitForReady('Service hello', () => getService(ns.name, 'hello'));
    expect(svc.status?.url).to.equal(`http://hello.${ns.name}.localhost`);
    expect(svc.status?.address?.url).to.equal(`http://hello.${ns.name}.svc.cluster.local`);
    expect(svc.status?.latestCreatedRevisionName).to.equal('hello-00001');
    expect(svc.status?.latestReadyRevisionName).to.equal('hello-00001');
    expect(svc.status?.traffic).to.deep.equal([{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }]);
    expect(svc.metadata.annotations?.['serving.knative.dev/creator']).to.be.a('string').and.not.equal('');
    const conds = Object.fromEntries((svc.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conds).to.deep.equal({ ConfigurationsReady: 'True', Ready: 'True', RoutesReady: 'True' });
  });

  it('labels the children as Knative does and runs the revision with its env', async () => {
    const rev = await serving.revision.get(ns.name, 'hello-00001');
    expect(rev.metadata.labels).to.include({
      [ServingLabels.service]: 'hello', [ServingLabels.configuration]: 'hello', [ServingLabels.configurationGeneration]: '1',
    });
    expect(rev.metadata.ownerReferences?.[0]).to.include({ kind: 'Configuration', name: 'hello', controller: true });
    const cfg = await serving.configuration.get(ns.name, 'hello');
    expect(cfg.metadata.ownerReferences?.[0]).to.include({ kind: 'Service', name: 'hello' });
    const route = await serving.route.get(ns.name, 'hello');
    expect(route.metadata.labels?.[ServingLabels.service]).to.equal('hello');
    const pods = await waitForValue('a Ready pod of hello-00001', async () => {
      const p = (await listPods(ns.name, `${ServingLabels.revision}=hello-00001`)).filter(isReady);
      return p.length ? p : undefined;
    });
    const res = await httpGet(`http://${pods[0]?.status?.podIP}:8080/`);
    expect(res.body).to.equal('Hello Go Sample v1!\n');
    const env = Object.fromEntries((pods[0]?.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).to.include({ PORT: '8080', K_SERVICE: 'hello', K_CONFIGURATION: 'hello', K_REVISION: 'hello-00001' });
  });

  it('re-applying the same manifest creates nothing and kubectl diff is empty', async () => {
    const before = await getService(ns.name, 'hello');
    await kubectl(['apply', '-f', '-'], hello(ns.name, 'Go Sample v1'));
    const after = await getService(ns.name, 'hello');
    expect(after.metadata.generation).to.equal(before.metadata.generation);
    const diff = await kubectl(['diff', '-f', '-'], hello(ns.name, 'Go Sample v1'));
    expect(diff).to.equal('');
    const revs = await serving.revision.list(ns.name);
    expect(revs.items.map((r) => r.metadata.name)).to.deep.equal(['hello-00001']);
  });

  it('a new template creates hello-00002 and moves the latest traffic to it', async () => {
    await kubectl(['apply', '-f', '-'], hello(ns.name, 'Go Sample v2'));
    const svc = await waitForValue('traffic on hello-00002', async () => {
      const s = await getService(ns.name, 'hello');
      return s.status?.observedGeneration === s.metadata.generation && s.status?.traffic?.[0]?.revisionName === 'hello-00002' && s.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? s : undefined;
    }, 90_000, 200);
    expect(svc.status?.latestReadyRevisionName).to.equal('hello-00002');
    const rev = await serving.revision.get(ns.name, 'hello-00002');
    expect(rev.metadata.labels?.[ServingLabels.configurationGeneration]).to.equal('2');
  });

  it('a metadata-only change creates no revision', async () => {
    await kubectl(['label', 'ksvc', 'hello', '-n', ns.name, 'team=blue']);
    await waitForValue('the label on the Configuration', async () => ((await serving.configuration.get(ns.name, 'hello')).metadata.labels?.team === 'blue' ? true : undefined));
    const revs = await serving.revision.list(ns.name);
    expect(revs.items.map((r) => r.metadata.name).sort()).to.deep.equal(['hello-00001', 'hello-00002']);
  });

  it('deleting the Service removes every child', async () => {
    await kubectl(['delete', 'ksvc', 'hello', '-n', ns.name]);
    await waitForValue('no children left', async () => {
      const left = await kubectl(['get', 'configurations,routes,revisions,deployments,podautoscalers', '-n', ns.name, '-o', 'name']);
      const pods = await listPods(ns.name);
      return left.trim() === '' && pods.length === 0 ? true : undefined;
    }, 90_000, 250);
  });
});

describe('serving: deleting a Service in the foreground', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => (ns = await testNamespace('e2e-fg')));
  after(async () => ns?.cleanup());

  // The garbage collector deletes the children first while the Service waits with a deletionTimestamp: a
  // controller that reconciled it then would recreate them, and the deletion would never end.
  it('completes, and no child is recreated', async () => {
    await kubectl(['apply', '-f', '-'], hello(ns.name, 'fg').replace('name: hello', 'name: fg'));
    await waitForReady('Service fg', () => getService(ns.name, 'fg'));
    await kubectl(['delete', 'ksvc', 'fg', '-n', ns.name, '--cascade=foreground', '--wait=true', '--timeout=60s']);
    const left = await kubectl(['get', 'ksvc,configurations,routes,revisions,deployments,podautoscalers', '-n', ns.name, '-o', 'name']);
    expect(left.trim()).to.equal('');
  });
});

describe('serving: traffic split and BYO revision names (Knative docs)', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => (ns = await testNamespace('e2e-split')));
  after(async () => ns?.cleanup());

  const byo = (name: string, target: string, traffic = ''): string => `
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
  namespace: ${ns.name}
spec:
  template:
    metadata:
      name: ${name}
    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go:latest
          env:
            - name: TARGET
              value: "${target}"
${traffic}`;

  it('names the revision after spec.template.metadata.name', async () => {
    await kubectl(['apply', '-f', '-'], byo('hello-world', 'v1'));
    const svc = await waitForReady('Service hello', () => getService(ns.name, 'hello'));
    expect(svc.status?.latestReadyRevisionName).to.equal('hello-world');
  });

  it('splits traffic between two revisions with tags current, candidate and latest', async () => {
    const traffic = `  traffic:
    - tag: current
      revisionName: hello-world
      percent: 50
    - tag: candidate
      revisionName: hello-world-two
      percent: 50
    - tag: latest
      latestRevision: true
      percent: 0
`;
    await kubectl(['apply', '-f', '-'], byo('hello-world-two', 'v2', traffic));
    const svc = await waitForValue('the split in status', async () => {
      const s = await getService(ns.name, 'hello');
      return s.status?.observedGeneration === s.metadata.generation && s.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && s.status?.traffic?.length === 3 ? s : undefined;
    }, 90_000, 200);
    expect(svc.status?.traffic).to.deep.equal([
      { tag: 'current', revisionName: 'hello-world', latestRevision: false, percent: 50, url: `http://current-hello.${ns.name}.localhost` },
      { tag: 'candidate', revisionName: 'hello-world-two', latestRevision: false, percent: 50, url: `http://candidate-hello.${ns.name}.localhost` },
      { tag: 'latest', revisionName: 'hello-world-two', latestRevision: true, percent: 0, url: `http://latest-hello.${ns.name}.localhost` },
    ]);
  });
});
