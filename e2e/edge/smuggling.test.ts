import { answered, NOT_IMPLEMENTED, refused, runCases, type EdgeCase } from './support/cases.js';
import { get, head, post, postRaw, SMUGGLED } from './support/requests.js';

// Request smuggling through the activator: every way two HTTP/1.1 parsers can disagree on where a request
// ends (RFC 9112 6, 5.1, 2.2). The activator refuses what is ambiguous (400, closed, nothing forwarded) and
// frames what it forwards itself, so the pod can only ever see the requests the client's bytes made.

const chunkedHello = '5\r\nhello\r\n0\r\n\r\n';
const ok = (name: string, send: string, target: string, pod: EdgeCase['pod'], method = 'POST'): EdgeCase => ({ name, send, replies: [answered(method, target)], closed: false, pod });

describe('edge: request smuggling', function () {
  runCases([
    // Content-Length and Transfer-Encoding together, and Transfer-Encoding variants
    refused('Content-Length with Transfer-Encoding', postRaw('/', ['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n')),
    refused('Transfer-Encoding "chunked, identity": chunked not last', postRaw('/', ['Transfer-Encoding: chunked, identity'], chunkedHello)),
    refused('Transfer-Encoding "identity"', postRaw('/', ['Transfer-Encoding: identity'], 'hello')),
    { ...refused('Transfer-Encoding "gzip, chunked": a coding we do not decode', postRaw('/', ['Transfer-Encoding: gzip, chunked'], chunkedHello)), replies: [NOT_IMPLEMENTED] },
    refused('Transfer-Encoding "\\x0bchunked": VT is not whitespace', postRaw('/', ['Transfer-Encoding: \x0bchunked'], chunkedHello)),
    refused('Transfer-Encoding "chunked\\x0c": FF is not whitespace', postRaw('/', ['Transfer-Encoding: chunked\x0c'], chunkedHello)),
    refused('Transfer-Encoding "\\xa0chunked": NBSP is not whitespace', postRaw('/', ['Transfer-Encoding: \xa0chunked'], chunkedHello)),
    refused('Transfer-Encoding in an HTTP/1.0 request', head('POST / HTTP/1.0', 'Host: {A}', 'Transfer-Encoding: chunked') + chunkedHello),
    refused('" Transfer-Encoding" on a line of its own: obs-fold', postRaw('/', ['X-A: 1', ' Transfer-Encoding: chunked'], chunkedHello)),
    ok('Transfer-Encoding " \\t chunked \\t": SP and HTAB are OWS', postRaw('/te', ['Transfer-Encoding: \t chunked \t'], chunkedHello), '/te', [{ method: 'POST', target: '/te', te: ['chunked'], body: 'hello' }]),

    // Content-Length that is not exactly one run of digits
    refused('Content-Length "5, 5"', postRaw('/', ['Content-Length: 5, 5'], 'hello')),
    refused('two Content-Length fields, equal', postRaw('/', ['Content-Length: 5', 'Content-Length: 5'], 'hello')),
    refused('two Content-Length fields, different', postRaw('/', ['Content-Length: 5', 'Content-Length: 6'], 'hello!')),
    refused('Content-Length "+5"', postRaw('/', ['Content-Length: +5'], 'hello')),
    refused('Content-Length "0x5"', postRaw('/', ['Content-Length: 0x5'], 'hello')),
    refused('Content-Length "-1"', postRaw('/', ['Content-Length: -1'], 'hello')),
    refused('Content-Length "5 5"', postRaw('/', ['Content-Length: 5 5'], 'hello')),
    refused('Content-Length empty', postRaw('/', ['Content-Length: '], 'hello')),
    refused('Content-Length of 20 digits', postRaw('/', ['Content-Length: 18446744073709551621'], 'hello')),
    ok('Content-Length " \\t5 ": OWS around one length', postRaw('/cl', ['Content-Length: \t5 '], 'hello'), '/cl', [{ method: 'POST', target: '/cl', cl: ['5'], body: 'hello' }]),

    // Connection naming fields: framing and Host are never removed, anything else is
    ok('Connection: content-length keeps the length (the body is not a second request)', post('/outer', SMUGGLED, 'Connection: content-length'), '/outer', [{ method: 'POST', target: '/outer', cl: [String(SMUGGLED.length)], body: SMUGGLED }]),
    ok('Connection: Content-Length, in any case, keeps it too', post('/outer', SMUGGLED, 'Connection: keep-alive, Content-Length'), '/outer', [{ method: 'POST', target: '/outer', cl: [String(SMUGGLED.length)], body: SMUGGLED }]),
    ok('Connection: transfer-encoding keeps the chunked framing', postRaw('/te', ['Transfer-Encoding: chunked', 'Connection: transfer-encoding'], chunkedHello), '/te', [{ method: 'POST', target: '/te', te: ['chunked'], body: 'hello' }]),
    ok('Connection: host keeps Host', get('/h', 'Connection: host'), '/h', [{ method: 'GET', target: '/h' }], 'GET'),
    ok('Connection: x-secret removes X-Secret', get('/s', 'X-Secret: 1', 'Connection: x-secret'), '/s', [{ method: 'GET', target: '/s', also: { 'x-secret': [] } }], 'GET'),

    // Field lines and the request line, strictly
    refused('obs-fold in a value', get('/', 'X-A: a', ' b')),
    refused('bare LF ends the request line', 'GET / HTTP/1.1\nHost: {A}\r\n\r\n'),
    refused('bare LF between fields', 'GET / HTTP/1.1\r\nHost: {A}\nX-A: b\r\n\r\n'),
    refused('bare LF ends the head, a request after it', 'GET / HTTP/1.1\r\nHost: {A}\r\n\nGET /2 HTTP/1.1\r\nHost: {A}\r\n\r\n'),
    refused('bare CR in a value', get('/', 'X-A: a\rb')),
    refused('bare CR in the request line', 'GET /\r HTTP/1.1\r\nHost: {A}\r\n\r\n'),
    refused('SP before the colon', postRaw('/', ['Transfer-Encoding : chunked'], chunkedHello)),
    refused('HTAB before the colon', postRaw('/', ['Content-Length\t: 5'], 'hello')),
    refused('NUL in a value', get('/', 'X-A: a\x00b')),
    refused('DEL in a value', get('/', 'X-A: a\x7fb')),
    refused('VT in a value', get('/', 'X-A: a\x0bb')),
    refused('an invalid field name', get('/', 'X@A: b')),
    refused('an empty field name', get('/', ': b')),
    refused('two SP after the method', 'GET  / HTTP/1.1\r\nHost: {A}\r\n\r\n'),
    refused('HTAB as a separator in the request line', 'GET\t/ HTTP/1.1\r\nHost: {A}\r\n\r\n'),
    refused('SP inside the target', 'GET /a b HTTP/1.1\r\nHost: {A}\r\n\r\n'),
    refused('a lower-case protocol name', 'GET / http/1.1\r\nHost: {A}\r\n\r\n'),
  ]);
});
