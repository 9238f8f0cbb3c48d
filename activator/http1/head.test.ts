import { expect } from 'chai';
import { HeadError, parseRequestHead, parseResponseHead, requestHeadForPod, responseHeadForClient, responseKeepsAlive, type Framing } from './head.js';

const req = (lines: string[]): string => lines.join('\r\n');

/** The pod's head as a map (names lower-cased, repeated fields joined as a list). */
function podFields(text: string): { start: string; fields: Record<string, string | string[]> } {
  const [start, ...lines] = text.slice(0, -4).split('\r\n');
  const fields: Record<string, string | string[]> = {};
  for (const l of lines) {
    const name = l.slice(0, l.indexOf(':')).toLowerCase();
    const value = l.slice(l.indexOf(':') + 1).trim();
    const had = fields[name];
    fields[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return { start: start!, fields };
}

describe('activator/http1/head', () => {
  describe('parseRequestHead: framing and connection', () => {
    const cases: Array<{ name: string; head: string[]; framing: Framing; keepAlive: boolean; upgrade?: boolean }> = [
      { name: 'GET without a body', head: ['GET /a?b=1 HTTP/1.1', 'Host: h'], framing: { kind: 'none' }, keepAlive: true },
      { name: 'Content-Length', head: ['POST / HTTP/1.1', 'Host: h', 'content-length: 12'], framing: { kind: 'length', length: 12 }, keepAlive: true },
      { name: 'Content-Length 0 is no body', head: ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 0'], framing: { kind: 'none' }, keepAlive: true },
      { name: 'repeated equal Content-Lengths', head: ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 5, 5', 'Content-Length: 5'], framing: { kind: 'length', length: 5 }, keepAlive: true },
      { name: 'chunked', head: ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: Chunked'], framing: { kind: 'chunked' }, keepAlive: true },
      { name: 'Connection: close', head: ['GET / HTTP/1.1', 'Host: h', 'Connection: keep-alive, Close'], framing: { kind: 'none' }, keepAlive: false },
      { name: 'HTTP/1.0 closes by default', head: ['GET / HTTP/1.0'], framing: { kind: 'none' }, keepAlive: false },
      { name: 'HTTP/1.0 keep-alive', head: ['GET / HTTP/1.0', 'Connection: keep-alive'], framing: { kind: 'none' }, keepAlive: true },
      { name: 'WebSocket upgrade', head: ['GET /ws HTTP/1.1', 'Host: h', 'Connection: Upgrade', 'Upgrade: websocket'], framing: { kind: 'none' }, keepAlive: true, upgrade: true },
      { name: 'Upgrade without Connection: upgrade is ignored', head: ['GET / HTTP/1.1', 'Host: h', 'Upgrade: h2c'], framing: { kind: 'none' }, keepAlive: true, upgrade: false },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const h = parseRequestHead(req(c.head));
        expect({ framing: h.framing, keepAlive: h.keepAlive, upgrade: h.upgrade }).to.deep.equal({ framing: c.framing, keepAlive: c.keepAlive, upgrade: c.upgrade ?? false });
      });
    }

    it('keeps method, target, version, host and the fields as sent', () => {
      const h = parseRequestHead(req(['DELETE /x%20y HTTP/1.1', 'Host: Hello.default.localhost:8080', 'X-A:  padded  ', 'x-a: two']));
      expect([h.method, h.target, h.minor, h.host, h.headers]).to.deep.equal(['DELETE', '/x%20y', 1, 'Hello.default.localhost:8080', ['Host', 'Hello.default.localhost:8080', 'X-A', 'padded', 'x-a', 'two']]);
    });
  });

  describe('parseRequestHead: refused, with the reason', () => {
    const cases: Array<[string, string[], number, RegExp]> = [
      ['Content-Length and Transfer-Encoding', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 1', 'Transfer-Encoding: chunked'], 400, /both Content-Length and Transfer-Encoding/],
      ['conflicting Content-Lengths', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 1', 'Content-Length: 2'], 400, /conflicting Content-Length/],
      ['a signed Content-Length', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: +1'], 400, /invalid Content-Length "\+1"/],
      ['chunked not last', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked, gzip'], 400, /unsupported Transfer-Encoding "chunked, gzip"/],
      ['a coding before chunked', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: gzip, chunked'], 501, /unsupported Transfer-Encoding "gzip, chunked"/],
      ['Transfer-Encoding in HTTP/1.0', ['POST / HTTP/1.0', 'Transfer-Encoding: chunked'], 400, /HTTP\/1\.0/],
      ['whitespace before the colon', ['GET / HTTP/1.1', 'Host : h'], 400, /invalid header name "Host "/],
      ['a folded line', ['GET / HTTP/1.1', 'Host: h', 'X-A: 1', ' 2'], 400, /obsolete line folding/],
      ['a line without a colon', ['GET / HTTP/1.1', 'Host: h', 'garbage'], 400, /malformed header line "garbage"/],
      ['a control character in a value', ['GET / HTTP/1.1', 'Host: h', 'X-A: a\x00b'], 400, /invalid characters in header "X-A"/],
      ['two Hosts', ['GET / HTTP/1.1', 'Host: a', 'Host: b'], 400, /more than one Host/],
      ['no Host in HTTP/1.1', ['GET / HTTP/1.1'], 400, /missing Host header/],
      ['a bad request line', ['GET/ HTTP/1.1', 'Host: h'], 400, /malformed request line/],
      ['HTTP/2', ['GET / HTTP/2.0', 'Host: h'], 501, /unsupported protocol version/],
      ['not HTTP', ['GET / FTP/1.0', 'Host: h'], 400, /unsupported protocol version/],
      ['CONNECT', ['CONNECT h:443 HTTP/1.1', 'Host: h:443'], 501, /CONNECT is not supported/],
    ];
    for (const [name, head, status, message] of cases) {
      it(name, () => {
        let err: unknown;
        try {
          parseRequestHead(req(head));
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(HeadError);
        expect((err as HeadError).status).to.equal(status);
        expect((err as HeadError).message).to.match(message);
      });
    }
  });

  describe('parseResponseHead: framing (RFC 9112 6.3) and keep-alive', () => {
    const cases: Array<{ name: string; head: string[]; method?: string; framing: Framing; keepAlive: boolean }> = [
      { name: 'Content-Length', head: ['HTTP/1.1 200 OK', 'Content-Length: 3'], framing: { kind: 'length', length: 3 }, keepAlive: true },
      { name: 'chunked', head: ['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'], framing: { kind: 'chunked' }, keepAlive: true },
      { name: 'neither: until the pod closes', head: ['HTTP/1.1 200 OK'], framing: { kind: 'close' }, keepAlive: false },
      { name: 'a coding other than chunked last: until close', head: ['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip'], framing: { kind: 'close' }, keepAlive: false },
      { name: 'HEAD has no body whatever the length', head: ['HTTP/1.1 200 OK', 'Content-Length: 100'], method: 'HEAD', framing: { kind: 'none' }, keepAlive: true },
      { name: '204', head: ['HTTP/1.1 204 No Content'], framing: { kind: 'none' }, keepAlive: true },
      { name: '304', head: ['HTTP/1.1 304 Not Modified', 'Content-Length: 10'], framing: { kind: 'none' }, keepAlive: true },
      { name: '100 Continue', head: ['HTTP/1.1 100 Continue'], framing: { kind: 'none' }, keepAlive: true },
      { name: 'Connection: close', head: ['HTTP/1.1 200 OK', 'Content-Length: 1', 'Connection: close'], framing: { kind: 'length', length: 1 }, keepAlive: false },
      { name: 'HTTP/1.0 closes unless keep-alive', head: ['HTTP/1.0 200 OK', 'Content-Length: 1'], framing: { kind: 'length', length: 1 }, keepAlive: false },
      { name: 'a status line without a reason', head: ['HTTP/1.1 200', 'Content-Length: 0'], framing: { kind: 'none' }, keepAlive: true },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const r = parseResponseHead(req(c.head), c.method ?? 'GET');
        expect({ framing: r.framing, keepAlive: responseKeepsAlive(r) }).to.deep.equal({ framing: c.framing, keepAlive: c.keepAlive });
      });
    }

    it('a malformed status line or length is a 502 naming it', () => {
      expect(() => parseResponseHead('HTTP/1.1 2000 OK', 'GET')).to.throw(HeadError, /invalid response from the pod: malformed status line "HTTP\/1\.1 2000 OK"/);
      expect(() => parseResponseHead(req(['HTTP/1.1 200 OK', 'Content-Length: x']), 'GET')).to.throw(HeadError, /invalid Content-Length "x"/);
    });
  });

  describe('requestHeadForPod', () => {
    const cases: Array<{ name: string; head: string[]; ip: string; host: string; start?: string; want: Record<string, string | string[]> }> = [
      {
        name: 'plain request from IPv4: X-Forwarded-For, X-Forwarded-Proto http, Forwarded',
        head: ['GET /p HTTP/1.1', 'Host: hello.default.example.com', 'Accept: */*', 'User-Agent: curl/8'], ip: '10.1.2.3', host: 'hello.default.example.com',
        start: 'GET /p HTTP/1.1',
        want: {
          host: 'hello.default.example.com', accept: '*/*', 'user-agent': 'curl/8',
          'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'http', forwarded: 'for=10.1.2.3;host=hello.default.example.com;proto=http',
        },
      },
      {
        name: 'hop-by-hop fields dropped, including those named in Connection; Transfer-Encoding kept (the body goes through chunked)',
        head: [
          'POST / HTTP/1.1', 'Host: h.example', 'Connection: keep-alive, X-Secret ,x-other', 'Keep-Alive: timeout=5', 'Proxy-Connection: keep-alive', 'Transfer-Encoding: chunked',
          'TE: trailers', 'Upgrade: h2c', 'Proxy-Authorization: Basic Zm9vOmJhcg==', 'Proxy-Authenticate: Basic', 'X-Secret: s3cret', 'x-other: o', 'X-App: kept', 'Authorization: Bearer end-to-end',
        ],
        ip: '10.1.2.3', host: 'h.example',
        want: {
          host: 'h.example', 'transfer-encoding': 'chunked', 'x-app': 'kept', authorization: 'Bearer end-to-end',
          'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'http', forwarded: 'for=10.1.2.3;host=h.example;proto=http',
        },
      },
      {
        name: 'X-Forwarded-For appended (repeated fields joined), X-Forwarded-Proto and Forwarded from an earlier proxy kept',
        head: ['GET / HTTP/1.1', 'Host: h.example', 'X-Forwarded-For: 203.0.113.7', 'X-Forwarded-For: 10.0.0.1', 'X-Forwarded-Proto: https', 'Forwarded: for=203.0.113.7;proto=https'],
        ip: '10.0.0.2', host: 'h.example',
        want: {
          host: 'h.example', 'x-forwarded-for': '203.0.113.7, 10.0.0.1, 10.0.0.2', 'x-forwarded-proto': 'https',
          forwarded: 'for=203.0.113.7;proto=https, for=10.0.0.2;host=h.example;proto=http',
        },
      },
      {
        name: 'IPv6 client: quoted and bracketed in Forwarded, bare in X-Forwarded-For',
        head: ['GET / HTTP/1.1', 'Host: h.example'], ip: '2001:db8::7', host: 'h.example',
        want: { host: 'h.example', 'x-forwarded-for': '2001:db8::7', 'x-forwarded-proto': 'http', forwarded: 'for="[2001:db8::7]";host=h.example;proto=http' },
      },
      {
        name: 'IPv4-mapped IPv6 client (a dual-stack listener), HTTP/1.0 kept as 1.0',
        head: ['GET / HTTP/1.0'], ip: '::ffff:127.0.0.1', host: 'h.example', start: 'GET / HTTP/1.0',
        want: { 'x-forwarded-for': '::ffff:127.0.0.1', 'x-forwarded-proto': 'http', forwarded: 'for="[::ffff:127.0.0.1]";host=h.example;proto=http' },
      },
      {
        name: 'an IPv6 literal Host is quoted in Forwarded',
        head: ['GET / HTTP/1.1', 'Host: [::1]:8080'], ip: '10.0.0.2', host: '[::1]',
        want: { host: '[::1]:8080', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host="[::1]";proto=http' },
      },
      {
        name: 'repeated end-to-end fields pass through each on its own line',
        head: ['GET / HTTP/1.1', 'Cookie: a=1', 'Host: h.example', 'Cookie: b=2'], ip: '10.0.0.2', host: 'h.example',
        want: { cookie: ['a=1', 'b=2'], host: 'h.example', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h.example;proto=http' },
      },
      {
        name: 'an upgrade keeps Upgrade and asks for it in Connection',
        head: ['GET /ws HTTP/1.1', 'Host: h', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: k'], ip: '10.0.0.2', host: 'h',
        want: { host: 'h', 'sec-websocket-key': 'k', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h;proto=http', connection: 'Upgrade', upgrade: 'websocket' },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const out = requestHeadForPod(parseRequestHead(req(c.head)), c.ip, c.host);
        expect(out.endsWith('\r\n\r\n')).to.equal(true);
        const { start, fields } = podFields(out);
        if (c.start) expect(start).to.equal(c.start);
        expect(fields).to.deep.equal(c.want);
      });
    }
  });

  it('responseHeadForClient drops the pod\'s hop-by-hop fields and says close when asked', () => {
    const res = parseResponseHead(req(['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Connection: keep-alive, X-Hop', 'Keep-Alive: timeout=5', 'X-Hop: 1', 'Transfer-Encoding: chunked', 'Set-Cookie: a=1', 'Set-Cookie: b=2']), 'GET');
    expect(responseHeadForClient(res, false)).to.equal('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n');
    expect(responseHeadForClient(res, true)).to.equal('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nconnection: close\r\n\r\n');
  });

  it('responseHeadForClient drops a Content-Length that came with a Transfer-Encoding', () => {
    const res = parseResponseHead(req(['HTTP/1.1 200 OK', 'Content-Length: 5', 'Transfer-Encoding: chunked']), 'GET');
    expect(res.framing).to.deep.equal({ kind: 'chunked' });
    expect(responseHeadForClient(res, false)).to.equal('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const head = parseResponseHead(req(['HTTP/1.1 200 OK', 'Content-Length: 5']), 'HEAD');
    expect(responseHeadForClient(head, false)).to.equal('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
  });

  it('a status line with a control character in its reason is refused', () => {
    expect(() => parseResponseHead('HTTP/1.1 200 O\x01K', 'GET')).to.throw(HeadError, /malformed status line/);
  });
});
