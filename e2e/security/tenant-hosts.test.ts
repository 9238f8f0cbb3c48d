import { expect } from 'chai';
import { findCondition } from '../../api/conditions.js';
import type { Route } from '../../api/serving/v1/types.js';
import { statusCodeOf } from '../../lib/kube/client.js';
import { viaActivator } from '../support/activator.js';
import { kubectl as runKubectl } from '../../local/kubectl.js';
import { config, kubectl, testNamespace, waitForValue } from '../support/cluster.js';
import { getService, helloService, serving, waitForReady } from '../support/serving.js';
import { namespaceEditor, type Tenant } from '../support/tenant.js';

// Hosts belong to kzero, not to tenants (issue 12): a namespace editor can neither take nor blackhole
// another namespace's host, and within a namespace a host has one deterministic winner.

type Ns = { name: string; cleanup: () => Promise<void> };


/** What `host` answers through the activator: the helloworld greeting, or the status and body. */
async function answer(host: string): Promise<string> {
  const res = await viaActivator(host);
  return res.status === 200 ? res.body.trim() : `${res.status} ${res.body.trim()}`;
}

/** Waits until `host` answers `want` (a cold start on the first request is fine). */
const answers = (host: string, want: string, timeoutMs = 60_000): Promise<string> =>
  waitForValue(`${host} answering "${want}"`, async () => ((await answer(host)) === want ? want : undefined), timeoutMs, 250);

/** The API status code of a refused call, or 0 if it went through. */
async function refusal(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 0;
  } catch (err) {
    return statusCodeOf(err) ?? -1;
  }
}

describe('security: a namespace editor cannot take or blackhole another namespace\'s host', function () {
  let a: Ns;
  let b: Ns;
  let tenant: Tenant;
  let victimHost: string;

  before(async () => {
    [a, b] = await Promise.all([testNamespace('e2e-tenant-a'), testNamespace('e2e-tenant-b')]);
    victimHost = `hello.${b.name}.localhost`;
    await kubectl(['apply', '-f', '-'], helloService(b.name, 'hello', 'from B'));
    tenant = await namespaceEditor(a.name);
    // The tenant's own Service, created with its own token: `edit` may manage Knative Services.
    await kubectl(['apply', '--as', tenant.user, '-f', '-'], helloService(a.name, 'hello', 'from A'));
    await Promise.all([waitForReady('Service B/hello', () => getService(b.name, 'hello')), waitForReady('Service A/hello', () => getService(a.name, 'hello'))]);
    await Promise.all([answers(victimHost, 'Hello from B!'), answers(`hello.${a.name}.localhost`, 'Hello from A!')]);
  });
  after(async () => {
    await tenant?.close();
    await Promise.all([a?.cleanup(), b?.cleanup()]);
  });

  it('is refused (403) a write of its own Route\'s status, and a spec write cannot carry status', async () => {
    const forged = { status: { url: `http://${victimHost}` } };
    expect(await refusal(() => tenant.routes.patch(a.name, 'hello', forged, 'merge', 'status')), 'PATCH routes/status').to.equal(403);
    const route = await tenant.routes.get(a.name, 'hello');
    expect(await refusal(() => tenant.routes.updateStatus({ ...route, status: { ...route.status, url: `http://${victimHost}` } })), 'PUT routes/status').to.equal(403);
    expect(await refusal(() => tenant.services.patch(a.name, 'hello', forged, 'merge', 'status')), 'PATCH services/status').to.equal(403);
    // The status subresource: the API server drops status from a write of the object itself.
    await tenant.routes.patch(a.name, 'hello', { metadata: { labels: { probe: 'x' } }, ...forged }, 'merge');
    expect((await serving.route.get(a.name, 'hello')).status?.url).to.equal(`http://hello.${a.name}.localhost`);
    const canI = async (...what: string[]): Promise<string> =>
      (await runKubectl(config, ['auth', 'can-i', ...what, '--as', tenant.user, '-n', a.name])).stdout.trim();
    expect(await canI('patch', 'routes.serving.knative.dev', '--subresource=status'), 'can-i patch routes/status').to.equal('no');
    expect(await canI('update', 'services.serving.knative.dev', '--subresource=status'), 'can-i update services/status').to.equal('no');
    expect(await canI('patch', 'routes.serving.knative.dev'), 'can-i patch routes').to.equal('yes');
  });

  it('no Route or Service it can create gets the other namespace\'s host', async () => {
    // Names and tags that try to spell `hello.<B>`: the webhook refuses the ones that are not DNS labels, and
    // the host helper would give them no host anyway. Whatever was accepted must route only inside A.
    const attempts: Array<{ what: string; manifest: string }> = [
      { what: `Route "hello.${b.name}"`, manifest: routeTo(a.name, `hello.${b.name}`) },
      { what: `Route "spoof" tagged "hello.${b.name}"`, manifest: routeTo(a.name, 'spoof', `hello.${b.name}`) },
      { what: `Route "${b.name}" tagged "hello"`, manifest: routeTo(a.name, b.name, 'hello') },
      { what: 'Service "x" tagged "hello"', manifest: helloService(a.name, 'x', 'from A', { spec: '  traffic:\n    - latestRevision: true\n      percent: 100\n    - latestRevision: true\n      percent: 0\n      tag: hello\n' }) },
    ];
    const accepted: string[] = [];
    for (const t of attempts) {
      const refused = await kubectl(['apply', '--as', tenant.user, '-f', '-'], t.manifest).then(() => false, () => true);
      if (!refused) accepted.push(t.what);
    }
    expect(accepted, 'accepted by the API server').to.deep.equal([`Route "${b.name}" tagged "hello"`, 'Service "x" tagged "hello"']);
    // Once the accepted ones are served (their own hosts, in A, answer), B's host still answers from B.
    await answers(`hello-${b.name}.${a.name}.localhost`, 'Hello from A!');
    await answers(`hello-x.${a.name}.localhost`, 'Hello from A!');
    expect(await answer(victimHost)).to.equal('Hello from B!');
  });

  it('a status URL naming B\'s host, written by a cluster admin, routes nothing; B still answers after A is deleted', async () => {
    // The reproduced attack, now with rights no tenant has: A's Route status names B's host.
    const forged = `http://${victimHost}`;
    const route = await serving.route.get(a.name, 'hello');
    await serving.route.patch(a.name, 'hello', {
      status: { url: forged, traffic: (route.status?.traffic ?? []).map((t) => ({ ...t, tag: 'x', url: forged })) },
    }, 'merge', 'status');
    // The controller puts A's own URL back; meanwhile, and after, B's host is B's.
    const seen = new Set<string>();
    await waitForValue('the controller restoring A\'s status', async () => {
      seen.add(await answer(victimHost));
      const r: Route = await serving.route.get(a.name, 'hello');
      return r.status?.url === `http://hello.${a.name}.localhost` && !r.status.traffic?.some((t) => t.url === forged) ? true : undefined;
    }, 30_000, 100);
    seen.add(await answer(victimHost));
    expect([...seen], `what ${victimHost} answered meanwhile`).to.deep.equal(['Hello from B!']);

    await kubectl(['delete', 'namespace', a.name, '--wait=true', '--timeout=120s']);
    expect(await answer(victimHost)).to.equal('Hello from B!');
    expect(await answer(`hello.${a.name}.localhost`)).to.match(/^404 /);
  });
});

