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
      { name: 'Content-Length with leading zeros and OWS', head: ['POST / HTTP/1.1', 'Host: h', 'Content-Length: \t007 '], framing: { kind: 'length', length: 7 }, keepAlive: true },
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
      expect([h.method, h.target, h.path, h.minor, h.host, h.headers]).to.deep.equal(['DELETE', '/x%20y', '/x%20y', 1, 'Hello.default.localhost:8080', ['Host', 'Hello.default.localhost:8080', 'X-A', 'padded', 'x-a', 'two']]);
    });

    it('strips only SP and HTAB around a value: NBSP stays (VT and FF are control characters, refused below)', () => {
      const h = parseRequestHead(req(['GET / HTTP/1.1', 'Host: h', 'X-A: \t a\xa0b\xa0 \t']));
      expect(h.headers).to.deep.equal(['Host', 'h', 'X-A', 'a\xa0b\xa0']);
    });

    it('takes exactly 100 header fields', () => {
      const head = ['GET / HTTP/1.1', 'Host: h', ...Array.from({ length: 99 }, (_, i) => `X-${i}: v`)];
      expect(parseRequestHead(req(head)).headers.length).to.equal(200);
    });
  });

  describe('parseRequestHead: absolute-form is routed by its authority and sent on in origin-form (RFC 9112 3.2.2)', () => {
    const cases: Array<[string, string, string, string | undefined]> = [
      ['GET http://a.ns.localhost/x?y=1 HTTP/1.1', 'Host: other.ns.localhost', '/x?y=1', 'a.ns.localhost'],
      ['GET HTTP://A.ns.localhost:8080?q HTTP/1.1', 'Host: A.ns.localhost:8080', '/?q', 'A.ns.localhost:8080'],
      ['GET http://a.ns.localhost HTTP/1.1', 'Host: a.ns.localhost', '/', 'a.ns.localhost'],
      ['GET http://[::1]:80/p HTTP/1.0', 'X-A: 1', '/p', '[::1]:80'],
      ['OPTIONS http://a.ns.localhost HTTP/1.1', 'Host: a.ns.localhost', '*', 'a.ns.localhost'],
      ['OPTIONS * HTTP/1.1', 'Host: a.ns.localhost', '*', 'a.ns.localhost'],
      ['GET //x HTTP/1.1', 'Host: a', '//x', 'a'],
    ];
    for (const [line, field, path, host] of cases) {
      it(line, () => {
        const h = parseRequestHead(req([line, field]));
        expect({ path: h.path, host: h.host, target: h.target }).to.deep.equal({ path, host, target: line.split(' ')[1] });
      });
    }
  });

  describe('parseRequestHead: refused, with the reason', () => {
    const cases: Array<[string, string[], number, RegExp]> = [
      ['Content-Length and Transfer-Encoding', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 1', 'Transfer-Encoding: chunked'], 400, /both Content-Length and Transfer-Encoding/],
      ['conflicting Content-Lengths', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 1', 'Content-Length: 2'], 400, /conflicting Content-Length/],
      ['two equal Content-Length fields', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 5', 'Content-Length: 5'], 400, /more than one Content-Length/],
      ['a Content-Length list', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 5, 5'], 400, /invalid Content-Length "5, 5"/],
      ['a Content-Length with a space inside', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 5 5'], 400, /invalid Content-Length "5 5"/],
      ['a signed Content-Length', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: +1'], 400, /invalid Content-Length "\+1"/],
      ['an empty Content-Length', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: '], 400, /invalid Content-Length ""/],
      ['a Content-Length after NBSP', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: \xa05'], 400, /invalid Content-Length/],
      ['a Content-Length after VT', ['POST / HTTP/1.1', 'Host: h', 'Content-Length: \x0b5'], 400, /invalid characters in header "Content-Length"/],
      ['VT before chunked', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: \x0bchunked'], 400, /invalid characters in header "Transfer-Encoding"/],
      ['FF after chunked', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked\x0c'], 400, /invalid characters in header "Transfer-Encoding"/],
      ['NBSP before chunked', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: \xa0chunked'], 400, /invalid Transfer-Encoding/],
      ['a Transfer-Encoding with an empty element', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked,'], 400, /invalid Transfer-Encoding "chunked,"/],
      ['a quoted Transfer-Encoding', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: "chunked"'], 400, /invalid Transfer-Encoding/],
      ['an empty Transfer-Encoding', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding:'], 400, /invalid Transfer-Encoding ""/],
      ['chunked twice', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], 501, /unsupported Transfer-Encoding "chunked, chunked"/],
      ['chunked not last', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked, gzip'], 400, /unsupported Transfer-Encoding "chunked, gzip"/],
      ['a coding before chunked', ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: gzip, chunked'], 501, /unsupported Transfer-Encoding "gzip, chunked"/],
      ['Transfer-Encoding in HTTP/1.0', ['POST / HTTP/1.0', 'Transfer-Encoding: chunked'], 400, /HTTP\/1\.0/],
      ['whitespace before the colon', ['GET / HTTP/1.1', 'Host : h'], 400, /invalid header name "Host "/],
      ['a folded line', ['GET / HTTP/1.1', 'Host: h', 'X-A: 1', ' 2'], 400, /obsolete line folding/],
      ['a line without a colon', ['GET / HTTP/1.1', 'Host: h', 'garbage'], 400, /malformed header line "garbage"/],
      ['a NUL in a value', ['GET / HTTP/1.1', 'Host: h', 'X-A: a\x00b'], 400, /invalid characters in header "X-A"/],
      ['a DEL in a value', ['GET / HTTP/1.1', 'Host: h', 'X-A: a\x7f'], 400, /invalid characters in header "X-A"/],
      ['a bare LF ending a field', ['GET / HTTP/1.1', 'Host: h\nX-A: 1'], 400, /bare CR or LF in header line "Host: h\\nX-A: 1"/],
      ['a bare CR ending a field', ['GET / HTTP/1.1', 'Host: h\rX-A: 1'], 400, /bare CR or LF in header line/],
      ['a bare LF ending the request line', ['GET / HTTP/1.1\nHost: h'], 400, /bare CR or LF in the start line/],
      ['a folded line after a tab', ['GET / HTTP/1.1', 'Host: h', 'X-A: 1', '\t2'], 400, /obsolete line folding/],
      ['an empty header name', ['GET / HTTP/1.1', 'Host: h', ': v'], 400, /malformed header line/],
      ['101 header fields', ['GET / HTTP/1.1', 'Host: h', ...Array.from({ length: 100 }, (_, i) => `X-${i}: v`)], 431, /more than 100 header fields/],
      ['a head over 16 KiB', ['GET / HTTP/1.1', 'Host: h', `X-A: ${'a'.repeat(16 * 1024)}`], 431, /head larger than 16384 bytes/],
      ['an invalid Host', ['GET / HTTP/1.1', 'Host: a b'], 400, /invalid Host "a b"/],
      ['a Host with a path', ['GET / HTTP/1.1', 'Host: a/b'], 400, /invalid Host/],
      ['two Hosts', ['GET / HTTP/1.1', 'Host: a', 'Host: b'], 400, /more than one Host/],
      ['no Host in HTTP/1.1', ['GET / HTTP/1.1'], 400, /missing Host header/],
      ['a bad request line', ['GET/ HTTP/1.1', 'Host: h'], 400, /malformed request line/],
      ['two spaces after the method', ['GET  / HTTP/1.1', 'Host: h'], 400, /malformed request line/],
      ['a space after the version', ['GET / HTTP/1.1 ', 'Host: h'], 400, /malformed request line/],
      ['a tab for a space', ['GET\t/ HTTP/1.1', 'Host: h'], 400, /malformed request line/],
      ['a control character in the target', ['GET /a\x01 HTTP/1.1', 'Host: h'], 400, /invalid request target/],
      ['obs-text in the target', ['GET /\xe9 HTTP/1.1', 'Host: h'], 400, /invalid request target/],
      ['a target in no form', ['GET a/b HTTP/1.1', 'Host: h'], 400, /invalid request target "a\/b"/],
      ['authority-form without CONNECT', ['GET h:80 HTTP/1.1', 'Host: h'], 400, /invalid request target "h:80"/],
      ['"*" without OPTIONS', ['GET * HTTP/1.1', 'Host: h'], 400, /request target "\*" with GET/],
      ['an https absolute-form', ['GET https://h/ HTTP/1.1', 'Host: h'], 400, /unsupported scheme "https"/],
      ['userinfo in absolute-form', ['GET http://u:p@h/ HTTP/1.1', 'Host: h'], 400, /userinfo in the request target/],
      ['an empty authority', ['GET http:///x HTTP/1.1', 'Host: h'], 400, /invalid authority ""/],
      ['an empty host with a port', ['GET http://:80/x HTTP/1.1', 'Host: h'], 400, /invalid authority ":80"/],
      ['absolute-form without Host in HTTP/1.1', ['GET http://h/ HTTP/1.1'], 400, /missing Host header/],
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

    it('two equal Content-Length fields read one way', () => {
      const r = parseResponseHead(req(['HTTP/1.1 200 OK', 'Content-Length: 5', 'content-length: 005']), 'GET');
      expect(r.framing).to.deep.equal({ kind: 'length', length: 5 });
    });
  });

  describe('parseResponseHead: refused with 502', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['differing Content-Lengths', ['HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 6'], /conflicting Content-Length values/],
      ['a Content-Length list', ['HTTP/1.1 200 OK', 'Content-Length: 5, 5'], /invalid Content-Length "5, 5"/],
      ['a Transfer-Encoding that is not a token list', ['HTTP/1.1 200 OK', 'Transfer-Encoding: \xa0chunked'], /invalid Transfer-Encoding/],
      ['VT in a Transfer-Encoding', ['HTTP/1.1 200 OK', 'Transfer-Encoding: \x0bchunked'], /invalid characters in header "Transfer-Encoding"/],
      ['a bare LF', ['HTTP/1.1 200 OK', 'X-A: 1\nContent-Length: 0'], /bare CR or LF/],
      ['a NUL in a value', ['HTTP/1.1 200 OK', 'X-A: \x00'], /invalid characters in header "X-A"/],
      ['a folded line', ['HTTP/1.1 200 OK', 'X-A: 1', ' 2'], /obsolete line folding/],
      ['whitespace before the colon', ['HTTP/1.1 200 OK', 'Content-Length : 1'], /invalid header name "Content-Length "/],
      ['101 header fields', ['HTTP/1.1 200 OK', ...Array.from({ length: 101 }, (_, i) => `X-${i}: v`)], /more than 100 header fields/],
      ['a head over 64 KiB', ['HTTP/1.1 200 OK', `X-A: ${'a'.repeat(64 * 1024)}`], /head larger than 65536 bytes/],
      ['a status out of range', ['HTTP/1.1 600 Odd'], /malformed status line/],
      ['a status under 100', ['HTTP/1.1 099 Odd'], /malformed status line/],
    ];
    for (const [name, head, message] of cases) {
      it(name, () => {
        let err: unknown;
        try {
          parseResponseHead(req(head), 'GET');
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(HeadError);
        expect((err as HeadError).status).to.equal(502);
        expect((err as HeadError).message).to.match(/^invalid response from the pod: /).and.to.match(message);
      });
    }
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
        name: 'hop-by-hop fields dropped, including those named in Connection; Transfer-Encoding kept though Connection names it (the body goes through chunked)',
        head: [
          'POST / HTTP/1.1', 'Host: h.example', 'Connection: keep-alive, X-Secret ,x-other, transfer-encoding', 'Keep-Alive: timeout=5', 'Proxy-Connection: keep-alive', 'Transfer-Encoding: chunked',
          'TE: trailers', 'Upgrade: h2c', 'Proxy-Authorization: Basic Zm9vOmJhcg==', 'Proxy-Authenticate: Basic', 'X-Secret: s3cret', 'x-other: o', 'X-App: kept', 'Authorization: Bearer end-to-end',
        ],
        ip: '10.1.2.3', host: 'h.example',
        want: {
          host: 'h.example', 'transfer-encoding': 'chunked', 'x-app': 'kept', authorization: 'Bearer end-to-end',
          'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'http', forwarded: 'for=10.1.2.3;host=h.example;proto=http',
        },
      },
      {
        name: 'X-Forwarded-For and Forwarded appended (repeated fields joined), the client\'s X-Forwarded-Proto replaced: the activator is the edge',
        head: ['GET / HTTP/1.1', 'Host: h.example', 'X-Forwarded-For: 203.0.113.7', 'X-Forwarded-For: 10.0.0.1', 'X-Forwarded-Proto: https', 'x-forwarded-proto: https', 'Forwarded: for=203.0.113.7;proto=https'],
        ip: '10.0.0.2', host: 'h.example',
        want: {
          host: 'h.example', 'x-forwarded-for': '203.0.113.7, 10.0.0.1, 10.0.0.2', 'x-forwarded-proto': 'http',
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
      {
        name: 'several Upgrade fields go on as one list, empty ones left out',
        head: ['GET /ws HTTP/1.1', 'Host: h', 'Connection: Upgrade', 'Upgrade: h2c', 'Upgrade:', 'Upgrade: websocket'], ip: '10.0.0.2', host: 'h',
        want: { host: 'h', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h;proto=http', connection: 'Upgrade', upgrade: 'h2c, websocket' },
      },
      {
        name: 'Connection: content-length keeps the length the body is sent by',
        head: ['POST / HTTP/1.1', 'Host: h', 'Connection: content-length', 'Content-Length: 5'], ip: '10.0.0.2', host: 'h',
        want: { host: 'h', 'content-length': '5', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h;proto=http' },
      },
      {
        name: 'Connection: host keeps Host',
        head: ['GET / HTTP/1.1', 'Connection: Host, close', 'Host: h'], ip: '10.0.0.2', host: 'h',
        want: { host: 'h', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h;proto=http' },
      },
      {
        name: 'framing written by the activator: one content-length, whatever the client spelt',
        head: ['POST / HTTP/1.1', 'Host: h', 'content-LENGTH: 0012'], ip: '10.0.0.2', host: 'h',
        want: { host: 'h', 'content-length': '12', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h;proto=http' },
      },
      {
        name: 'framing written by the activator: transfer-encoding chunked, lower case',
        head: ['POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding:  Chunked\t'], ip: '10.0.0.2', host: 'h',
        want: { host: 'h', 'transfer-encoding': 'chunked', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h;proto=http' },
      },
      {
        name: 'a Content-Length of 0 is sent on as 0',
        head: ['POST / HTTP/1.1', 'Host: h', 'Content-Length: 0'], ip: '10.0.0.2', host: 'h',
        want: { host: 'h', 'content-length': '0', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=h;proto=http' },
      },
      {
        name: 'absolute-form: origin-form for the pod, the authority as its Host',
        head: ['GET http://a.ns.localhost:8080/x?q=1 HTTP/1.1', 'Host: other.ns.localhost'], ip: '10.0.0.2', host: 'a.ns.localhost', start: 'GET /x?q=1 HTTP/1.1',
        want: { host: 'a.ns.localhost:8080', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=a.ns.localhost;proto=http' },
      },
      {
        name: 'absolute-form in HTTP/1.0 without Host: the authority becomes Host',
        head: ['GET http://a.ns.localhost HTTP/1.0'], ip: '10.0.0.2', host: 'a.ns.localhost', start: 'GET / HTTP/1.0',
        want: { host: 'a.ns.localhost', 'x-forwarded-for': '10.0.0.2', 'x-forwarded-proto': 'http', forwarded: 'for=10.0.0.2;host=a.ns.localhost;proto=http' },
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

  it('responseHeadForClient drops the pod\'s hop-by-hop fields, writes the framing itself and says close when asked', () => {
    const res = parseResponseHead(req(['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Connection: keep-alive, X-Hop', 'Keep-Alive: timeout=5', 'X-Hop: 1', 'Transfer-Encoding: chunked', 'Set-Cookie: a=1', 'Set-Cookie: b=2']), 'GET');
    expect(responseHeadForClient(res, false)).to.equal('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n');
    expect(responseHeadForClient(res, true)).to.equal('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nconnection: close\r\n\r\n');
  });

  describe('responseHeadForClient: the framing field', () => {
    const cases: Array<[string, string[], string, string]> = [
      ['Connection: content-length keeps the length', ['HTTP/1.1 200 OK', 'Connection: content-length', 'Content-Length: 5'], 'GET', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n'],
      ['Connection: transfer-encoding keeps chunked', ['HTTP/1.1 200 OK', 'Connection: Transfer-Encoding', 'Transfer-Encoding: chunked'], 'GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'],
      ['Content-Length beside Transfer-Encoding is dropped', ['HTTP/1.1 200 OK', 'Content-Length: 5', 'Transfer-Encoding: chunked'], 'GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'],
      ['two equal Content-Lengths become one', ['HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 05'], 'GET', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n'],
      ['Content-Length 0 is kept', ['HTTP/1.1 200 OK', 'Content-Length: 0'], 'GET', 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'],
      ['HEAD keeps the length of what GET would send', ['HTTP/1.1 200 OK', 'Content-Length: 5'], 'HEAD', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n'],
      ['the codings as parsed, not as spelt', ['HTTP/1.1 200 OK', 'Transfer-Encoding: GZIP', 'transfer-encoding:  chunked'], 'GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n'],
      ['a coding that reads until close is still named', ['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip'], 'GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n'],
      ['until close without a coding: nothing', ['HTTP/1.1 200 OK', 'X-A: 1'], 'GET', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n'],
      ['the framing field comes first', ['HTTP/1.1 200 OK', 'X-A: 1', 'Content-Length: 2', 'X-B: 2'], 'GET', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nX-A: 1\r\nX-B: 2\r\n\r\n'],
      ['204 carries no length', ['HTTP/1.1 204 No Content', 'Content-Length: 5'], 'GET', 'HTTP/1.1 204 No Content\r\n\r\n'],
      ['1xx carries no length', ['HTTP/1.1 103 Early Hints', 'Content-Length: 5', 'Link: </a>'], 'GET', 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n'],
    ];
    for (const [name, head, method, want] of cases) {
      it(name, () => {
        expect(responseHeadForClient(parseResponseHead(req(head), method), false)).to.equal(want);
      });
    }
  });

  it('a status line with a control character in its reason is refused', () => {
    expect(() => parseResponseHead('HTTP/1.1 200 O\x01K', 'GET')).to.throw(HeadError, /malformed status line/);
  });
});
