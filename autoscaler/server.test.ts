// The autoscaler's internal endpoints, on a real server: what activators post to it.
import { expect } from 'chai';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PokeAnswer, RevisionStat } from '../api/kzero/v1alpha1/autoscaler-wire.js';
import { autoscalerServer, type AutoscalerApi } from './server.js';
import { createLogger } from '../lib/log.js';

const TOKEN = 's3cret-token';
/** The token being rotated out: still accepted while it is listed. */
const OLD_TOKEN = 'old-s3cret';

class RecordingApi implements AutoscalerApi {
  readonly statsCalls: RevisionStat[][] = [];
  readonly pokes: Array<[string, string]> = [];
  pokeError: Error | undefined;

  stats(stats: RevisionStat[]): void {
    this.statsCalls.push(stats);
  }

  async poke(namespace: string, revision: string): Promise<PokeAnswer> {
    this.pokes.push([namespace, revision]);
    if (this.pokeError) throw this.pokeError;
    return { pods: [{ name: 'hello-00001-warm-abcde', ip: '10.244.0.9' }] };
  }
}

describe('autoscaler/server (real server on 127.0.0.1:0)', () => {
  let server: Server;
  let api: RecordingApi;
  let base: string;
  const warnings: string[] = [];
  const log = createLogger('test', { write: (line) => void warnings.push(line) });

  beforeEach(async () => {
    api = new RecordingApi();
    warnings.length = 0;
    server = autoscalerServer(api, [TOKEN, OLD_TOKEN], log);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** One request; `auth` null sends no Authorization header. */
  async function call(method: string, path: string, body?: string, auth: string | null = `Bearer ${TOKEN}`): Promise<{ status: number; body: string }> {
    const res = await fetch(base + path, { method, ...(body !== undefined ? { body } : {}), headers: { 'content-type': 'application/json', ...(auth !== null ? { authorization: auth } : {}) } });
    return { status: res.status, body: await res.text() };
  }

  const stat: RevisionStat = { namespace: 'default', revision: 'hello-00001', concurrency: 2.5, requests: 7 };

  describe('authentication', () => {
    const cases: Array<{ name: string; auth: string | null }> = [
      { name: 'no Authorization header', auth: null },
      { name: 'a wrong token of the same length', auth: `Bearer ${'x'.repeat(TOKEN.length)}` },
      { name: 'a wrong token of another length', auth: 'Bearer nope' },
      { name: 'the token with a longer suffix', auth: `Bearer ${TOKEN}x` },
      { name: 'the token without the Bearer scheme', auth: TOKEN },
      { name: 'the token with another scheme', auth: `Basic ${TOKEN}` },
      { name: 'lower-case scheme', auth: `bearer ${TOKEN}` },
      { name: 'an empty bearer token', auth: 'Bearer ' },
    ];
    for (const c of cases) {
      for (const path of ['/stats', '/poke']) {
        it(`401 on ${path} with ${c.name}`, async () => {
          const body = path === '/stats' ? JSON.stringify({ stats: [stat] }) : JSON.stringify({ namespace: 'default', revision: 'hello-00001' });
          expect(await call('POST', path, body, c.auth)).to.deep.equal({ status: 401, body: 'unauthorized\n' });
          expect([api.statsCalls, api.pokes]).to.deep.equal([[], []]);
        });
      }
    }

    it('takes every token of its list: the one being rotated in and the one being rotated out', async () => {
      for (const token of [TOKEN, OLD_TOKEN]) {
        expect((await call('POST', '/stats', JSON.stringify({ stats: [stat] }), `Bearer ${token}`)).status, token).to.equal(204);
      }
      expect(api.statsCalls).to.have.length(2);
    });
  });

  describe('POST /stats', () => {
    it('204 and hands the stats to the api as sent', async () => {
      const stats = [stat, { namespace: 'team', revision: 'x-00002', concurrency: 0, requests: 1 }];
      expect(await call('POST', '/stats', JSON.stringify({ stats }))).to.deep.equal({ status: 204, body: '' });
      expect(api.statsCalls).to.deep.equal([stats]);
    });

    it('413 for a body over 1 MiB, and the stats are not taken', async () => {
      const big = JSON.stringify({ stats: [stat], pad: 'x'.repeat(1024 * 1024) });
      const got = await call('POST', '/stats', big);
      expect(got).to.deep.equal({ status: 413, body: `body larger than ${1024 * 1024} bytes\n` });
      expect(api.statsCalls).to.deep.equal([]);
    });

    it('accepts an empty list', async () => {
      expect(await call('POST', '/stats', '{"stats":[]}')).to.deep.equal({ status: 204, body: '' });
      expect(api.statsCalls).to.deep.equal([[]]);
    });

    it('ignores a query string', async () => {
      expect((await call('POST', '/stats?from=activator-0', JSON.stringify({ stats: [stat] }))).status).to.equal(204);
      expect(api.statsCalls).to.deep.equal([[stat]]);
    });

    const bad: Array<{ name: string; body: string; want: string }> = [
      { name: 'invalid JSON', body: '{"stats": [', want: 'invalid JSON\n' },
      { name: 'an empty body', body: '', want: 'invalid JSON\n' },
      { name: 'no stats field', body: '{}', want: 'want {"stats": [...]}\n' },
      { name: 'stats not a list', body: '{"stats": {"namespace": "default"}}', want: 'want {"stats": [...]}\n' },
      { name: 'a JSON list', body: '[]', want: 'want {"stats": [...]}\n' },
      { name: 'a JSON number', body: '5', want: 'want {"stats": [...]}\n' },
      { name: 'an entry with a string load', body: '{"stats": [{"namespace": "a", "revision": "b", "concurrency": "2", "requests": 1}]}', want: 'stats[0]: want {"namespace", "revision", "concurrency" >= 0, "requests" >= 0}\n' },
    ];
    for (const c of bad) {
      it(`400 on ${c.name}`, async () => {
        expect(await call('POST', '/stats', c.body)).to.deep.equal({ status: 400, body: c.want });
        expect(api.statsCalls).to.deep.equal([]);
      });
    }

    // A JSON null body is a 400, not a crash.
    it('400 on a JSON null body (does not crash the server)', async () => {
      expect(await call('POST', '/stats', 'null')).to.deep.equal({ status: 400, body: 'want {"stats": [...]}\n' });
      expect(await call('POST', '/poke', 'null')).to.deep.equal({ status: 400, body: 'want {"namespace", "revision"}\n' });
    });
  });

  describe('POST /poke', () => {
    it('200 with the pods it claimed once the api has scaled', async () => {
      expect(await call('POST', '/poke', JSON.stringify({ namespace: 'default', revision: 'hello-00001' }))).to.deep.equal({ status: 200, body: '{"pods":[{"name":"hello-00001-warm-abcde","ip":"10.244.0.9"}]}' });
      expect(api.pokes).to.deep.equal([['default', 'hello-00001']]);
    });

    it('500 with the error message when the poke fails, and logs it', async () => {
      api.pokeError = new Error('no PodAutoscaler default/hello-00001 in this shard');
      expect(await call('POST', '/poke', JSON.stringify({ namespace: 'default', revision: 'hello-00001' }))).to.deep.equal({ status: 500, body: 'no PodAutoscaler default/hello-00001 in this shard\n' });
      expect(api.pokes).to.deep.equal([['default', 'hello-00001']]);
      const logged = warnings.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.map((l) => [l.level, l.msg, l.revision])).to.deep.equal([['warn', 'autoscaler: poke failed', 'default/hello-00001']]);
    });

    const bad: Array<{ name: string; body: string; want: string }> = [
      { name: 'invalid JSON', body: 'namespace=default', want: 'invalid JSON\n' },
      { name: 'an empty object', body: '{}', want: 'want {"namespace", "revision"}\n' },
      { name: 'no revision', body: '{"namespace": "default"}', want: 'want {"namespace", "revision"}\n' },
      { name: 'no namespace', body: '{"revision": "hello-00001"}', want: 'want {"namespace", "revision"}\n' },
      { name: 'an empty revision', body: '{"namespace": "default", "revision": ""}', want: 'want {"namespace", "revision"}\n' },
    ];
    for (const c of bad) {
      it(`400 on ${c.name}`, async () => {
        expect(await call('POST', '/poke', c.body)).to.deep.equal({ status: 400, body: c.want });
        expect(api.pokes).to.deep.equal([]);
      });
    }
  });

  describe('other paths', () => {
    const cases: Array<{ method: string; path: string; auth?: string; status: number; body: string }> = [
      { method: 'GET', path: '/stats', status: 404, body: 'not found\n' },
      { method: 'PUT', path: '/poke', status: 404, body: 'not found\n' },
      { method: 'POST', path: '/', status: 404, body: 'not found\n' },
      { method: 'POST', path: '/stats/extra', status: 404, body: 'not found\n' },
      { method: 'POST', path: '/metrics', status: 404, body: 'not found\n' },
      // 404 before the token check: unknown paths do not tell whether a token is right.
      { method: 'POST', path: '/other', auth: 'Bearer wrong', status: 404, body: 'not found\n' },
      { method: 'GET', path: '/healthz', status: 200, body: 'ok\n' },
      { method: 'GET', path: '/healthz', auth: 'Bearer wrong', status: 200, body: 'ok\n' },
    ];
    for (const c of cases) {
      it(`${c.method} ${c.path}${c.auth ? ' (wrong token)' : ''} -> ${c.status}`, async () => {
        const body = c.method === 'GET' ? undefined : '{}';
        expect(await call(c.method, c.path, body, c.auth ?? `Bearer ${TOKEN}`)).to.deep.equal({ status: c.status, body: c.body });
        expect([api.statsCalls, api.pokes]).to.deep.equal([[], []]);
      });
    }
  });
});
