// The runtime as a process: node dist/runtime/main.js with env, real sockets on 127.0.0.1.
import { expect } from 'chai';
import { SigningKey } from '../lib/specialize-signature.js';
import { packTarGz } from './package/pack.js';
import { runtimeUrls, spawnRuntime, startPackageServer, type PackageServer, type RuntimeProcess } from './testing/harness.js';

/** The autoscaler's key; runtimes get only its public half. */
const SIGNER = SigningKey.generate();
const POOL = { namespace: 'team', name: 'default', uid: 'pool-uid-1' };
const POD = 'default-podpool-00001';
/** The env a pool template gives a warm runtime (controller/reconciler/podpool/resources.ts). */
const WARM_ENV = { KZERO_POOL: POOL.name, KZERO_POOL_UID: POOL.uid, KZERO_POD_NAMESPACE: POOL.namespace, KZERO_POD_NAME: POD, KZERO_POOL_PUBLIC_KEYS: SIGNER.publicKey };
// /environ: what the tenant's code can read of its process's environment, as the kernel keeps it.
const APP = `
module.exports = async (req, res) => {
  if (req.url === '/throw') throw new Error('boom');
  res.setHeader('content-type', 'application/json');
  if (req.url === '/environ') return res.end(JSON.stringify(require('fs').readFileSync('/proc/self/environ', 'utf8').split('\\0').filter(Boolean)));
  res.end(JSON.stringify({ revision: process.env.K_REVISION, port: process.env.PORT, url: req.url }));
};`;

const packages = {
  'hello.tgz': packTarGz({ 'index.js': APP }),
  'esm.tgz': packTarGz({ 'package.json': '{"type":"module","main":"server.js"}', 'server.js': 'export const handler = (req, res) => res.end("esm " + process.env.GREETING);' }),
  'nohandler.tgz': packTarGz({ 'index.js': 'module.exports = { answer: 42 };' }),
};

