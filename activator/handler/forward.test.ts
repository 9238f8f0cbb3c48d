import { expect } from 'chai';
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../controller/testing/fake-clock.js';
import { ActivatorError } from '../errors.js';
import { RevisionBackends } from '../net/backends.js';
import type { RevisionState } from '../revisions.js';
import { normalizeHost } from '../routing/hosts.js';
import type { RequestContext } from './context.js';
import { forward, upstreamHeaders, type ForwardLimits } from './forward.js';

describe('activator/handler/forward', () => {
  describe('upstreamHeaders', () => {
    const cases: Array<{ name: string; headers: IncomingHttpHeaders; ip: string; host: string; want: Record<string, unknown> }> = [
      {
        name: 'plain request from IPv4: X-Forwarded-For, X-Forwarded-Proto http, Forwarded',
        headers: { host: 'hello.default.example.com', accept: '*/*', 'user-agent': 'curl/8' },
        ip: '10.1.2.3', host: 'hello.default.example.com',
        want: {
          host: 'hello.default.example.com', accept: '*/*', 'user-agent': 'curl/8',
          'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'http', forwarded: 'for=10.1.2.3;host=hello.default.example.com;proto=http',
        },
      },
      {
        name: 'hop-by-hop headers dropped, including those named in Connection',
        headers: {
          host: 'h.example', connection: 'keep-alive, X-Secret ,x-other', 'keep-alive': 'timeout=5', 'proxy-connection': 'keep-alive', 'transfer-encoding': 'chunked',
          te: 'trailers', trailer: 'x-checksum', upgrade: 'h2c', 'proxy-authorization': 'Basic Zm9vOmJhcg==', 'proxy-authenticate': 'Basic',
          'x-secret': 's3cret', 'x-other': 'o', 'x-app': 'kept', authorization: 'Bearer end-to-end',
        },
        ip: '10.1.2.3', host: 'h.example',
        want: {
          host: 'h.example', 'x-app': 'kept', authorization: 'Bearer end-to-end',
          'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'http', forwarded: 'for=10.1.2.3;host=h.example;proto=http',
        },
      },
      {
        name: 'X-Forwarded-For appended, X-Forwarded-Proto and Forwarded from an earlier proxy kept',
        headers: { host: 'h.example', 'x-forwarded-for': '203.0.113.7, 10.0.0.1', 'x-forwarded-proto': 'https', forwarded: 'for=203.0.113.7;proto=https' },
        ip: '10.0.0.2', host: 'h.example',
        want: {
          host: 'h.example', 'x-forwarded-for': '203.0.113.7, 10.0.0.1, 10.0.0.2', 'x-forwarded-proto': 'https',
          forwarded: 'for=203.0.113.7;proto=https, for=10.0.0.2;host=h.example;proto=http',
        },
      },
      {
        name: 'IPv6 client: quoted and bracketed in Forwarded, bare in X-Forwarded-For',
        headers: { host: 'h.example' },
        ip: '2001:db8::7', host: 'h.example',
        want: { host: 'h.example', 'x-forwarded-for': '2001:db8::7', 'x-forwarded-proto': 'http', forwarded: 'for="[2001:db8::7]";host=h.example;proto=http' },
      },
      {
        name: 'IPv4-mapped IPv6 client (a dual-stack listener)',
        headers: {},
        ip: '::ffff:127.0.0.1', host: 'h.example',
        want: { 'x-forwarded-for': '::ffff:127.0.0.1', 'x-forwarded-proto': 'http', forwarded: 'for="[::ffff:127.0.0.1]";host=h.example;proto=http' },
      },
      {
        name: 'IPv6 loopback',
        headers: { 'x-forwarded-for': '198.51.100.1' },
        ip: '::1', host: 'h.example',
        want: { 'x-forwarded-for': '198.51.100.1, ::1', 'x-forwarded-proto': 'http', forwarded: 'for="[::1]";host=h.example;proto=http' },
      },
      {
        name: 'multi-valued headers pass through as arrays',
        headers: { 'set-cookie': ['a=1', 'b=2'], host: 'h.example' },
        ip: '10.0.0.2', host: 'h.example',
        want: { 'set-cookie': ['a=1', 'b=2'], host: 'h.example', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h.example;proto=http' },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const before = structuredClone(c.headers);
        expect(upstreamHeaders(c.headers, c.ip, c.host)).to.deep.equal(c.want);
        expect(c.headers).to.deep.equal(before);
      });
    }

    // The Forwarded host= value is quoted when it is not a plain token (IPv6, host:port).
    it('an IPv6 literal Host is quoted in Forwarded', () => {
      expect(upstreamHeaders({}, '10.0.0.2', '[::1]').forwarded).to.equal('for=10.0.0.2;host="[::1]";proto=http');
    });
  });

  describe('forward (real servers on 127.0.0.1)', () => {
    const servers: Server[] = [];
    let agent: Agent;
    beforeEach(() => {
      agent = new Agent({ keepAlive: false });
    });
    afterEach(async () => {
      agent.destroy();
      for (const s of servers.splice(0)) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    });

    async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
      const s = createServer(handler);
      servers.push(s);
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
      return (s.address() as AddressInfo).port;
    }

    function revisionState(): RevisionState {
      return {
        key: 'default/hello-00001', namespace: 'default', name: 'hello-00001', shard: 'shard-a', containerConcurrency: 0, timeoutMs: 300_000,
        responseStartTimeoutMs: 300_000, idleTimeoutMs: 0, backends: new RevisionBackends(new FakeClock(), 0), starting: [], probed: new Set(), announced: new Map(), pooled: new Set(), port: 8080,
      };
    }

    /** The activator side: a server whose handler forwards to `upstreamPort`; what forward() settled with is kept. */
    async function activator(upstreamPort: number, limits: ForwardLimits): Promise<{ port: number; outcome: Promise<Error | undefined> }> {
      let settle!: (e: Error | undefined) => void;
      const outcome = new Promise<Error | undefined>((resolve) => (settle = resolve));
      const port = await listen((req, res) => {
        const ctx: RequestContext = { req, res, host: normalizeHost(req.headers.host), startedAt: Date.now(), revision: revisionState() };
        forward(ctx, '127.0.0.1', upstreamPort, agent, limits).then(
          () => settle(undefined),
          (err: Error) => {
            settle(err);
            const status = err instanceof ActivatorError ? err.status : 500;
            res.writeHead(status, { 'x-kzero-error': err instanceof ActivatorError ? err.code : 'unknown', connection: 'close' }).end(`${err.message}\n`);
          },
        );
      });
      return { port, outcome };
    }

    const limits: ForwardLimits = { responseStartMs: 2000, totalMs: 5000, idleMs: 0 };

    /** One request with a body sent in `chunks`; resolves with status, headers and body. */
    async function send(port: number, opts: { host?: string; chunks?: string[]; method?: string; path?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
      const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path ?? '/', agent: false, headers: { host: opts.host ?? 'hello.default.example.com', ...opts.headers } });
      for (const c of opts.chunks ?? []) req.write(c);
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      let body = '';
      res.setEncoding('utf8');
      for await (const chunk of res) body += chunk as string;
      return { status: res.statusCode ?? 0, headers: res.headers, body };
    }

    it('forwards method, path, headers and body, and the response with its status and headers', async () => {
      let seen: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string } = {};
      const up = await listen((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => {
          seen = { method: req.method, url: req.url, headers: req.headers, body };
          res.writeHead(201, 'Made', { 'x-up': '1', 'proxy-authenticate': 'Basic', 'content-type': 'text/plain' });
          res.end(body.toUpperCase());
        });
      });
      const act = await activator(up, limits);
      const got = await send(act.port, { path: '/echo?x=1', chunks: ['hello ', 'world'], headers: { 'x-app': 'v', 'x-forwarded-for': '203.0.113.9' } });
      expect([got.status, got.body, got.headers['x-up'], got.headers['content-type'], got.headers['proxy-authenticate']]).to.deep.equal([201, 'HELLO WORLD', '1', 'text/plain', undefined]);
      expect(await act.outcome).to.equal(undefined);
      expect([seen.method, seen.url, seen.body]).to.deep.equal(['POST', '/echo?x=1', 'hello world']);
      expect({
        host: seen.headers?.host, app: seen.headers?.['x-app'], xff: seen.headers?.['x-forwarded-for'], proto: seen.headers?.['x-forwarded-proto'], fwd: seen.headers?.forwarded,
      }).to.deep.equal({
        host: 'hello.default.example.com', app: 'v', xff: '203.0.113.9, 127.0.0.1', proto: 'http', fwd: 'for=127.0.0.1;host=hello.default.example.com;proto=http',
      });
    });

    it('streams both ways: the upstream answers the first chunk before the client sends the second', async () => {
      const up = await listen((req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        req.setEncoding('utf8');
        req.on('data', (c: string) => res.write(`got:${c};`));
        req.on('end', () => res.end('end'));
      });
      const act = await activator(up, limits);
      const req = request({ host: '127.0.0.1', port: act.port, method: 'POST', path: '/stream', agent: false, headers: { host: 'hello.default.example.com' } });
      req.write('one');
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      res.setEncoding('utf8');
      const [first] = (await once(res, 'data')) as [string];
      expect([res.statusCode, first]).to.deep.equal([200, 'got:one;']);
      req.write('two');
      const [second] = (await once(res, 'data')) as [string];
      expect(second).to.equal('got:two;');
      req.end();
      let rest = '';
      for await (const c of res) rest += c as string;
      expect(rest).to.equal('end');
      expect(await act.outcome).to.equal(undefined);
    });

    it('streams a large body both ways intact', async () => {
      const up = await listen((req, res) => {
        res.writeHead(200);
        req.pipe(res);
      });
      const act = await activator(up, limits);
      const chunk = 'x'.repeat(64 * 1024);
      const got = await send(act.port, { chunks: Array.from({ length: 32 }, (_, i) => chunk.slice(0, -1) + String(i % 10)) });
      expect([got.status, got.body.length]).to.deep.equal([200, 32 * 64 * 1024]);
      expect(got.body.slice(64 * 1024 - 1, 64 * 1024)).to.equal('0');
      expect(got.body.slice(-1)).to.equal('1');
    });

    it('504 RESPONSE_TIMEOUT when the upstream sends no response headers within responseStartMs', async () => {
      let upstreamClosed = false;
      const up = await listen((req) => {
        req.resume();
        req.socket.on('close', () => (upstreamClosed = true));
      });
      const act = await activator(up, { responseStartMs: 500, totalMs: 5000, idleMs: 0 });
      const started = Date.now();
      const got = await send(act.port, { method: 'GET' });
      const took = Date.now() - started;
      const err = await act.outcome;
      expect(err).to.be.instanceOf(ActivatorError);
      const e = err as ActivatorError;
      expect([e.kind, e.status, e.code, e.message]).to.deep.equal(['RESPONSE_TIMEOUT', 504, 'KZERO_RESPONSE_TIMEOUT', 'revision "hello-00001" did not start responding within 1s']);
      expect([got.status, got.headers['x-kzero-error'], got.body]).to.deep.equal([504, 'KZERO_RESPONSE_TIMEOUT', 'revision "hello-00001" did not start responding within 1s\n']);
      expect(took).to.be.within(450, 2000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(upstreamClosed).to.equal(true);
    });

    it('504 RESPONSE_TIMEOUT from totalMs when it is shorter than responseStartMs', async () => {
      const up = await listen((req) => void req.resume());
      const act = await activator(up, { responseStartMs: 5000, totalMs: 1500, idleMs: 0 });
      const got = await send(act.port, { method: 'GET' });
      const e = (await act.outcome) as ActivatorError;
      expect([e.kind, e.status, e.message, got.status]).to.deep.equal(['RESPONSE_TIMEOUT', 504, 'revision "hello-00001" did not respond within 2s', 504]);
    }).timeout(5000);

    it('cuts a response that goes idle for idleMs (idleTimeoutSeconds), keeping what was sent', async () => {
      const up = await listen((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;'); // then nothing: the app hangs mid-response
      });
      const act = await activator(up, { responseStartMs: 5000, totalMs: 10_000, idleMs: 300 });
      const started = Date.now();
      const got = await send(act.port, { method: 'GET' }).catch((err: Error) => ({ status: -1, headers: {}, body: err.message }));
      expect(Date.now() - started).to.be.below(3000);
      expect(got.status === -1 || got.body === 'first;', JSON.stringify(got)).to.equal(true);
      expect(await act.outcome).to.equal(undefined);
    }).timeout(5000);

    it('UPSTREAM error when nothing listens on the pod port', async () => {
      const closedPort = await listen(() => undefined);
      const s = servers.pop()!;
      await new Promise((resolve) => s.close(resolve));
      const act = await activator(closedPort, limits);
      const got = await send(act.port, { method: 'GET' });
      const e = (await act.outcome) as ActivatorError;
      expect(e).to.be.instanceOf(ActivatorError);
      expect([e.kind, e.status, e.code, e.message]).to.deep.equal(['UPSTREAM', 502, 'KZERO_UPSTREAM_ERROR', `revision "hello-00001" pod 127.0.0.1: connect ECONNREFUSED 127.0.0.1:${closedPort}`]);
      expect([got.status, got.headers['x-kzero-error']]).to.deep.equal([502, 'KZERO_UPSTREAM_ERROR']);
    });

    it('cuts the upstream exchange when the client goes away', async () => {
      let upstreamClosed!: () => void;
      const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
      let gotRequest!: () => void;
      const requested = new Promise<void>((resolve) => (gotRequest = resolve));
      const up = await listen((req, res) => {
        res.writeHead(200);
        res.write('partial');
        res.on('close', () => upstreamClosed());
        gotRequest();
        req.resume();
      });
      const act = await activator(up, limits);
      const req = request({ host: '127.0.0.1', port: act.port, method: 'GET', path: '/', agent: false, headers: { host: 'hello.default.example.com' } });
      req.on('error', () => undefined);
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      await once(res, 'data');
      await requested;
      req.destroy();
      await closed;
      expect(await act.outcome).to.equal(undefined);
    });
  });
});
