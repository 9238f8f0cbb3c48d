import { expect } from 'chai';
import { HeadScanner, Scan } from './request-scanner.js';

/** Feeds `pieces` as a connection does (dropping what the scanner consumed); the results of each scan and the head found. */
function feed(pieces: string[], limit = 64): { results: number[]; head: string | undefined; kept: number } {
  const s = new HeadScanner(limit);
  let buf: Buffer | undefined;
  const results: number[] = [];
  for (const p of pieces) {
    buf = buf ? Buffer.concat([buf, Buffer.from(p, 'latin1')]) : Buffer.from(p, 'latin1');
    const end = s.scan(buf);
    results.push(end);
    if (end >= 0) return { results, head: buf.toString('latin1', s.start, end), kept: buf.length };
    if (end !== Scan.More) return { results, head: undefined, kept: buf.length };
    buf = buf.subarray(s.start);
  }
  return { results, head: undefined, kept: buf?.length ?? 0 };
}

const crlf = (n: number): string => '\r\n'.repeat(n);

describe('activator/http1/request-scanner HeadScanner', () => {
  const cases: Array<{ name: string; pieces: string[]; head?: string; last: number; kept?: number }> = [
    { name: 'a head in one piece', pieces: ['GET / HTTP/1.1\r\nHost: h\r\n\r\n'], head: 'GET / HTTP/1.1\r\nHost: h', last: 23 },
    { name: 'a head split inside its blank line', pieces: ['GET / HTTP/1.1\r\nHost: h\r', '\n\r', '\n'], head: 'GET / HTTP/1.1\r\nHost: h', last: 23 },
    { name: 'empty lines before it are skipped', pieces: [crlf(3) + 'GET / HTTP/1.1\r\n\r\n'], head: 'GET / HTTP/1.1', last: 20 },
    { name: 'empty lines over several reads are dropped, not kept', pieces: [crlf(10), crlf(10), '\r', '\nGET / HTTP/1.1\r\n\r\n'], head: 'GET / HTTP/1.1', last: 16 },
    { name: 'only empty lines: nothing is kept', pieces: [crlf(20)], last: Scan.More, kept: 0 },
    { name: 'a lone CR at the end is kept for the next read', pieces: [crlf(2) + '\r'], last: Scan.More, kept: 1 },
    { name: 'empty lines up to the limit are allowed', pieces: [crlf(32)], last: Scan.More },
    { name: 'empty lines and a head within the limit together', pieces: [crlf(31), 'G'], last: Scan.More },
    { name: 'empty lines at the limit leave no room for a head', pieces: [crlf(32), 'G'], last: Scan.TooLarge },
    { name: 'one more empty line than the limit is a flood', pieces: [crlf(32), '\r\n'], last: Scan.Flood },
    { name: 'a flood in one piece', pieces: [crlf(1000)], last: Scan.Flood },
    { name: 'a head over the limit', pieces: ['GET / HTTP/1.1\r\nX: ' + 'a'.repeat(60) + '\r\n\r\n'], last: Scan.TooLarge },
    { name: 'a partial head over the limit, before its end arrives', pieces: ['GET / HTTP/1.1\r\n', 'X: ' + 'a'.repeat(60)], last: Scan.TooLarge },
    { name: 'empty lines count toward the head limit', pieces: [crlf(20), 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(20) + '\r\n\r\n'], last: Scan.TooLarge },
    { name: 'a head of exactly the limit', pieces: ['GET / HTTP/1.1\r\nX: ' + 'a'.repeat(64 - 19) + '\r\n\r\n'], head: 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(45), last: 64 },
    { name: 'a bare LF is not an empty line: it starts the head', pieces: ['\nGET / HTTP/1.1\r\n\r\n'], head: '\nGET / HTTP/1.1', last: 15 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = feed(c.pieces);
      expect(got.results[got.results.length - 1]).to.equal(c.last);
      expect(got.head).to.equal(c.head);
      if (c.kept !== undefined) expect(got.kept).to.equal(c.kept);
    });
  }

  it('after a head, the next one is scanned afresh: empty lines before it are skipped and counted anew', () => {
    const s = new HeadScanner(64);
    const two = Buffer.from('GET /1 HTTP/1.1\r\n\r\n' + crlf(10) + 'GET /2 HTTP/1.1\r\n\r\n', 'latin1');
    const end = s.scan(two);
    const rest = two.subarray(end + 4);
    const end2 = s.scan(rest);
    expect(rest.toString('latin1', s.start, end2)).to.equal('GET /2 HTTP/1.1');
  });

  it('searches a slowly arriving head only where new bytes came: the work is linear in its length', () => {
    const s = new HeadScanner(16 * 1024);
    let buf = Buffer.alloc(0);
    let searched = 0;
    const indexOf = Buffer.prototype.indexOf;
    // Count the bytes indexOf is asked to look at, through the offset the scanner passes.
    const spy = function (this: Buffer, value: string | number | Uint8Array, byteOffset?: number | BufferEncoding, encoding?: BufferEncoding): number {
      searched += this.length - (typeof byteOffset === 'number' ? byteOffset : 0);
      return indexOf.call(this, value, byteOffset as number, encoding);
    };
    Buffer.prototype.indexOf = spy as typeof indexOf;
    try {
      const head = 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(8000) + '\r\n\r\n';
      let end = Scan.More as number;
      for (const ch of head) {
        buf = Buffer.concat([buf, Buffer.from(ch, 'latin1')]);
        end = s.scan(buf);
        buf = buf.subarray(s.start);
      }
      expect(end).to.equal(head.length - 4);
    } finally {
      Buffer.prototype.indexOf = indexOf;
    }
    expect(searched).to.be.below(5 * 8100);
  });
});
