import { answered, BAD_REQUEST, runCases } from './support/cases.js';
import type { Saw } from './support/expect.js';
import { get, head, post, postRaw, SMUGGLED } from './support/requests.js';

// Several requests in one write (RFC 9112 9.3.2): answered in order, each forwarded as its own request, and
// nothing after a request that ended the connection (an error, Connection: close, HTTP/1.0) is forwarded.

const GET = (target: string): Saw => ({ method: 'GET', target });
const ten = Array.from({ length: 10 }, (_, i) => `/${i}`);

describe('edge: pipelining', function () {
  runCases([
    { name: 'two requests in one write, answered in order', send: get('/1') + get('/2'), replies: [answered('GET', '/1'), answered('GET', '/2')], closed: false, pod: [GET('/1'), GET('/2')] },
    { name: 'ten requests in one write, answered in order', send: ten.map((t) => get(t)).join(''), replies: ten.map((t) => answered('GET', t)), closed: false, pod: ten.map(GET) },
    {
      name: 'a POST with a body, then a GET',
      send: post('/1', 'hello') + get('/2'),
      replies: [answered('POST', '/1'), answered('GET', '/2')],
      closed: false,
      pod: [{ method: 'POST', target: '/1', cl: ['5'], body: 'hello' }, GET('/2')],
    },
    {
      name: 'a chunked POST, then a GET',
      send: postRaw('/1', ['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n') + get('/2'),
      replies: [answered('POST', '/1'), answered('GET', '/2')],
      closed: false,
      pod: [{ method: 'POST', target: '/1', te: ['chunked'], body: 'hello' }, GET('/2')],
    },
    {
      name: 'a bodiless POST, then a GET: no body is made up',
      send: head('POST /1 HTTP/1.1', 'Host: {A}') + get('/2'),
      replies: [answered('POST', '/1'), answered('GET', '/2')],
      closed: false,
      pod: [{ method: 'POST', target: '/1' }, GET('/2')],
    },
    {
      name: 'a request inside a body is not a request',
      send: post('/outer', SMUGGLED),
      replies: [answered('POST', '/outer')],
      closed: false,
      pod: [{ method: 'POST', target: '/outer', cl: [String(SMUGGLED.length)], body: SMUGGLED }],
    },
    {
      name: 'HEAD, then a GET: the HEAD answer has no body',
      send: head('HEAD /1 HTTP/1.1', 'Host: {A}') + get('/2'),
      methods: ['HEAD', 'GET'],
      replies: [{ status: 200, framing: 'none' }, answered('GET', '/2')],
      closed: false,
      pod: [{ method: 'HEAD', target: '/1' }, GET('/2')],
    },
    { name: 'empty lines between requests are skipped', send: get('/1') + '\r\n\r\n' + get('/2'), replies: [answered('GET', '/1'), answered('GET', '/2')], closed: false, pod: [GET('/1'), GET('/2')] },
    {
      name: 'a GET, a malformed request, a GET: nothing after the error is forwarded',
      send: get('/1') + 'GET /bad HTTP/1.1\r\nHost: {A}\r\nX-A: a\x00b\r\n\r\n' + get('/3'),
      replies: [answered('GET', '/1'), BAD_REQUEST],
      closed: true,
      pod: [GET('/1')],
    },
    {
      name: 'a chunked POST with a bad chunk, then a GET: neither is forwarded',
      send: postRaw('/1', ['Transfer-Encoding: chunked'], '5\r\nhelloXX0\r\n\r\n') + get('/2'),
      replies: [BAD_REQUEST],
      closed: true,
      pod: [],
    },
    {
      name: 'Connection: close on the first: the second is never forwarded',
      send: get('/1', 'Connection: close') + get('/2'),
      replies: [{ ...answered('GET', '/1'), headers: { connection: ['close'] } }],
      closed: true,
      pod: [GET('/1')],
    },
    {
      name: 'HTTP/1.0 without keep-alive, then another: the second is never forwarded',
      send: head('GET /1 HTTP/1.0', 'Host: {A}') + get('/2'),
      replies: [answered('GET', '/1')],
      closed: true,
      pod: [GET('/1')],
    },
  ]);
});
