import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Agent, request } from 'undici';
import { KzeroKeyFiles } from '../../local/pki/certs.js';
import { config, kubectl, testNamespace, waitForValue } from '../support/cluster.js';
import { ACTIVATOR } from '../support/activator.js';
import { getService, waitForReady } from '../support/serving.js';

// No request lost while a new revision rolls in, or while one of two activators goes away.

const hello = (ns: string, target: string): string => JSON.stringify({
  apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'roll', namespace: ns },
  spec: { template: { spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go', env: [{ name: 'TARGET', value: target }] }] } } },
});

const agent = new Agent({ connections: 64 });

async function get(base: string, host: string): Promise<{ status: number; body: string }> {
  const res = await request(`${base}/`, { headers: { host }, dispatcher: agent });
  return { status: res.statusCode, body: await res.body.text() };
}

/** Requests from `clients` loops until `stop()` resolves; every answer is kept. */
async function load(clients: number, send: () => Promise<{ status: number; body: string }>, until: Promise<unknown>): Promise<Array<{ status: number; body: string }>> {
  let done = false;
  void until.finally(() => (done = true));
  const answers: Array<{ status: number; body: string }> = [];
  await Promise.all(Array.from({ length: clients }, async () => {
    while (!done) answers.push(await send().catch((err: Error) => ({ status: 0, body: err.message })));
  }));
  return answers;
}

describe('data plane: no request lost', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => {
    ns = await testNamespace('e2e-roll');
    await kubectl(['apply', '-f', '-'], hello(ns.name, 'v1'));
    await waitForReady('Service roll', () => getService(ns.name, 'roll'));
  });
  after(async () => ns?.cleanup());

  it('while the image is updated and the new revision takes over', async () => {
    const host = `roll.${ns.name}.localhost`;
    const rollout = (async () => {
      await new Promise((r) => setTimeout(r, 1000));
      await kubectl(['apply', '-f', '-'], hello(ns.name, 'v2'));
      await waitForValue('traffic on roll-00002', async () => {
        const s = await getService(ns.name, 'roll');
        return s.status?.traffic?.[0]?.revisionName === 'roll-00002' ? true : undefined;
      }, 90_000, 200);
      await new Promise((r) => setTimeout(r, 2000));
    })();
    const answers = await load(4, () => get(ACTIVATOR, host), rollout);
    await rollout;
    const bad = answers.filter((a) => a.status !== 200);
    expect(bad, JSON.stringify(bad.slice(0, 3))).to.deep.equal([]);
    expect(answers.some((a) => a.body === 'Hello v1!\n')).to.equal(true);
    expect(answers.some((a) => a.body === 'Hello v2!\n')).to.equal(true);
  });

  it('while one of two activators is stopped (in-flight requests drain; a client retries a failed connect or reset GET on the other)', async () => {
    const host = `roll.${ns.name}.localhost`;
    const main = fileURLToPath(new URL('../../activator/main.js', import.meta.url));
    const second = spawn(process.execPath, [main, `--kubeconfig=${join(config.dirs.pki, 'activator.kubeconfig')}`, `--token-file=${join(config.dirs.pki, KzeroKeyFiles.autoscalerToken)}`,
      '--listen=127.0.0.1:18081', '--listen-cluster-local=127.0.0.1:18082', '--admin-addr=127.0.0.1:19091'], { stdio: 'ignore' });
    const base2 = 'http://127.0.0.1:18081';
    await waitForValue('the second activator serving', async () => ((await get(base2, host).catch(() => undefined))?.status === 200 ? true : undefined), 30_000, 100);
    let turn = 0;
    // A load balancer in front of both: round robin, and a refused connection goes to the other replica.
    const send = async (): Promise<{ status: number; body: string }> => {
      const [first, other] = turn++ % 2 ? [base2, ACTIVATOR] : [ACTIVATOR, base2];
      try {
        return await get(first, host);
      } catch (err) {
        // A failed connect, or a reset before any response on a kept-alive connection (the race every HTTP/1.1
        // client meets when a server closes an idle connection; RFC 9112 9.3.1 lets it retry an idempotent
        // GET), goes once to the other replica. Anything else counts as an error.
        const code = (err as { code?: string }).code;
        if (code !== 'ECONNREFUSED' && code !== 'ECONNRESET' && !/^connect /.test((err as Error).message)) throw err;
        return get(other, host);
      }
    };
    const stop = (async () => {
      await new Promise((r) => setTimeout(r, 2000));
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
      await new Promise((r) => setTimeout(r, 1000));
    })();
    const answers = await load(4, send, stop);
    const bad = answers.filter((a) => a.status !== 200);
    expect(bad, JSON.stringify(bad.slice(0, 3))).to.deep.equal([]);
    expect(answers.length).to.be.greaterThan(20);
  });
});
