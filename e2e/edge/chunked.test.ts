import { answered, refused, runCases, type EdgeCase } from './support/cases.js';
import type { Saw } from './support/expect.js';
import { postRaw } from './support/requests.js';

// Chunked request bodies through the activator: it forwards the chunks as they came, so it must scan them
// exactly as the pod will (RFC 9112 7.1): sizes, extensions and trailers it cannot frame are refused before
// anything reaches the pod.

const chunked = (body: string): string => postRaw('/chunked', ['Transfer-Encoding: chunked'], body);
const saw = (body: string, more: Partial<Saw> = {}): Saw => ({ method: 'POST', target: '/chunked', te: ['chunked'], body, ...more });
const ok = (name: string, body: string, decoded: string, trailers: string[] = []): EdgeCase => ({
  name, send: chunked(body), replies: [answered('POST', '/chunked')], closed: false, pod: [saw(decoded, { trailers })],
});
const bad = (name: string, body: string): EdgeCase => refused(name, chunked(body));

describe('edge: chunked request bodies', function () {
  runCases([
    ok('one chunk', '5\r\nhello\r\n0\r\n\r\n', 'hello'),
    ok('several chunks, upper-case hex', '5\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n', 'hello0123456789'),
    ok('a size with leading zeros', '0005\r\nhello\r\n0\r\n\r\n', 'hello'),
    ok('a size of 16 hex digits', '0000000000000005\r\nhello\r\n0\r\n\r\n', 'hello'),
    ok('an extension after ;', '5;name=value\r\nhello\r\n0\r\n\r\n', 'hello'),
    ok('an extension with a quoted string', '5;a="b c"\r\nhello\r\n0\r\n\r\n', 'hello'),
    ok('a valid trailer', '5\r\nhello\r\n0\r\nX-Trailer: v\r\n\r\n', 'hello', ['X-Trailer', 'v']),
    {
      // BWS before ';' is allowed by the activator (RFC 9112 7.1.1); Node's llhttp refuses it, so the pod
      // answers 400 itself: it still sees one request, never a second one.
      name: 'BWS before ; passes, and the pod refuses it',
      send: chunked('5 ;a=b\r\nhello\r\n0\r\n\r\n'),
      replies: [{ status: 400, headers: { 'x-recorder-error': ['HPE_INVALID_CHUNK_SIZE'] } }],
      closed: false,
      pod: [saw('', { complete: false }), { error: 'HPE_INVALID_CHUNK_SIZE' }],
    },
    bad('a size of 17 hex digits', '00000000000000005\r\nhello\r\n0\r\n\r\n'),
    bad('a size beyond 2^53', 'fffffffffffffff\r\nhello\r\n0\r\n\r\n'),
    bad('a negative size', '-5\r\nhello\r\n0\r\n\r\n'),
    bad('a 0x size', '0x5\r\nhello\r\n0\r\n\r\n'),
    bad('an empty size line', '\r\nhello\r\n0\r\n\r\n'),
    bad('an extension without ;', '5 x\r\nhello\r\n0\r\n\r\n'),
    bad('an extension with a CTL', '5;a=\x01\r\nhello\r\n0\r\n\r\n'),
    bad('bare LF after the size', '5\nhello\r\n0\r\n\r\n'),
    bad('no CRLF after the data', '5\r\nhello0\r\n\r\n'),
    bad('a size smaller than the data', '3\r\nhello\r\n0\r\n\r\n'),
    bad('a size larger than the data', '9\r\nhello\r\n0\r\n\r\n'),
    bad('a trailer ended by bare LF', '5\r\nhello\r\n0\r\nX-T: v\n\r\n'),
    bad('a trailer line starting with bare LF', '5\r\nhello\r\n0\r\n\nX-T: v\r\n\r\n'),
    bad('a trailer without a colon', '5\r\nhello\r\n0\r\nX-T v\r\n\r\n'),
    bad('a folded trailer', '5\r\nhello\r\n0\r\nX-T: v\r\n w\r\n\r\n'),
    bad('a 20 KiB trailer', `5\r\nhello\r\n0\r\nX-T: ${'t'.repeat(20 * 1024)}\r\n\r\n`),
  ]);
});