/** POST /specialize signed as the autoscaler signs it, for pod `pod` (null: unsigned). */
function specialize(admin: string, body: unknown, { key = SIGNER, pod = POD, headers = {} }: { key?: SigningKey | null; pod?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const claim = (body as { claim?: string }).claim ?? '';
  const signature = key === null ? {} : key.sign({ pool: POOL, pod, claim, body: raw }, Date.now());
  return fetch(`${admin}/specialize`, { method: 'POST', headers: { 'content-type': 'application/json', ...signature, ...headers }, body: raw });
}

describe('runtime process', function () {
  this.timeout(10_000);
  let pkgs: PackageServer;
  const running: RuntimeProcess[] = [];
  const start = (env: Record<string, string>): RuntimeProcess => {
    const rt = spawnRuntime(env);
    running.push(rt);
    return rt;
  };
  const warm = (env: Record<string, string> = {}): RuntimeProcess =>
    start({ ...WARM_ENV, KZERO_LOG_LEVEL: 'debug', ...env });
  const body = (name: string, revision = 'default/hello-00001', env: Record<string, string> = { K_REVISION: 'hello-00001' }) => ({
    revision,
    code: { url: pkgs.url(name), sha256: pkgs.sha256(name) },
    env,
  });

  before(async () => {
    pkgs = await startPackageServer(packages);
  });
  after(async () => {
    await Promise.all(running.map((rt) => rt.stop()));
    await pkgs.close();
  });

  describe('warm mode', () => {
    let rt: RuntimeProcess;
    let admin: string;
    let serving: string;
    before(async () => {
      rt = warm();
      ({ admin, serving } = await runtimeUrls(rt));
    });

    it('is live at once, and Ready (healthz 200) once warmed up, while waiting', async () => {
      expect((await fetch(`${admin}/livez`)).status).to.equal(200);
      let res = await fetch(`${admin}/healthz`);
      const seen = [res.status];
      for (let i = 0; i < 100 && res.status !== 200; i++) {
        expect(await res.text()).to.equal('warming up\n');
        await new Promise((r) => setTimeout(r, 20));
        res = await fetch(`${admin}/healthz`);
        seen.push(res.status);
      }
      expect(res.status, `statuses seen: ${seen.join(' ')}`).to.equal(200);
      expect(await res.text()).to.equal('ok\n');
    });

    it('refuses /specialize unsigned, signed by another key, or signed for another pod (401 with the reason)', async () => {
      const cases: Array<[string, Parameters<typeof specialize>[2], RegExp]> = [
        ['unsigned', { key: null }, /^not signed: want one each of the headers kzero-key-id, kzero-expires, kzero-signature$/],
        ['another key', { key: SigningKey.generate() }, /^signed by key "[0-9a-f]{16}", not one of this runtime's \([0-9a-f]{16}\)$/],
        ['another pod', { pod: 'default-podpool-00002' }, /^signature does not match this request \(pod default-podpool-00001 of pool team\/default, uid pool-uid-1/],
      ];
      for (const [what, opts, want] of cases) {
        const res = await specialize(admin, body('hello.tgz'), opts);
        expect(res.status, what).to.equal(401);
        expect(res.headers.get('www-authenticate'), what).to.equal('KzeroSignature');
        expect(((await res.json()) as { error: string }).error, what).to.match(want);
      }
      // Unsigned, even a body that is not JSON gets 401, not a parse error.
      expect((await specialize(admin, '{', { key: null })).status).to.equal(401);
    });

    it('answers 400 naming the bad field, 413 for a big body, 405 and 404 elsewhere', async () => {
      const notJson = await specialize(admin, '{');
      expect(notJson.status).to.equal(400);
      expect((await notJson.json()).error).to.match(/^body is not valid JSON/);
      const badSha = await specialize(admin, { ...body('hello.tgz'), code: { url: pkgs.url('hello.tgz'), sha256: 'x' } });
      expect(badSha.status).to.equal(400);
      expect((await badSha.json()).error).to.match(/field "code.sha256": must be 64 hex digits/);
      const big = await specialize(admin, { ...body('hello.tgz'), env: { BIG: 'x'.repeat(70_000) } });
      expect(big.status).to.equal(413);
      expect((await fetch(`${admin}/specialize`)).status).to.equal(405);
      expect((await fetch(`${admin}/nope`)).status).to.equal(404);
    });

    it('holds a request until specialization, then serves it; 200 with timings; env from the body', async () => {
      const held = fetch(`${serving}/early`).then(async (r) => ({ status: r.status, body: await r.json() }));
      await rt.waitForLog((l) => l.msg === 'holding request until specialized' && l.url === '/early');
      const res = await specialize(admin, body('hello.tgz'));
      expect(res.status).to.equal(200);
      const timings = (await res.json()) as Record<string, unknown>;
      expect(timings).to.have.all.keys('revision', 'fetchMs', 'extractMs', 'loadMs', 'totalMs');
      expect(timings.revision).to.equal('default/hello-00001');
      console.log(`      specialize timings (small package): ${JSON.stringify(timings)}`);
      const port = serving.split(':').pop();
      expect(await held).to.deep.equal({ status: 200, body: { revision: 'hello-00001', port, url: '/early' } });
      const later = await fetch(`${serving}/later`);
      expect(((await later.json()) as { url: string }).url).to.equal('/later');
    });

    it('is idempotent for the same revision and answers 409 for another', async () => {
      const again = await specialize(admin, body('hello.tgz'));
      expect(again.status).to.equal(200);
      expect(((await again.json()) as { revision: string }).revision).to.equal('default/hello-00001');
      const other = await specialize(admin, body('esm.tgz', 'default/other-00001'));
      expect(other.status).to.equal(409);
      expect((await other.json()).error).to.match(/already specialized for default\/hello-00001, cannot specialize for default\/other-00001/);
    });

    it('answers 500 when the app throws and keeps serving', async () => {
      const res = await fetch(`${serving}/throw`);
      expect(res.status).to.equal(500);
      await rt.waitForLog((l) => l.msg === 'app handler failed' && l.error === 'boom');
      expect((await fetch(`${serving}/ok`)).status).to.equal(200);
      expect((await fetch(`${admin}/healthz`)).status).to.equal(200);
    });
  });

  it('warm mode: serves an ESM package with a named handler', async () => {
    const { admin, serving } = await runtimeUrls(warm());
    expect((await specialize(admin, body('esm.tgz', 'ns/esm-00001', { GREETING: 'hi', PORT: '1' }))).status).to.equal(200);
    expect(await (await fetch(serving)).text()).to.equal('esm hi');
  });

  it('warm mode: a reservation (Prefer: respond-async) answers 202 at once and loads in the background; another revision gets 409', async () => {
    const rt = warm();
    const { admin, serving } = await runtimeUrls(rt);
    const reserve = { prefer: 'respond-async' };
    const res = await specialize(admin, body('hello.tgz'), { headers: reserve });
    expect([res.status, await res.json()]).to.deep.equal([202, { revision: 'default/hello-00001' }]);
    const other = await specialize(admin, body('esm.tgz', 'default/other-00001'), { headers: reserve });
    expect(other.status).to.equal(409);
    expect(((await (await fetch(`${serving}/x`)).json()) as { revision: string }).revision).to.equal('hello-00001');
    expect((await specialize(admin, body('hello.tgz'))).status).to.equal(200);
  });

  it('warm mode: a held request times out with 503 "not specialized"', async () => {
    const { serving } = await runtimeUrls(warm({ KZERO_HOLD_SECONDS: '0.2' }));
    const res = await fetch(serving);
    expect(res.status).to.equal(503);
    expect(await res.text()).to.equal('not specialized\n');
  });

  it('warm mode: a bad package answers 422, then healthz and the serving port answer 503 with the reason', async () => {
    const { admin, serving } = await runtimeUrls(warm());
    const wrongSha = { ...body('hello.tgz'), code: { url: pkgs.url('hello.tgz'), sha256: 'f'.repeat(64) } };
    const res = await specialize(admin, wrongSha);
    expect(res.status).to.equal(422);
    const reason = `code package sha256 mismatch: want ${'f'.repeat(64)}, got ${pkgs.sha256('hello.tgz')}`;
    expect(await res.json()).to.deep.equal({ error: reason });
    for (const url of [`${admin}/healthz`, `${serving}/x`]) {
      const r = await fetch(url);
      expect(r.status, url).to.equal(503);
      expect(await r.text()).to.equal(`${reason}\n`);
    }
    expect((await specialize(admin, body('hello.tgz'))).status, 'the same revision again: its failure').to.equal(422);
    expect((await specialize(admin, body('hello.tgz', 'default/other-00001'))).status, 'another revision').to.equal(409);
  });

  it('warm mode: an entry without a function export answers 422', async () => {
    const { admin } = await runtimeUrls(warm());
    const res = await specialize(admin, body('nohandler.tgz'));
    expect(res.status).to.equal(422);
    expect((await res.json()).error).to.match(/entry point index.js does not export a function/);
  });

  it('warm mode: a fetch failure answers 502', async () => {
    const { admin } = await runtimeUrls(warm());
    const res = await specialize(admin, { ...body('hello.tgz'), code: { url: pkgs.url('missing.tgz'), sha256: 'a'.repeat(64) } });
    expect(res.status).to.equal(502);
    expect((await res.json()).error).to.match(/fetching code package http:\/\/127.0.0.1:\d+\/missing.tgz: HTTP 404/);
  });

  it('warm mode: refuses to start without its public keys', async () => {
    const { KZERO_POOL_PUBLIC_KEYS: _keys, ...env } = WARM_ENV;
    const { code, stderr } = await start(env).exit;
    expect(code).to.equal(1);
    expect(stderr).to.equal('kzero runtime: KZERO_POOL_PUBLIC_KEYS must be set (non-empty) in warm mode (KZERO_POOL is set)\n');
  });

  it('warm mode: what the tenant code reads of its process env specializes no other pod; a request signed for it is refused by another', async () => {
    const a = await runtimeUrls(warm());
    const reserved = { ...body('hello.tgz'), claim: 'c-1' };
    const raw = JSON.stringify(reserved);
    const signature = SIGNER.sign({ pool: POOL, pod: POD, claim: 'c-1', body: raw }, Date.now());
    const send = (admin: string): Promise<Response> => fetch(`${admin}/specialize`, { method: 'POST', headers: { 'content-type': 'application/json', ...signature }, body: raw });
    expect((await send(a.admin)).status).to.equal(200);
    // The environ the app can read: only public values, nothing named or shaped like a credential.
    const environ = (await (await fetch(`${a.serving}/environ`)).json()) as string[];
    const kzero = environ.filter((e) => e.startsWith('KZERO_')).map((e) => e.split('=')[0]).sort();
    expect(kzero).to.deep.equal(['KZERO_ADMIN_PORT', 'KZERO_LOG_LEVEL', 'KZERO_POD_NAME', 'KZERO_POD_NAMESPACE', 'KZERO_POOL', 'KZERO_POOL_PUBLIC_KEYS', 'KZERO_POOL_UID']);
    expect(environ).to.include(`KZERO_POOL_PUBLIC_KEYS=${SIGNER.publicKey}`);
    // The same signed request, replayed on another warm pod of the same pool: refused.
    const b = await runtimeUrls(warm({ KZERO_POD_NAME: 'default-podpool-00002' }));
    const replayed = await send(b.admin);
    expect(replayed.status).to.equal(401);
    expect(((await replayed.json()) as { error: string }).error).to.match(/^signature does not match this request \(pod default-podpool-00002/);
    // b was not taken: a request signed for it is.
    expect((await specialize(b.admin, body('esm.tgz', 'default/other-00001'), { pod: 'default-podpool-00002' })).status, 'b takes its own claim').to.equal(200);
  });

  it('fallback mode: loads the package from env at start and serves it; no /specialize', async () => {
    const rt = start({ KZERO_CODE_URL: pkgs.url('hello.tgz'), KZERO_CODE_SHA256: pkgs.sha256('hello.tgz').toUpperCase(), K_REVISION: 'hello-00002' });
    const { admin, serving } = await runtimeUrls(rt);
    expect(((await (await fetch(serving)).json()) as { revision: string }).revision).to.equal('hello-00002');
    expect((await fetch(`${admin}/healthz`)).status).to.equal(200);
    expect((await specialize(admin, body('hello.tgz'))).status).to.equal(404);
  });

  it('fallback mode: exits 1 with one clear line on a sha256 mismatch', async () => {
    const { code, stderr } = await start({ KZERO_CODE_URL: pkgs.url('hello.tgz'), KZERO_CODE_SHA256: '0'.repeat(64) }).exit;
    expect(code).to.equal(1);
    expect(stderr).to.equal(`kzero runtime: code package sha256 mismatch: want ${'0'.repeat(64)}, got ${pkgs.sha256('hello.tgz')}\n`);
  });

  it('fallback mode: exits 1 when the code env is missing', async () => {
    const { code, stderr } = await start({}).exit;
    expect(code).to.equal(1);
    expect(stderr).to.equal('kzero runtime: KZERO_CODE_URL must be set in fallback mode (KZERO_POOL is not set)\n');
  });
});
