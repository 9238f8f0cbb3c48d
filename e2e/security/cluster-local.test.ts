import { expect } from 'chai';
import { ServingLabels, VISIBILITY_CLUSTER_LOCAL } from '../../api/serving/labels.js';
import { ACTIVATOR, ACTIVATOR_LOCAL, viaActivator } from '../support/activator.js';
import { kubectl, testNamespace, waitForValue } from '../support/cluster.js';
import { getService, helloService, waitForReady } from '../support/serving.js';

// Cluster-local Routes are not reachable from the internet (issue 12): the activator's public listener
// serves only the hosts Routes publish outside the cluster, and answers any other host, cluster-local or
// unknown, with the same 404; its cluster-local listener (behind a ClusterIP Service only) serves them all.


/** What `host` answers on `listener`: the greeting, or the status, error code and body with the host as `{host}`. */
async function answer(listener: string, host: string): Promise<string> {
  const res = await viaActivator(host, '/', listener);
  return res.status === 200 ? res.body.trim() : `${res.status} ${String(res.headers['x-kzero-error'])} ${res.body.trim().replaceAll(host, '{host}')}`;
}

const clusterNames = (name: string, ns: string): string[] => [`${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];

describe('security: cluster-local Routes answer only on the cluster-local listener', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  /** What an unknown host gets on the public listener. */
  let unknown: string;

  before(async () => {
    ns = await testNamespace('e2e-visibility');
    await kubectl(['apply', '-f', '-'], helloService(ns.name, 'private', 'private', { metadata: `  labels: { ${ServingLabels.visibility}: ${VISIBILITY_CLUSTER_LOCAL} }` }));
    await kubectl(['apply', '-f', '-'], helloService(ns.name, 'public', 'public'));
    const [priv, pub] = await Promise.all([waitForReady('Service private', () => getService(ns.name, 'private')), waitForReady('Service public', () => getService(ns.name, 'public'))]);
    expect([priv.status?.url, pub.status?.url]).to.deep.equal([`http://private.${ns.name}.svc.cluster.local`, `http://public.${ns.name}.localhost`]);
    // Warm both (a cold start on the first request) through the listener that serves them.
    await Promise.all([
      waitForValue('private answering', async () => ((await answer(ACTIVATOR_LOCAL, `private.${ns.name}.svc.cluster.local`)) === 'Hello private!' || undefined), 60_000, 250),
      waitForValue('public answering', async () => ((await answer(ACTIVATOR, `public.${ns.name}.localhost`)) === 'Hello public!' || undefined), 60_000, 250),
    ]);
    unknown = await answer(ACTIVATOR, `nobody.${ns.name}.localhost`);
    expect(unknown).to.equal('404 KZERO_NO_ROUTE no Route serves host "{host}"');
  });
  after(async () => ns?.cleanup());

  it('a cluster-local Service answers on the cluster-local listener by each of its three names', async () => {
    for (const host of clusterNames('private', ns.name)) expect(await answer(ACTIVATOR_LOCAL, host), host).to.equal('Hello private!');
  });

  it('a cluster-local Service gets, on the public listener, the 404 of an unknown host for each of its names', async () => {
    for (const host of clusterNames('private', ns.name)) expect(await answer(ACTIVATOR, host), host).to.equal(unknown);
  });

  it('a public Service answers on both listeners by its URL, and its cluster-local names only inside the cluster', async () => {
    const url = `public.${ns.name}.localhost`;
    expect([await answer(ACTIVATOR, url), await answer(ACTIVATOR_LOCAL, url)]).to.deep.equal(['Hello public!', 'Hello public!']);
    for (const host of clusterNames('public', ns.name)) {
      expect(await answer(ACTIVATOR_LOCAL, host), host).to.equal('Hello public!');
      expect(await answer(ACTIVATOR, host), host).to.equal(unknown);
    }
  });
});
