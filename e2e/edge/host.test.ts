import { expect } from 'chai';
import { answered, expectOutcome, freshRecords, NOT_IMPLEMENTED, refused, runCases, type EdgeCase } from './support/cases.js';
import { fill, type Saw } from './support/expect.js';
import { RawConnection } from './support/raw.js';
import { get, head } from './support/requests.js';
import { edge } from './support/suite.js';

// Which pod a request reaches, and what the activator says about the client: Host and the request target
// (RFC 9112 3.2, 3.2.2: an absolute-form target's authority wins over Host), and the X-Forwarded-* and
// Forwarded fields the edge sets.

const GET = (target: string, more: Partial<Saw> = {}): Saw => ({ method: 'GET', target, ...more });
const ok = (name: string, send: string, target: string, saw: Saw = GET(target)): EdgeCase => ({ name, send, replies: [answered('GET', target)], closed: false, pod: [saw] });

describe('edge: Host and the request target', function () {
  runCases([
    refused('no Host in HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n'),
    refused('two Host fields, equal', 'GET / HTTP/1.1\r\nHost: {A}\r\nHost: {A}\r\n\r\n'),
    refused('two Host fields, A and B', 'GET / HTTP/1.1\r\nHost: {A}\r\nHost: {B}\r\n\r\n'),
    { ...refused('a host no Route serves', 'GET / HTTP/1.1\r\nHost: nobody.nowhere.localhost\r\n\r\n'), replies: [{ status: 404, code: 'KZERO_NO_ROUTE' }] },
    ok('Host with a port is routed by its name', head('GET /port HTTP/1.1', 'Host: {A}:8080'), '/port', GET('/port', { host: ['{A}:8080'] })),
    ok('absolute-form: routed by the authority, forwarded as origin-form', head('GET http://{A}/x HTTP/1.1', 'Host: {A}'), '/x'),
    ok('absolute-form with a query', head('GET http://{A}/x?q=1&r=2 HTTP/1.1', 'Host: {A}'), '/x?q=1&r=2'),
    ok('absolute-form with no path: /', head('GET http://{A} HTTP/1.1', 'Host: {A}'), '/'),
    ok('absolute-form with a port: Host becomes the authority', head('GET http://{A}:8080/x HTTP/1.1', 'Host: {A}'), '/x', GET('/x', { host: ['{A}:8080'] })),
    {
      name: "absolute-form naming B while Host names A: B's pod gets it",
      send: head('GET http://{B}/x HTTP/1.1', 'Host: {A}'),
      replies: [answered('GET', '/x')],
      closed: false,
      pod: [],
      podB: [GET('/x')],
    },
    refused('absolute-form without Host in HTTP/1.1', 'GET http://{A}/x HTTP/1.1\r\n\r\n'),
    refused('an https:// target', head('GET https://{A}/x HTTP/1.1', 'Host: {A}')),
    refused('an ftp:// target', head('GET ftp://{A}/x HTTP/1.1', 'Host: {A}')),
    refused('userinfo in the authority', head('GET http://user:pw@{A}/x HTTP/1.1', 'Host: {A}')),
    refused('an empty authority', head('GET http:///x HTTP/1.1', 'Host: {A}')),
    refused('* with GET', head('GET * HTTP/1.1', 'Host: {A}')),
    refused('authority-form with GET', head('GET {A}:80 HTTP/1.1', 'Host: {A}')),
    { name: 'OPTIONS *', send: head('OPTIONS * HTTP/1.1', 'Host: {A}'), replies: [answered('OPTIONS', '*')], closed: false, pod: [{ method: 'OPTIONS', target: '*' }] },
    refused('CONNECT', head('CONNECT {A}:443 HTTP/1.1', 'Host: {A}:443'), NOT_IMPLEMENTED),
    ok('the client\'s X-Forwarded-Proto is replaced by the edge\'s', get('/xfp', 'X-Forwarded-Proto: https'), '/xfp', GET('/xfp', { also: { 'x-forwarded-proto': ['http'] } })),
    ok('two X-Forwarded-Proto from the client: one from the edge', get('/xfp', 'X-Forwarded-Proto: https', 'X-Forwarded-Proto: wss'), '/xfp', GET('/xfp', { also: { 'x-forwarded-proto': ['http'] } })),
    ok('X-Forwarded-For is appended to', get('/xff', 'X-Forwarded-For: 203.0.113.7'), '/xff', GET('/xff', { also: { 'x-forwarded-for': ['203.0.113.7, 127.0.0.1'] } })),
    ok('Forwarded is appended to', get('/fwd', 'Forwarded: for=203.0.113.7'), '/fwd', GET('/fwd', { also: { forwarded: ['for=203.0.113.7, for=127.0.0.1;host={A};proto=http'] } })),
  ]);

  it('the HTTP/2 preface is refused (400 or 501) and the connection closed', async () => {
    const e = await edge();
    await freshRecords(e);
    const conn = await RawConnection.open();
    try {
      await conn.write(fill('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', e.hosts));
      const [reply] = (await conn.responses(1)).responses;
      expect(reply?.status).to.be.oneOf([400, 501]);
      const status = reply!.status;
      await expectOutcome(e, conn, { replies: [{ status, code: status === 400 ? 'KZERO_BAD_REQUEST' : 'KZERO_NOT_IMPLEMENTED' }], closed: true, pod: [] });
    } finally {
      conn.destroy();
    }
  });
});
