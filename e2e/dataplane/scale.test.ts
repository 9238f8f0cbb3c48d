import { expect } from 'chai';
import { ServingLabels } from '../../api/serving/labels.js';
import { kubectl, listPods, testNamespace, waitForValue } from '../support/cluster.js';
import { viaActivator } from '../support/activator.js';
import { getService, serving, waitForReady } from '../support/serving.js';

// Through the activator, with real HTTP: scale from zero and back, buffering under a burst with a
// concurrency limit, traffic splits, timeouts, and revisions that cannot start.

const shortWindows = { 'stable-window': '6s', 'scale-to-zero-grace-period': '2s', 'allow-zero-initial-scale': 'true' };

async function setAutoscalerConfig(data: Record<string, string | null>): Promise<void> {
  await kubectl(['patch', 'configmap', 'config-autoscaler', '-n', 'kzero-system', '--type=merge', '-p', JSON.stringify({ data })]);
}

const ksvc = (ns: string, name: string, opts: { image?: string; annotations?: Record<string, string>; spec?: string; env?: string; revisionName?: string; traffic?: string } = {}): string => `
apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: ${name}, namespace: ${ns} }
spec:
  template:
    metadata:
${opts.revisionName ? `      name: ${opts.revisionName}\n` : ''}      annotations: ${JSON.stringify(opts.annotations ?? {})}
    spec:
${opts.spec ?? ''}      containers:
        - image: ${opts.image ?? 'ghcr.io/knative/helloworld-go'}
${opts.env ? `          env:\n            - { name: TARGET, value: "${opts.env}" }\n` : ''}${opts.traffic ?? ''}`;

const podsOf = async (ns: string, svc: string): Promise<number> =>
  (await listPods(ns, `${ServingLabels.service}=${svc}`)).filter((p) => !p.metadata?.deletionTimestamp).length;

describe('data plane: scale from zero and back, through the activator', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => {
    await setAutoscalerConfig(shortWindows);
    ns = await testNamespace('e2e-scale');
  });
  after(async () => {
    await setAutoscalerConfig({ 'stable-window': null, 'scale-to-zero-grace-period': null, 'allow-zero-initial-scale': null });
    await ns?.cleanup();
  });

  it('answers the first request of a Service at zero, goes back to zero when idle, and comes back', async () => {
    await kubectl(['apply', '-f', '-'], ksvc(ns.name, 'hello', { annotations: { 'autoscaling.knative.dev/initial-scale': '0' }, env: 'zero' }));
    await waitForReady('Service hello', () => getService(ns.name, 'hello'));
    expect(await podsOf(ns.name, 'hello')).to.equal(0);
    const host = `hello.${ns.name}.localhost`;
    const first = await viaActivator(host);
    expect(first.status).to.equal(200);
    expect(first.body).to.equal('Hello zero!\n');
    expect(await podsOf(ns.name, 'hello')).to.equal(1);
    await waitForValue('hello back at zero pods', async () => ((await podsOf(ns.name, 'hello')) === 0 ? true : undefined), 90_000, 500);
    const rev = await waitForValue('the Revision to show Active=False', async () => {
      const r = await serving.revision.get(ns.name, 'hello-00001');
      return r.status?.conditions?.find((c) => c.type === 'Active')?.status === 'False' ? r : undefined;
    });
    expect(rev.status?.conditions?.find((c) => c.type === 'Active')?.reason).to.equal('NoTraffic');
    expect(rev.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
    const again = await viaActivator(host);
    expect(again.status).to.equal(200);
    expect(again.body).to.equal('Hello zero!\n');
  });

  it('fails the queued requests of a revision that cannot start (missing image) fast, with a 503 naming the reason', async () => {
    // initial-scale 0: Ready without pods, so the Route sends traffic; the first request finds out.
    await kubectl(['apply', '-f', '-'], ksvc(ns.name, 'ghost', { image: 'registry.example.com/ghost:v1', annotations: { 'autoscaling.knative.dev/initial-scale': '0' } }));
    await waitForReady('Service ghost', () => getService(ns.name, 'ghost'));
    const answers = await Promise.all(Array.from({ length: 5 }, () => viaActivator(`ghost.${ns.name}.localhost`)));
    for (const a of answers) {
      expect(a.status).to.equal(503);
      expect(a.body).to.contain('ContainerMissing');
      expect(a.body).to.contain('registry.example.com/ghost:v1');
      expect(a.ms).to.be.below(15_000); // the revision's timeout is 300 s
    }
  });

  it('serves 500 concurrent requests to a cold revision with containerConcurrency 1 and max-scale 10: no errors, never two in flight on a pod', async () => {
    await kubectl(['apply', '-f', '-'], ksvc(ns.name, 'burst', {
      image: 'ghcr.io/knative/autoscale-go',
      annotations: { 'autoscaling.knative.dev/initial-scale': '0', 'autoscaling.knative.dev/max-scale': '10' },
      spec: '      containerConcurrency: 1\n',
    }));
    await waitForReady('Service burst', () => getService(ns.name, 'burst'));
    const host = `burst.${ns.name}.localhost`;
    const answers = await Promise.all(Array.from({ length: 500 }, () => viaActivator(host, '/?sleep=50')));
    const codes = new Map<number, number>();
    for (const a of answers) codes.set(a.status, (codes.get(a.status) ?? 0) + 1);
    expect(Object.fromEntries(codes)).to.deep.equal({ 200: 500 });
    expect(new Set(answers.map((a) => a.headers['x-inflight']))).to.deep.equal(new Set(['1']));
    const pods = new Set(answers.map((a) => a.headers['x-pod']));
    expect(pods.size).to.be.greaterThan(1);
    expect(pods.size).to.be.at.most(10);
  });
});

