import { expect } from 'chai';
import { readResponses, type WireRead } from './wire.js';

/** A read reduced to what the cases compare. */
function brief(r: WireRead): unknown {
  return {
    responses: r.responses.map((x) => ({ status: x.status, framing: x.framing, body: x.body.toString('latin1'), complete: x.complete, ...(x.trailers.length ? { trailers: x.trailers } : {}) })),
    rest: r.rest.toString('latin1'),
    ...(r.upgraded ? { upgraded: true } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

const read = (bytes: string, methods: string[] = [], ended = false): unknown => brief(readResponses(Buffer.from(bytes, 'latin1'), methods, ended));
const res = (status: number, framing: string, body: string, complete = true) => ({ status, framing, body, complete });

describe('readResponses', () => {
  const cases: Array<[string, () => unknown, unknown]> = [
    ['a length-framed response', () => read('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello'), { responses: [res(200, 'length', 'hello')], rest: '' }],
    ['two in a row, and the start of a third kept as rest', () => read('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\nHTTP/1.1 2'), { responses: [res(200, 'length', 'a'), res(404, 'length', '')], rest: 'HTTP/1.1 2' }],
    ['a chunked body decoded, with extensions and trailers', () => read('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n!\r\n0\r\nx-t: v\r\n\r\n'), { responses: [{ ...res(200, 'chunked', 'hello!'), trailers: [['x-t', 'v']] }], rest: '' }],
    ['a chunked body not all there yet', () => read('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel'), { responses: [res(200, 'chunked', '', false)], rest: '5\r\nhel' }],
    ['a chunk longer than its size', () => read('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n'), { responses: [res(200, 'chunked', '', false)], rest: '5\r\nhelloXX\r\n0\r\n\r\n', error: 'chunk data not followed by CRLF' }],
    ['a length not all there', () => read('HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nhello'), { responses: [res(200, 'length', 'hello', false)], rest: '' }],
    ['no body for HEAD, 204 and 304', () => read('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\n', ['HEAD', 'GET', 'GET']), { responses: [res(200, 'none', ''), res(204, 'none', ''), res(304, 'none', '')], rest: '' }],
    ['interim responses do not use up a request', () => read('HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', ['HEAD']), { responses: [res(103, 'none', ''), res(100, 'none', ''), res(200, 'none', '')], rest: '' }],
    ['a 101: the rest is the tunnel', () => read('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\nping'), { responses: [res(101, 'none', '')], rest: 'ping', upgraded: true }],
    ['close-delimited, still open', () => read('HTTP/1.1 200 OK\r\n\r\nsome'), { responses: [res(200, 'close', 'some', false)], rest: '' }],
    ['close-delimited, ended', () => read('HTTP/1.1 200 OK\r\n\r\nsome', [], true), { responses: [res(200, 'close', 'some')], rest: '' }],
    ['a head cut by the end of the connection', () => read('HTTP/1.1 200 OK\r\ncontent-', [], true), { responses: [], rest: 'HTTP/1.1 200 OK\r\ncontent-', error: 'connection ended inside a response head' }],
    ['both framings', () => read('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n'), { responses: [], rest: 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n', error: 'both Content-Length and Transfer-Encoding' }],
    ['two lengths, even equal', () => (readResponses(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 5\r\n\r\nhello'), [], false).error), 'ambiguous Content-Length ["5","5"]'],
    ['a length list', () => readResponses(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5, 5\r\n\r\nhello'), [], false).error, 'ambiguous Content-Length ["5, 5"]'],
    ['a coding other than chunked', () => readResponses(Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n'), [], false).error, 'Transfer-Encoding ["gzip, chunked"] is not just chunked'],
    ['a folded header', () => readResponses(Buffer.from('HTTP/1.1 200 OK\r\nx-a: 1\r\n 2\r\n\r\n'), [], false).error, 'malformed header line " 2"'],
    ['a NUL in a value', () => readResponses(Buffer.from('HTTP/1.1 200 OK\r\nx-a: 1\x002\r\n\r\n', 'latin1'), [], false).error, 'control character in header x-a'],
    ['a bare LF in the head', () => readResponses(Buffer.from('HTTP/1.1 200 OK\nx-a: 1\r\n\r\n'), [], false).error, 'malformed status line "HTTP/1.1 200 OK\\nx-a: 1"'],
    ['something that is not HTTP', () => readResponses(Buffer.from('SSH-2.0-x\r\n\r\n'), [], false).error, 'malformed status line "SSH-2.0-x"'],
    ['header names lower-cased, values without OWS', () => readResponses(Buffer.from('HTTP/1.1 200 OK\r\nX-Kzero-Error:  KZERO_X \t\r\ncontent-length: 0\r\n\r\n'), [], false).responses[0]?.headers, [['x-kzero-error', 'KZERO_X'], ['content-length', '0']]],
  ];
  for (const [name, run, want] of cases) {
    it(name, () => {
      expect(run()).to.deep.equal(want);
    });
  }
});