describe('security: within a namespace, a host has one winner and the loser is told', function () {
  let ns: Ns;
  before(async () => (ns = await testNamespace('e2e-hosts')));
  after(async () => ns?.cleanup());

  const tagA = '  traffic:\n    - latestRevision: true\n      percent: 100\n    - latestRevision: true\n      percent: 0\n      tag: a\n';
  const ingressReady = (r: Route | undefined) => findCondition(r?.status, 'IngressReady');

  it('Service "a-b" owns a-b.<ns>; Route "b"\'s tag "a" loses it, is reported, and takes over when a-b goes', async () => {
    const host = `a-b.${ns.name}.localhost`;
    await kubectl(['apply', '-f', '-'], helloService(ns.name, 'a-b', 'a-b'));
    await waitForReady('Service a-b', () => getService(ns.name, 'a-b'));
    await kubectl(['apply', '-f', '-'], helloService(ns.name, 'b', 'b', { spec: tagA }));

    const lost = await waitForValue('Route b reporting the conflict', async () => {
      const r = await serving.route.get(ns.name, 'b');
      return r.status?.observedGeneration === r.metadata.generation && ingressReady(r)?.reason === 'DomainConflict' ? r : undefined;
    }, 90_000, 200);
    expect(ingressReady(lost)).to.deep.include({ status: 'False', message: `Host "${host}" of tag "a" is already served by Route "a-b".` });
    expect(lost.status?.traffic?.find((t) => t.tag === 'a')).to.not.have.property('url');
    expect(findCondition((await getService(ns.name, 'b')).status, 'Ready')?.status).to.equal('False');
    await answers(`b.${ns.name}.localhost`, 'Hello b!');
    expect(await answer(host)).to.equal('Hello a-b!');

    await kubectl(['delete', 'ksvc', 'a-b', '-n', ns.name]);
    // The activator serves the next claimant the moment the winner's Route is gone ...
    await answers(host, 'Hello b!', 20_000);
    // ... and the loser's status clears at its next look (it re-checks while in conflict).
    const won = await waitForValue('Route b publishing its tag URL', async () => {
      const r = await serving.route.get(ns.name, 'b');
      return ingressReady(r)?.status === 'True' ? r : undefined;
    }, 90_000, 500);
    expect(won.status?.traffic?.find((t) => t.tag === 'a')?.url).to.equal(`http://${host}`);
    await waitForReady('Service b', () => getService(ns.name, 'b'));
  });
});

/** A Route sending all traffic to A's hello-00001, optionally with a tag. */
function routeTo(ns: string, name: string, tag?: string): string {
  return `
apiVersion: serving.knative.dev/v1
kind: Route
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  traffic:
    - revisionName: hello-00001
      percent: 100
${tag ? `    - revisionName: hello-00001\n      percent: 0\n      tag: ${tag}\n` : ''}`;
}
