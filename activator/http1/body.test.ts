import { expect } from 'chai';
import { BodyFramer } from './body.js';
import { HeadError, type Framing } from './head.js';

/** Feeds `stream` to a framer in pieces of `step` bytes: how many bytes it took, and whether it ended. */
function feed(framing: Framing, stream: string, step: number): { taken: number; done: boolean } {
  const f = new BodyFramer(framing);
  const buf = Buffer.from(stream, 'latin1');
  let taken = 0;
  for (let at = 0; at < buf.length && !f.done; at += step) {
    const piece = buf.subarray(at, Math.min(buf.length, at + step));
    const n = f.take(piece, 0);
    taken += n;
    if (n < piece.length) break;
  }
  return { taken, done: f.done };
}

describe('activator/http1/body', () => {
  const chunked: Framing = { kind: 'chunked' };
  const body = '5\r\nhello\r\n1;name=v;x="q"\r\n!\r\nA\r\n0123456789\r\n0\r\nX-Sum: 16\r\nX-Two: 2\r\n\r\n';
  const next = 'GET /next HTTP/1.1\r\n';

  for (const step of [1, 2, 3, 7, 1000]) {
    it(`finds the end of a chunked body with extensions and trailers, fed ${step} byte(s) at a time`, () => {
      expect(feed(chunked, body + next, step)).to.deep.equal({ taken: body.length, done: true });
    });
  }

  it('a chunked body with no trailers ends at the blank line after the last chunk', () => {
    expect(feed(chunked, '0\r\n\r\nrest', 1000)).to.deep.equal({ taken: 5, done: true });
  });

  it('counts a length down across pieces and leaves what follows', () => {
    expect(feed({ kind: 'length', length: 10 }, '0123456789GET', 4)).to.deep.equal({ taken: 10, done: true });
    expect(feed({ kind: 'length', length: 10 }, '01234', 2)).to.deep.equal({ taken: 5, done: false });
  });

  it('takes nothing when there is no body, and everything until close', () => {
    expect(feed({ kind: 'none' }, 'GET', 10)).to.deep.equal({ taken: 0, done: true });
    expect(feed({ kind: 'close' }, 'all of it', 3)).to.deep.equal({ taken: 9, done: false });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a size that is not hex', 'x\r\n', /malformed chunk size/],
    ['an empty size', '\r\n', /malformed chunk size/],
    ['a size too large to be exact', 'fffffffffffffffff\r\n', /chunk size too large/],
    ['data longer than its size', '2\r\nabc\r\n', /chunk data not followed by CRLF/],
    ['a bare LF after the size', '2\nab\r\n', /malformed chunk size/],
    ['a bare LF in a trailer', '0\r\nX: 1\n\r\n', /malformed trailer/],
  ];
  for (const [name, stream, message] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => feed(chunked, stream, 1000)).to.throw(HeadError, message);
    });
  }

  it('a response body error carries the status given (502 for a pod)', () => {
    const f = new BodyFramer(chunked, (m) => new HeadError(502, m));
    try {
      f.take(Buffer.from('zz\r\n'), 0);
      expect.fail('no error');
    } catch (err) {
      expect((err as HeadError).status).to.equal(502);
    }
  });
});
