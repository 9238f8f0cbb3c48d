import { expect } from 'chai';
import { once } from 'node:events';
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { LIMITS as limits, activator as start, cleanup, closedPort, listen, raw, send, type Limits } from './testing/harness.js';

// The activator's HTTP/1.1 engine against real servers on 127.0.0.1: a Node app as the pod, Node's and
// raw TCP clients as the client.

/** The harness with one pod on 127.0.0.1 at `podPort`, given at once or after `waitMs`. */
const activator = (podPort: number, l: Limits, waitMs?: number): ReturnType<typeof start> => start({ pods: [{ ip: '127.0.0.1', port: podPort }], limits: l, waitMs });

describe('activator/http1 (real servers on 127.0.0.1)', () => {
  afterEach(cleanup);

  it('forwards method, path, headers and body, and the response with its status and headers (hop-by-hop ones dropped)', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string } = {};
    const pod = await listen((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.writeHead(201, 'Made', { 'x-up': '1', 'proxy-authenticate': 'Basic', 'content-type': 'text/plain' });
        res.end(body.toUpperCase());
      });
    });
    const act = await activator(pod.port, limits);
    const got = await send(act.port, { path: '/echo?x=1', chunks: ['hello ', 'world'], headers: { 'x-app': 'v', 'x-forwarded-for': '203.0.113.9', 'x-secret': 's', connection: 'x-secret' } });
    expect([got.status, got.body, got.headers['x-up'], got.headers['content-type'], got.headers['proxy-authenticate'], got.headers['keep-alive']]).to.deep.equal([201, 'HELLO WORLD', '1', 'text/plain', undefined, undefined]);
    expect(await act.next()).to.deep.equal({ status: 201, error: undefined });
    expect([seen.method, seen.url, seen.body, seen.headers?.['x-secret'], seen.headers?.['transfer-encoding']]).to.deep.equal(['POST', '/echo?x=1', 'hello world', undefined, 'chunked']);
    expect({
      host: seen.headers?.host, app: seen.headers?.['x-app'], xff: seen.headers?.['x-forwarded-for'], proto: seen.headers?.['x-forwarded-proto'], fwd: seen.headers?.forwarded,
    }).to.deep.equal({
      host: 'hello.default.example.com', app: 'v', xff: '203.0.113.9, 127.0.0.1', proto: 'http', fwd: 'for=127.0.0.1;host=hello.default.example.com;proto=http',
    });
    expect(act.inflight()).to.equal(0);
  });

  it('reuses one pod connection for sequential requests on one client connection, and across clients', async () => {
    const podSockets = new Set<Socket>();
    const pod = await listen((req, res) => {
      podSockets.add(req.socket);
      res.end(`n=${podSockets.size}`);
    });
    const act = await activator(pod.port, limits);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) expect((await send(act.port, { method: 'GET', agent })).body).to.equal('n=1');
    agent.destroy();
    expect((await send(act.port, { method: 'GET' })).body).to.equal('n=1');
    expect(podSockets.size).to.equal(1);
  });

  it('answers pipelined requests in order', async () => {
    const pod = await listen((req, res) => {
      // The second request's answer is ready first: order must still be kept.
      setTimeout(() => res.end(`path=${req.url}`), req.url === '/1' ? 100 : 0);
    });
    const act = await activator(pod.port, limits);
    const out = await raw(act.port, 'GET /1 HTTP/1.1\r\nHost: h.example\r\n\r\nGET /2 HTTP/1.1\r\nHost: h.example\r\n\r\nGET /3 HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n', 2000);
    const bodies = out.split('\r\n\r\n').filter((p) => p.startsWith('path='));
    expect(bodies.map((b) => b.slice(0, 7))).to.deep.equal(['path=/1', 'path=/2', 'path=/3']);
    expect(out).to.match(/connection: close\r\n/);
  });

  it('passes chunked bodies through both ways, trailers included', async () => {
    const pod = await listen((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        res.writeHead(200, { trailer: 'x-sum' });
        res.write(`got:${body}`);
        res.addTrailers({ 'x-sum': String(body.length) });
        res.end();
      });
    });
    const act = await activator(pod.port, limits);
    const out = await raw(act.port, 'POST / HTTP/1.1\r\nHost: h.example\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nx-t: 1\r\n\r\n', 300);
    expect(out).to.match(/^HTTP\/1\.1 200 OK\r\n/);
    expect(out).to.match(/transfer-encoding: chunked\r\n/i);
    expect(out).to.contain('got:hello!');
    expect(out).to.match(/\r\n0\r\nx-sum: 6\r\n\r\n$/);
  });

  it('streams both ways: the pod answers the first chunk before the client sends the second', async () => {
    const pod = await listen((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.setEncoding('utf8');
      req.on('data', (c: string) => res.write(`got:${c};`));
      req.on('end', () => res.end('end'));
    });
    const act = await activator(pod.port, limits);
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
    expect(await act.next()).to.deep.equal({ status: 200, error: undefined });
  });

  it('streams a large body both ways intact, also when it arrives before the pod is reserved', async () => {
    const pod = await listen((req, res) => {
      res.writeHead(200);
      req.pipe(res);
    });
    for (const waitMs of [undefined, 200]) {
      const act = await activator(pod.port, limits, waitMs);
      const chunk = 'x'.repeat(64 * 1024);
      const got = await send(act.port, { chunks: Array.from({ length: 32 }, (_, i) => chunk.slice(0, -1) + String(i % 10)) });
      expect([got.status, got.body.length]).to.deep.equal([200, 32 * 64 * 1024]);
      expect(got.body.slice(64 * 1024 - 1, 64 * 1024)).to.equal('0');
      expect(got.body.slice(-1)).to.equal('1');
    }
  });

  it('passes Expect: 100-continue through: the pod says continue, then gets the body', async () => {
    const pod = await listen((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => res.end(`got:${body}`));
    });
    const act = await activator(pod.port, limits);
    const req = request({ host: '127.0.0.1', port: act.port, method: 'PUT', path: '/', agent: false, headers: { host: 'h.example', expect: '100-continue', 'content-length': '4' } });
    const [continued] = await Promise.race([once(req, 'continue').then(() => [true]), new Promise<[boolean]>((resolve) => setTimeout(() => resolve([false]), 900))]);
    expect(continued).to.equal(true);
    req.end('body');
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    let body = '';
    for await (const c of res) body += String(c);
    expect([res.statusCode, body]).to.deep.equal([200, 'got:body']);
  });

  it('a response that comes before the whole request body (413) is passed on, and both connections close after it', async () => {
    const podSockets = new Set<Socket>();
    const pod = await listen((req, res) => {
      podSockets.add(req.socket);
      res.writeHead(413, { connection: 'close' }).end('too large');
    });
    const act = await activator(pod.port, limits);
    const s = connect({ host: '127.0.0.1', port: act.port });
    s.setEncoding('latin1');
    let out = '';
    s.on('data', (d: string) => (out += d));
    s.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n' + 'x'.repeat(1000));
    await once(s, 'end');
    expect(out).to.match(/^HTTP\/1\.1 413 Payload Too Large\r\n[\s\S]*connection: close\r\n/);
    expect(out).to.match(/\r\n\r\n9\r\ntoo large\r\n0\r\n\r\n$/);
    s.destroy();
    expect(await act.next()).to.deep.equal({ status: 413, error: undefined });
    expect(act.inflight()).to.equal(0);
  });

  it('a HEAD response carries Content-Length but no body, and the connection goes on', async () => {
    const pod = await listen((req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.end(req.method === 'HEAD' ? undefined : 'x'.repeat(1000));
    });
    const act = await activator(pod.port, limits);
    const out = await raw(act.port, 'HEAD / HTTP/1.1\r\nHost: h.example\r\n\r\nGET / HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n', 1000);
    const [first, second] = out.split(/(?=HTTP\/1\.1 )/);
    expect(first).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 1000\r\n[\s\S]*\r\n\r\n$/i);
    expect(second).to.match(/\r\n\r\nx{1000}$/);
  });

  it('a response the pod ends by closing is passed on, and the client connection closes after it', async () => {
    const pod = await listen((req, res) => {
      req.socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil close');
      req.socket.end();
      res.detachSocket(req.socket);
    });
    const act = await activator(pod.port, limits);
    const out = await raw(act.port, 'GET / HTTP/1.1\r\nHost: h.example\r\n\r\n', 2000);
    expect(out).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: close\r\n\r\nuntil close$/);
    expect(await act.next()).to.deep.equal({ status: 200, error: undefined });
  });

  describe('bad requests are answered here with 4xx and the field named, and never reach a pod', () => {
    const cases: Array<[string, string, number, RegExp]> = [
      ['Content-Length with Transfer-Encoding (smuggling)', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, /both Content-Length and Transfer-Encoding/],
      ['two different Content-Lengths', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400, /conflicting Content-Length/],
      ['a space before the colon', 'GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n\r\n', 400, /invalid header name "Content-Length "/],
      ['no Host', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', 400, /missing Host header/],
      ['gzip transfer coding', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n', 400, /unsupported Transfer-Encoding "gzip"/],
      ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 501, /unsupported protocol version "HTTP\/2.0"/],
      ['a malformed chunk', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, /malformed chunk size/],
    ];
    for (const [name, bytes, status, message] of cases) {
      it(name, async () => {
        let reached = false;
        const pod = await listen((req, res) => {
          reached = true;
          req.resume();
          res.end();
        });
        const act = await activator(pod.port, limits, 50);
        const out = await raw(act.port, bytes, 1000);
        expect(out).to.match(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(out).to.match(/x-kzero-error: KZERO_\w+\r\n[\s\S]*connection: close\r\n/);
        expect(out).to.match(message);
        expect((await act.next()).status).to.equal(status);
        expect(reached).to.equal(false);
      });
    }

    it('a head larger than 16 KiB gets 431', async () => {
      const act = await activator(1, limits);
      const out = await raw(act.port, `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 1000);
      expect(out).to.match(/^HTTP\/1\.1 431 /);
    });
  });

  it('an error from the hooks (no Route) is answered with its status, code and message', async () => {
    const act = await activator(1, limits);
    const got = await send(act.port, { method: 'GET', host: 'nowhere.example:8080' });
    expect([got.status, got.headers['x-kzero-error'], got.headers.connection, got.body]).to.deep.equal([404, 'KZERO_NO_ROUTE', 'close', 'no Route serves host "nowhere.example"\n']);
    expect((await act.next()).error?.kind).to.equal('NO_ROUTE');
  });

  it('504 RESPONSE_TIMEOUT when the pod sends no response head within responseStartMs, and the pod exchange is cut', async () => {
    let podClosed = false;
    const pod = await listen((req) => {
      req.resume();
      req.socket.on('close', () => (podClosed = true));
    });
    const act = await activator(pod.port, { responseStartMs: 500, totalMs: 5000, idleMs: 0 });
    const started = Date.now();
    const got = await send(act.port, { method: 'GET' });
    const took = Date.now() - started;
    const { status, error } = await act.next();
    expect([status, error?.kind, error?.code, error?.message]).to.deep.equal([504, 'RESPONSE_TIMEOUT', 'KZERO_RESPONSE_TIMEOUT', 'revision "hello-00001" did not start responding within 1s']);
    expect([got.status, got.headers['x-kzero-error'], got.body]).to.deep.equal([504, 'KZERO_RESPONSE_TIMEOUT', 'revision "hello-00001" did not start responding within 1s\n']);
    expect(took).to.be.within(450, 2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(podClosed).to.equal(true);
    expect(act.inflight()).to.equal(0);
  });

  it('504 RESPONSE_TIMEOUT from totalMs when it is shorter than responseStartMs', async () => {
    const pod = await listen((req) => void req.resume());
    const act = await activator(pod.port, { responseStartMs: 5000, totalMs: 1500, idleMs: 0 });
    const got = await send(act.port, { method: 'GET' });
    const { status, error } = await act.next();
    expect([status, error?.message, got.status]).to.deep.equal([504, 'revision "hello-00001" did not respond within 2s', 504]);
  }).timeout(5000);

  it('cuts a response that goes idle for idleMs (idleTimeoutSeconds), keeping what was sent', async () => {
    const pod = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;'); // then nothing: the app hangs mid-response
    });
    const act = await activator(pod.port, { responseStartMs: 5000, totalMs: 10_000, idleMs: 300 });
    const started = Date.now();
    const out = await raw(act.port, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n', 5000);
    expect(Date.now() - started).to.be.below(3000);
    expect(out).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n6\r\nfirst;\r\n$/);
    expect((await act.next()).status).to.equal(200);
  }).timeout(5000);

  it('502 UPSTREAM when nothing listens on the pod port', async () => {
    const port = await closedPort();
    const act = await activator(port, limits);
    const got = await send(act.port, { method: 'GET' });
    const { status, error } = await act.next();
    expect([status, error?.kind, error?.code, error?.message]).to.deep.equal([502, 'UPSTREAM', 'KZERO_UPSTREAM_ERROR', `revision "hello-00001": could not connect to pod 127.0.0.1 (connect ECONNREFUSED 127.0.0.1:${port})`]);
    expect([got.status, got.headers['x-kzero-error']]).to.deep.equal([502, 'KZERO_UPSTREAM_ERROR']);
  });

  it('sends a GET again on a new connection when the pod closed the reused one under it', async () => {
    let n = 0;
    const pod = await listen((req, res) => {
      n++;
      // The second request's connection is closed without an answer, as a pod at its keep-alive timeout would.
      if (n === 2) req.socket.destroy();
      else res.end(`n=${n}`);
    });
    const act = await activator(pod.port, limits);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(act.port, { method: 'GET', agent })).body).to.equal('n=1');
    expect((await send(act.port, { method: 'GET', agent })).body).to.equal('n=3');
    agent.destroy();
  });

  it('cuts the pod exchange and releases the slot when the client goes away mid-response', async () => {
    let podClosed!: () => void;
    const closed = new Promise<void>((resolve) => (podClosed = resolve));
    const pod = await listen((req, res) => {
      res.writeHead(200);
      res.write('partial');
      res.on('close', () => podClosed());
      req.resume();
    });
    const act = await activator(pod.port, limits);
    const req = request({ host: '127.0.0.1', port: act.port, method: 'GET', path: '/', agent: false, headers: { host: 'hello.default.example.com' } });
    req.on('error', () => undefined);
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    await once(res, 'data');
    req.destroy();
    await closed;
    expect(await act.next()).to.deep.equal({ status: 200, error: undefined });
    expect(act.inflight()).to.equal(0);
  });

  it('records 499 and releases the slot when the client goes away while its request waits for a pod', async () => {
    const pod = await listen((_req, res) => res.end());
    const act = await activator(pod.port, limits, 300);
    const s = connect({ host: '127.0.0.1', port: act.port });
    s.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    s.destroy();
    expect(await act.next()).to.deep.equal({ status: 499, error: undefined });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(act.inflight()).to.equal(0);
  });
});