describe('data plane: traffic split, timeouts, failures', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => (ns = await testNamespace('e2e-split')));
  after(async () => ns?.cleanup());

  it('splits 50/50 between two tagged revisions within 35-65% over 200 requests; each tag reaches its own', async () => {
    await kubectl(['apply', '-f', '-'], ksvc(ns.name, 'split', { revisionName: 'split-one', env: 'one' }));
    await waitForReady('Service split', () => getService(ns.name, 'split'));
    const traffic = '  traffic:\n    - { tag: one, revisionName: split-one, percent: 50 }\n    - { tag: two, revisionName: split-two, percent: 50 }\n';
    await kubectl(['apply', '-f', '-'], ksvc(ns.name, 'split', { revisionName: 'split-two', env: 'two', traffic }));
    await waitForValue('the split in the Route', async () => {
      const s = await getService(ns.name, 'split');
      return s.status?.observedGeneration === s.metadata.generation && s.status?.traffic?.length === 2 && s.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? true : undefined;
    }, 90_000, 200);
    const answers = [];
    for (let i = 0; i < 200; i++) answers.push(await viaActivator(`split.${ns.name}.localhost`));
    const one = answers.filter((a) => a.body === 'Hello one!\n').length;
    const two = answers.filter((a) => a.body === 'Hello two!\n').length;
    expect(one + two).to.equal(200);
    expect(one).to.be.within(70, 130);
    expect((await viaActivator(`one-split.${ns.name}.localhost`)).body).to.equal('Hello one!\n');
    expect((await viaActivator(`two-split.${ns.name}.localhost`)).body).to.equal('Hello two!\n');
  });

  it('answers 504 when the app does not respond within timeoutSeconds', async () => {
    await kubectl(['apply', '-f', '-'], ksvc(ns.name, 'slow', { image: 'ghcr.io/knative/autoscale-go', spec: '      timeoutSeconds: 2\n' }));
    await waitForReady('Service slow', () => getService(ns.name, 'slow'));
    const a = await viaActivator(`slow.${ns.name}.localhost`, '/?sleep=4000');
    expect(a.status).to.equal(504);
    expect(a.ms).to.be.below(3900);
    expect((await viaActivator(`slow.${ns.name}.localhost`, '/?sleep=10')).status).to.equal(200);
  });

  it('answers 404 with a plain message for a host no Route serves', async () => {
    const a = await viaActivator('nobody.nowhere.localhost');
    expect(a.status).to.equal(404);
    expect(a.body).to.contain('no Route serves host "nobody.nowhere.localhost"');
  });
});
