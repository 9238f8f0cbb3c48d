import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { kubectl } from '../support/cluster.js';

// The full install for a real cluster (manifests/: CRDs, RBAC, ConfigMaps, the components' Deployments and
// Services, the webhooks) as the API server sees it: a server-side dry run validates every object.

const MANIFESTS = fileURLToPath(new URL('../../../manifests/', import.meta.url));

describe('manifests: kubectl apply -k manifests/', function () {
  it('is accepted by the API server (server-side dry run), with each component and its Service', async () => {
    const out = await kubectl(['apply', '--dry-run=server', '-k', MANIFESTS]);
    for (const obj of [
      'customresourcedefinition.apiextensions.k8s.io/podpools.kzero.dev',
      'deployment.apps/kzero-controller-0', 'deployment.apps/kzero-webhook', 'deployment.apps/kzero-autoscaler-0', 'deployment.apps/kzero-activator',
      'service/kzero-activator', 'service/kzero-activator-local', 'service/autoscaler-0', 'service/kzero-webhook',
      'mutatingwebhookconfiguration.admissionregistration.k8s.io/kzero-webhook', 'validatingwebhookconfiguration.admissionregistration.k8s.io/kzero-webhook',
    ]) expect(out, obj).to.include(obj);
  });
});
