import { expect } from 'chai';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_DEFAULTS_CONFIG } from '../../api/serving/v1/defaults.js';
import { silentLogger } from '../../testing/cluster.js';
import type { AdmissionDeps } from './admission.js';
import { MAX_BODY, admissionHandler } from './server.js';

const deps: AdmissionDeps = {
  defaults: () => DEFAULT_DEFAULTS_CONFIG,
  validation: () => ({ allowZeroInitialScale: false, maxRevisionTimeoutSeconds: 600 }),
  revisionExists: () => false,
  namespaceShard: () => undefined,
  shardCount: () => 1,
};

/** POSTs `body` to the handler over real HTTP (TLS is the https server's, not the handler's). */
async function post(server: Server, path: string, body: string | Buffer): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('webhook server', () => {
  let server: Server;
  before(async () => {
    server = createServer(admissionHandler({ log: silentLogger(), deps }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const review = (object: unknown): string => JSON.stringify({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: { uid: 'u1', kind: { group: 'serving.knative.dev', version: 'v1', kind: 'Service' }, operation: 'CREATE', namespace: 'default', object },
  });

  it('answers an AdmissionReview with the request uid: a bad Service is denied with the field named', async () => {
    const bad = { metadata: { name: 'hello', namespace: 'default' }, spec: { template: { spec: { containers: [] } } } };
    const res = await post(server, '/validate', review(bad));
    expect(res.status).to.equal(200);
    const answer = JSON.parse(res.body) as { kind: string; response: { uid: string; allowed: boolean; status?: { message: string } } };
    expect(answer.kind).to.equal('AdmissionReview');
    expect(answer.response.uid).to.equal('u1');
    expect(answer.response.allowed).to.equal(false);
    expect(answer.response.status?.message).to.contain('spec.template.spec.containers');
  });

  it('/validate-pods: the autoscaler\'s delete of a pod kzero does not manage is denied; another user\'s passes', async () => {
    const podReview = (username: string): string => JSON.stringify({
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: 'u2', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'DELETE', namespace: 'kube-system', name: 'coredns-1', userInfo: { username },
        oldObject: { metadata: { name: 'coredns-1', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } },
      },
    });
    const answer = async (username: string): Promise<{ uid: string; allowed: boolean; status?: { code: number } }> =>
      (JSON.parse((await post(server, '/validate-pods', podReview(username))).body) as { response: { uid: string; allowed: boolean; status?: { code: number } } }).response;
    expect(await answer('system:serviceaccount:kzero-system:kzero-autoscaler')).to.deep.include({ uid: 'u2', allowed: false });
    expect(await answer('system:serviceaccount:kube-system:namespace-controller')).to.deep.equal({ uid: 'u2', allowed: true });
  });

  it('a body that is not JSON: 400', async () => {
    expect((await post(server, '/default', '{nope')).status).to.equal(400);
  });

  it('a body over the API server\'s own limit: 413', async () => {
    expect((await post(server, '/validate', Buffer.alloc(MAX_BODY + 1, 0x20))).status).to.equal(413);
  });

  it('another path: 404', async () => {
    expect((await post(server, '/mutate', review({}))).status).to.equal(404);
  });
});
