import { expect } from 'chai';
import { check, judge, type Case } from './compare.js';
import { kzeroRequests, kzeroResponse } from './kzero.js';
import { Rng } from './rng.js';
import { describe as describeMismatch, runFuzz } from './run.js';

// The differential test against llhttp, bounded: `npm run fuzz:http1 -- N seed` runs it long.

const request = (s: string): Case => ({ kind: 'request', bytes: Buffer.from(s, 'latin1'), method: '' });
const response = (s: string, method = 'GET'): Case => ({ kind: 'response', bytes: Buffer.from(s, 'latin1'), method });

describe('activator/http1/fuzz: kzero frames HTTP/1.1 exactly as llhttp does, or refuses it', () => {
  it('4,000 seeded cases: no mismatch, and clean and hostile cases both come', () => {
    const sum = runFuzz(4000, 0x6b7a65);
    expect(sum.mismatches.map(describeMismatch)).to.deep.equal([]);
    expect(sum.cases).to.equal(4000);
    expect(sum.framed, 'messages framed alike').to.be.greaterThan(2000);
    expect(sum.refused, 'cases kzero framed nothing of').to.be.greaterThan(800);
    expect(sum.stricter, 'cases kzero refused where llhttp took more').to.be.greaterThan(100);
  });

  const smuggling: Array<[string, Case]> = [
    ['Connection: content-length', request('POST / HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 32\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n')],
    ['Connection: transfer-encoding', request('POST / HTTP/1.1\r\nHost: a\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')],
    ['a pod\'s Connection: content-length', response('HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 3\r\n\r\nabc')],
    ['absolute-form', request('GET http://a.ns.localhost/x?q HTTP/1.1\r\nHost: b.ns.localhost\r\n\r\n')],
    ['pipelined requests', request('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /2 HTTP/1.1\r\nHost: a\r\n\r\n')],
    ['a chunked response with trailers to HEAD and GET', response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=1\r\nhi\r\n0\r\nX-T: 1\r\n\r\n')],
  ];
  for (const [name, c] of smuggling) {
    it(`frames ${name} as llhttp does, and what it sends on reads the same`, () => {
      const v = check(c, new Rng(1));
      expect([v.mismatch, v.framed > 0]).to.deep.equal([undefined, true]);
    });
  }

  it('catches a framer that ends a body one byte early', () => {
    const c = request('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const kz = kzeroRequests(c.bytes, new Rng(1));
    const first = kz.messages[0]!;
    kz.messages[0] = { ...first, head: { ...first.head, framing: { kind: 'length', length: 2 } }, end: first.end - 1, body: first.body.subarray(0, 2) };
    expect(judge(c, kz).mismatch).to.match(/body "ab", llhttp "abc"/);
  });

  it('catches a pod head that lost the length its body is sent by (Connection: content-length, as it was)', () => {
    const c = request('POST / HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 32\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n');
    const kz = kzeroRequests(c.bytes, new Rng(1));
    const first = kz.messages[0]!;
    kz.messages[0] = { ...first, head: { ...first.head, framing: { kind: 'none' }, contentLength: undefined } };
    expect(judge(c, kz).mismatch).to.match(/the pod's request 1 .*llhttp reads 2 message/);
  });

  it('catches a chunked response kzero would end where llhttp does not', () => {
    const c = response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n');
    const kz = kzeroResponse(c.bytes, 'GET', new Rng(1));
    const only = kz.messages[0]!;
    kz.messages[0] = { ...only, end: only.end - 2, body: only.body.subarray(0, -2) };
    expect(judge(c, kz).mismatch).to.match(/ends at \d+, llhttp needs more/);
  });

  it('allows a divergence only where it applies: BWS after a chunk size, not garbage after it', () => {
    const bws = check(request('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 ;a=b\r\nx\r\n0\r\n\r\n'), new Rng(1));
    expect([bws.mismatch, bws.allowed]).to.deep.equal([undefined, ['BWS after a chunk size']]);
    const garbage = check(request('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 x\r\nx\r\n0\r\n\r\n'), new Rng(1));
    expect([garbage.mismatch, garbage.framed, garbage.allowed]).to.deep.equal([undefined, 0, []]);
  });
});
