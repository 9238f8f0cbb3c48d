import { expect } from 'chai';
import { kubectl as runKubectl } from '../../local/kubectl.js';
import { config, kubectl, testNamespace } from '../support/cluster.js';

// Least privilege, as the API server computes it: each component's ServiceAccount's effective permissions
// (`kubectl auth can-i --list`, cluster-wide grants seen from the default namespace, a tenant namespace and
// kzero-system) against the allow-list below, which is what the code calls through lib/kube/ (see
// manifests/core/rbac/*.yaml). Any permission not listed fails the test, and so does a listed one that is
// missing (the list is the spec); no component may do anything to a Secret.

type Grants = Record<string, readonly string[]>;
const READ = ['list', 'watch'] as const;

/** What every authenticated user gets from the built-in discovery roles: optional, any of it may show. */
const DISCOVERY: Grants = {
  'selfsubjectaccessreviews.authorization.k8s.io': ['create'],
  'selfsubjectrulesreviews.authorization.k8s.io': ['create'],
};

const ALLOWED: Record<string, { everywhere: Grants; system: Grants }> = {
  controller: {
    everywhere: {
      'services.serving.knative.dev': [...READ, 'patch'],
      'configurations.serving.knative.dev': ['get', ...READ, 'create', 'update', 'patch'],
      'routes.serving.knative.dev': ['get', ...READ, 'create', 'update', 'patch'],
      'revisions.serving.knative.dev': ['get', ...READ, 'create'],
      'services.serving.knative.dev/status': ['patch'],
      'configurations.serving.knative.dev/status': ['patch'],
      'revisions.serving.knative.dev/status': ['patch'],
      'routes.serving.knative.dev/status': ['patch'],
      'services.serving.knative.dev/finalizers': ['update'],
      'configurations.serving.knative.dev/finalizers': ['update'],
      'revisions.serving.knative.dev/finalizers': ['update'],
      'podautoscalers.kzero.dev': ['get', ...READ, 'create', 'update'],
      'podpools.kzero.dev': [...READ, 'patch'],
      'podpools.kzero.dev/status': ['patch'],
      'podpools.kzero.dev/finalizers': ['update'],
      'deployments.apps': ['get', ...READ, 'create', 'update'],
      pods: READ,
      namespaces: READ,
      events: ['create'],
    },
    system: { configmaps: READ },
  },
  webhook: {
    everywhere: {
      namespaces: READ,
      'revisions.serving.knative.dev': READ,
      'validatingwebhookconfigurations.admissionregistration.k8s.io[kzero-webhook]': ['get', 'patch'],
      'mutatingwebhookconfigurations.admissionregistration.k8s.io[kzero-webhook]': ['get', 'patch'],
    },
    system: { configmaps: READ },
  },
  autoscaler: {
    everywhere: {
      'podautoscalers.kzero.dev': READ,
      'podautoscalers.kzero.dev/status': ['patch'],
      'deployments.apps': READ,
      'deployments.apps/scale': ['patch'],
      // Narrowed to the claim and to kzero's pods by the webhook (e2e/security/autoscaler-pods.test.ts).
      pods: [...READ, 'patch', 'delete'],
      'podpools.kzero.dev': READ,
      'revisions.serving.knative.dev': READ,
    },
    system: { configmaps: READ },
  },
  activator: {
    everywhere: {
      'routes.serving.knative.dev': READ,
      'revisions.serving.knative.dev': READ,
      pods: READ,
    },
    system: { configmaps: READ, endpoints: READ },
  },
};

interface Listed {
  /** "resource[.group][/subresource][[names]] verb" for each verb of each resource row. */
  resources: string[];
  /** "url verb" for each non-resource row. */
  urls: string[];
}

/** kubectl's table: Resources, Non-Resource URLs, Resource Names, Verbs (kubectl/pkg/cmd/auth/cani.go printAccess). */
function parseCanIList(out: string): Listed {
  const listed: Listed = { resources: [], urls: [] };
  const rows = out.split('\n').filter((l) => l.trim() !== '' && !/^Resources\s+Non-Resource URLs/.test(l));
  for (const row of rows) {
    // A non-resource row has an empty first column: the line starts with the padding.
    const m = /^(\S*)\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s*$/.exec(row);
    if (!m) throw new Error(`kubectl auth can-i --list: cannot read the row ${JSON.stringify(row)}`);
    const [, resource, urls = '', names = '', verbs = ''] = m;
    const split = (s: string): string[] => s.split(' ').filter((x) => x !== '');
    for (const verb of split(verbs)) {
      if (resource) listed.resources.push(`${resource}${names ? `[${names}]` : ''} ${verb}`);
      for (const url of split(urls)) listed.urls.push(`${url} ${verb}`);
    }
  }
  return listed;
}

const serviceAccount = (component: string): string => `system:serviceaccount:kzero-system:kzero-${component}`;
const entries = (g: Grants): string[] => Object.entries(g).flatMap(([r, verbs]) => verbs.map((v) => `${r} ${v}`));

async function canIList(component: string, namespace: string): Promise<Listed> {
  return parseCanIList(await kubectl(['auth', 'can-i', '--list', `--as=${serviceAccount(component)}`, '-n', namespace]));
}

describe('security: each component has exactly the permissions its code needs', function () {
  let tenant: { name: string; cleanup: () => Promise<void> };
  before(async () => (tenant = await testNamespace('e2e-rbac')));
  after(async () => tenant?.cleanup());

  for (const [component, allowed] of Object.entries(ALLOWED)) {
    for (const where of ['default', 'tenant', 'kzero-system'] as const) {
      it(`kzero-${component} in ${where === 'tenant' ? 'a tenant namespace' : where}: nothing beyond the allow-list, nothing of it missing`, async () => {
        const namespace = where === 'tenant' ? tenant.name : where;
        const listed = await canIList(component, namespace);
        const required = entries({ ...allowed.everywhere, ...(where === 'kzero-system' ? allowed.system : {}) });
        const optional = new Set(entries(DISCOVERY));
        expect(listed.resources.filter((r) => !required.includes(r) && !optional.has(r)), 'granted beyond the allow-list').to.deep.equal([]);
        expect(required.filter((r) => !listed.resources.includes(r)), 'in the allow-list but not granted').to.deep.equal([]);
        // Non-resource URLs (discovery, health): read only.
        expect(listed.urls.filter((u) => !u.endsWith(' get')), 'non-resource URLs beyond GET').to.deep.equal([]);
      });
    }
  }

  it('no component may get, list, watch, create, update, patch or delete a Secret, anywhere', async () => {
    const allowed: string[] = [];
    const namespaces = ['default', tenant.name, 'kzero-system', 'kube-system'];
    await Promise.all(Object.keys(ALLOWED).flatMap((component) => namespaces.flatMap((ns) =>
      ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].map(async (verb) => {
        // Exit 0 ("yes") when allowed, 1 ("no") when not.
        const r = await runKubectl(config, ['auth', 'can-i', verb, 'secrets', `--as=${serviceAccount(component)}`, '-n', ns]);
        if (r.code === 0) allowed.push(`kzero-${component} ${verb} secrets in ${ns}`);
        else if (r.stdout.trim() !== 'no') throw new Error(`kubectl auth can-i ${verb} secrets -n ${ns}: ${r.stdout} ${r.stderr}`);
      }))));
    expect(allowed.sort()).to.deep.equal([]);
  });
});
