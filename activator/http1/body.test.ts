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

  // Chunk lines and trailers that read one way (RFC 9112 7.1): each is a whole body, then the next request.
  const good: Array<[string, string]> = [
    ['BWS between the size and the first ";"', '1 ;a=b\r\nx\r\n0\r\n\r\n'],
    ['a tab between the size and ";"', '1\t \t;a\r\nx\r\n0\r\n\r\n'],
    ['names without values', '1;a;b\r\nx\r\n0;c\r\n\r\n'],
    ['a quoted value with quoted pairs and obs-text', '1;a="b \\"c\\\\\xe9";d=e\r\nx\r\n0\r\n\r\n'],
    ['an empty quoted value', '1;a=""\r\nx\r\n0\r\n\r\n'],
    ['leading zeros up to 16 digits', '000000000000001\r\nx\r\n0000\r\n\r\n'],
    ['upper-case hex', 'A\r\n0123456789\r\n0\r\n\r\n'],
    ['a trailer with an empty value and obs-text', '0\r\nX-A:\r\nX-B: \xe9\t\r\n\r\n'],
  ];
  for (const [name, stream] of good) {
    it(`takes ${name}`, () => {
      expect(feed(chunked, stream + next, 3)).to.deep.equal({ taken: stream.length, done: true });
    });
  }

  const bad: Array<[string, string, RegExp]> = [
    ['a size that is not hex', 'x\r\n', /malformed chunk size/],
    ['an empty size', '\r\n', /malformed chunk size/],
    ['a size too large to be exact', 'fffffffffffffffff\r\n', /chunk size too large/],
    ['17 digits with leading zeros', '00000000000000001\r\n', /chunk size too large/],
    ['data longer than its size', '2\r\nabc\r\n', /chunk data not followed by CRLF/],
    ['a bare LF after the size', '2\nab\r\n', /malformed chunk size/],
    ['a bare CR after the size', '2\rab\r\n', /chunk size line not ended by CRLF/],
    ['a signed size', '+2\r\nab\r\n', /malformed chunk size/],
    ['an extension without ";"', '1 x\r\nx\r\n0\r\n\r\n', /malformed chunk extension/],
    ['garbage right after the size', '1x\r\nx\r\n0\r\n\r\n', /malformed chunk size/],
    ['BWS with no extension', '1 \r\nx\r\n0\r\n\r\n', /malformed chunk extension/],
    ['an empty extension name', '1;\r\nx\r\n', /malformed chunk extension/],
    ['a space after ";"', '1; a\r\nx\r\n', /malformed chunk extension/],
    ['a space before "="', '1;a =b\r\nx\r\n', /malformed chunk extension/],
    ['a space inside a token value', '1;a=b c\r\nx\r\n', /malformed chunk extension/],
    ['an empty token value', '1;a=\r\nx\r\n', /malformed chunk extension/],
    ['text after a quoted value', '1;a="b"c\r\nx\r\n', /malformed chunk extension/],
    ['a CTL in a quoted value', '1;a="b\x01"\r\nx\r\n', /malformed chunk extension/],
    ['a CR inside a quoted value', '1;a="b\r\nx\r\n', /malformed chunk extension/],
    ['a NUL in an extension', '1;a\x00\r\nx\r\n', /malformed chunk extension/],
    ['obs-text in a token value', '1;a=\xe9\r\nx\r\n', /malformed chunk extension/],
    ['a bare LF in an extension', '1;a\nx\r\n', /malformed chunk extension/],
    ['a bare LF in a trailer', '0\r\nX: 1\n\r\n', /malformed trailer/],
    ['a trailer line starting with a bare LF', '0\r\n\nX: 1\r\n\r\n', /malformed trailer/],
    ['a bare CR in a trailer', '0\r\nX: 1\rY: 2\r\n\r\n', /trailer line not ended by CRLF/],
    ['a trailer line without a colon', '0\r\nX-A\r\n\r\n', /malformed trailer/],
    ['a trailer with a space before the colon', '0\r\nX-A : 1\r\n\r\n', /malformed trailer/],
    ['a folded trailer line', '0\r\nX-A: 1\r\n 2\r\n\r\n', /obsolete line folding in the trailers/],
    ['a control character in a trailer value', '0\r\nX-A: \x0b1\r\n\r\n', /malformed trailer/],
    ['Content-Length in the trailers', '0\r\nContent-length: 5\r\n\r\n', /Content-length in the trailers/],
    ['Transfer-Encoding in the trailers', '0\r\ntransfer-encoding: chunked\r\n\r\n', /transfer-encoding in the trailers/],
    ['101 trailer fields', `0\r\n${'X: 1\r\n'.repeat(101)}\r\n`, /more than 100 trailer fields/],
    ['a bare LF ending the body', '0\r\n\n', /malformed trailer/],
    ['a CR not followed by LF ending the body', '0\r\n\rx', /chunked body not ended by CRLF/],
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
