import { expect } from 'chai';
import { kubectl, kubectlFails, testNamespace } from '../support/cluster.js';
import { getService, serving, waitForReady } from '../support/serving.js';

// What cannot work is reported with a reason, and what is invalid never gets in.

describe('serving: a revision that cannot start', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => (ns = await testNamespace('e2e-bad')));
  after(async () => ns?.cleanup());

  it('reports a missing image as ContainerMissing on the Revision, Configuration and Service', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: broken, namespace: ${ns.name} }
spec:
  template:
    spec:
      containers:
        - image: registry.example.com/does/not-exist:v1
`);
    const rev = await waitForReady('Revision broken-00001', () => serving.revision.get(ns.name, 'broken-00001'), 'False');
    const ready = rev.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.reason).to.equal('ContainerMissing');
    expect(ready?.message).to.contain('registry.example.com/does/not-exist:v1');
    const cfg = await waitForReady('Configuration broken', () => serving.configuration.get(ns.name, 'broken'), 'False');
    expect(cfg.status?.conditions?.find((c) => c.type === 'Ready')?.reason).to.equal('RevisionFailed');
    const svc = await waitForReady('Service broken', () => getService(ns.name, 'broken'), 'False');
    const svcReady = svc.status?.conditions?.find((c) => c.type === 'Ready');
    expect(svcReady?.reason).to.equal('RevisionFailed');
    expect(svcReady?.message).to.contain('broken-00001');
  });

  it('reports a crashing container with its exit code', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: crashy, namespace: ${ns.name} }
spec:
  template:
    spec:
      containers:
        - image: busybox
          command: ["sh", "-c", "echo starting; exit 3"]
`);
    const rev = await waitForReady('Revision crashy-00001', () => serving.revision.get(ns.name, 'crashy-00001'), 'False');
    const healthy = rev.status?.conditions?.find((c) => c.type === 'ContainerHealthy');
    expect(healthy?.status).to.equal('False');
    expect(healthy?.reason).to.equal('ExitCode3');
  });
});

describe('serving: invalid manifests are rejected by kubectl apply, naming the field', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => (ns = await testNamespace('e2e-invalid')));
  after(async () => ns?.cleanup());

  const svc = (body: string, annotations = ''): string => `
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: invalid
  namespace: ${ns.name}
spec:
  template:
${annotations}    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go
${body}`;

  const cases: Array<{ name: string; manifest: () => string; want: RegExp[] }> = [
    {
      name: 'traffic percents that do not sum to 100',
      manifest: () => svc('  traffic:\n    - latestRevision: true\n      percent: 90\n'),
      want: [/sum to 90, want 100/, /spec\.traffic/],
    },
    {
      name: 'duplicate tags',
      manifest: () => svc('  traffic:\n    - tag: a\n      latestRevision: true\n      percent: 50\n    - tag: a\n      latestRevision: true\n      percent: 50\n'),
      want: [/Multiple definitions for "a"/, /spec\.traffic\[1\]\.tag/],
    },
    {
      name: 'traffic to a revision that does not exist',
      manifest: () => svc('  traffic:\n    - revisionName: invalid-99999\n      percent: 100\n'),
      want: [/invalid-99999/, /spec\.traffic\[0\]\.revisionName/],
    },
    {
      name: 'a BYO revision name without the Service name as prefix',
      manifest: () => svc('', '    metadata:\n      name: other-v1\n'),
      want: [/spec\.template\.metadata\.name/, /invalid-/],
    },
    {
      name: 'an unknown autoscaling annotation',
      manifest: () => svc('', '    metadata:\n      annotations:\n        autoscaling.knative.dev/minscale: "1"\n'),
      want: [/autoscaling\.knative\.dev\/minscale/],
    },
    {
      name: 'an out-of-range autoscaling annotation',
      manifest: () => svc('', '    metadata:\n      annotations:\n        autoscaling.knative.dev/target-utilization-percentage: "120"\n'),
      want: [/target-utilization-percentage/, /120/],
    },
    {
      name: 'a reserved env var',
      manifest: () => svc('          env:\n            - name: K_SERVICE\n              value: x\n').replace('        - image: ghcr.io/knative/helloworld-go\n          env', '        - image: ghcr.io/knative/helloworld-go\n          env'),
      want: [/K_SERVICE/, /spec\.template\.spec\.containers\[0\]\.env\[0\]\.name/],
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      const stderr = await kubectlFails(['apply', '-f', '-'], c.manifest());
      expect(stderr).to.contain('admission webhook');
      for (const re of c.want) expect(stderr).to.match(re);
    });
  }

  it('rejects two containers where none declares the serving port', async () => {
    const stderr = await kubectlFails(['apply', '-f', '-'], `
apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: multi, namespace: ${ns.name} }
spec:
  template:
    spec:
      containers:
        - name: a
          image: ghcr.io/knative/helloworld-go
        - name: b
          image: busybox
          command: ["sleep", "3600"]
`);
    expect(stderr).to.match(/spec\.template\.spec\.containers/);
    expect(stderr).to.match(/port/);
  });

  it('rejected manifests left nothing behind', async () => {
    const list = await serving.service.list(ns.name);
    expect(list.items).to.deep.equal([]);
  });
});
