import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchError, PackageError } from '../errors.js';
import { fetchPackage, redact, verifySha256 } from './fetch.js';

describe('verifySha256', () => {
  const data = Buffer.from('package');
  const sum = createHash('sha256').update(data).digest('hex');
  it('accepts the right hash in any case', () => {
    verifySha256(data, sum);
    verifySha256(data, sum.toUpperCase());
  });
  it('rejects a mismatch naming both hashes', () => {
    const want = 'a'.repeat(64);
    expect(() => verifySha256(data, want)).to.throw(PackageError, `code package sha256 mismatch: want ${want}, got ${sum}`);
  });
});

describe('fetchPackage', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return void res.end('hello');
      if (req.url === '/moved') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/big') return void res.end(Buffer.alloc(5000));
      if (req.url === '/chunked-big') {
        res.write(Buffer.alloc(3000));
        return void setTimeout(() => res.end(Buffer.alloc(3000)), 5);
      }
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const opts = { maxBytes: 4096, timeoutMs: 1000 };

  it('returns the body', async () => {
    expect((await fetchPackage(`${base}/ok`, opts)).toString()).to.equal('hello');
  });
  it('follows redirects', async () => {
    expect((await fetchPackage(`${base}/moved`, opts)).toString()).to.equal('hello');
  });
  const failures: Array<[string, string, RegExp]> = [
    ['an HTTP error', '/missing?sig=secret', /fetching code package http:\/\/127.0.0.1:\d+\/missing: HTTP 404$/],
    ['a declared size over the limit', '/big', /larger than the limit of 4096 bytes/],
    ['a streamed size over the limit', '/chunked-big', /larger than the limit of 4096 bytes/],
    ['a timeout', '/slow', /timed out after 300 ms/],
    ['a redirect loop', '/loop', /more than 5 redirects/],
  ];
  for (const [what, path, why] of failures) {
    it(`fails on ${what}`, async () => {
      const err = await fetchPackage(`${base}${path}`, { ...opts, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(FetchError).with.property('message').match(why);
    });
  }
  it('fails on a refused connection', async () => {
    const err = await fetchPackage('http://127.0.0.1:1/x', opts).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(FetchError).with.property('message').match(/fetching code package http:\/\/127.0.0.1:1\/x: connect ECONNREFUSED/);
  });
  it('redacts query and credentials', () => {
    expect(redact('https://u:p@host/pkg.tgz?X-Amz-Signature=abc')).to.equal('https://host/pkg.tgz');
  });
});
