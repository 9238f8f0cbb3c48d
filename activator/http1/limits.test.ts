import { expect } from 'chai';
import { FakeClock } from '../../testing/fake-clock.js';
import type { ByteBudget } from '../net/budget.js';
import { LINGER_MS } from './linger.js';
import { activator, cleanup, listen, rawClient, waitFor } from './testing/harness.js';

// What one client can make the activator hold, and for how long: heads, empty lines, bodies of waiting
// requests, pipelined bytes, and sockets after the activator has said its last word.

const HEAD_MS = 60_000;
const KEEP_ALIVE_MS = 65_000;

/** The most the budget ever counted. */
function peak(budget: ByteBudget): () => number {
  let max = 0;
  const add = budget.add.bind(budget);
  budget.add = (n: number): void => {
    add(n);
    max = Math.max(max, budget.used);
  };
  return () => max;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('activator/http1 limits (real sockets on 127.0.0.1)', () => {
  afterEach(cleanup);

  /** A pod that answers with the length of the body it got. */
  const lengthPod = (): ReturnType<typeof listen> => listen((req, res) => {
    let n = 0;
    req.on('data', (d: Buffer) => (n += d.length));
    req.on('end', () => res.end(`got ${n}`));
  });

  describe('empty lines before a request line', () => {
    it('a few are skipped and the request is served', async () => {
      const pod = await lengthPod();
      const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }] });
      const c = await rawClient(act.port);
      c.socket.write('\r\n'.repeat(100) + 'GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      await c.until(/^HTTP\/1\.1 200 OK\r\n[\s\S]*got 0$/);
    });

    it('a flood (1 MiB of CRLF) is answered 400 once past 16 KiB, closed, and never held', async () => {
      const act = await activator({ pods: [{ ip: '127.0.0.1', port: 1 }] });
      const max = peak(act.budget);
      const c = await rawClient(act.port);
      c.socket.write('\r\n'.repeat(512 * 1024));
      const out = await c.until(/\n$/);
      expect(out).to.match(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*x-kzero-error: KZERO_BAD_REQUEST\r\n[\s\S]*connection: close\r\n\r\nmore than 16384 bytes of empty lines before a request line\n$/);
      await waitFor('the activator\'s FIN', () => c.ended() || undefined);
      expect(max()).to.be.below(2);
      expect((await act.next()).status).to.equal(400);
    });

    it('16 KiB of them and one more line is already too many', async () => {
      const act = await activator({ pods: [{ ip: '127.0.0.1', port: 1 }] });
      const c = await rawClient(act.port);
      c.socket.write('\r\n'.repeat(8 * 1024 + 1));
      await c.until(/^HTTP\/1\.1 400 [\s\S]*empty lines/);
    });
  });

  it('after a 400 the socket is destroyed LINGER_MS after the FIN, though the client never closes and keeps sending', async () => {
    const clock = new FakeClock();
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: 1 }], clock });
    const c = await rawClient(act.port);
    c.socket.write('GET / HTTP/1.1\r\n\r\n'); // no Host
    await c.until(/^HTTP\/1\.1 400 [\s\S]*missing Host header\n$/);
    await waitFor('the activator\'s FIN', () => c.ended() || undefined);
    c.socket.write('more bytes nobody reads as a request');
    clock.advance(LINGER_MS - 100);
    await turn();
    expect(act.proxy.connections).to.equal(1);
    clock.advance(100);
    await waitFor('the connection gone', () => (act.proxy.connections === 0 ? true : undefined));
    expect(act.acquired()).to.equal(0);
  });

  it('a request head not complete within 60 s gets 408, and the socket goes after the linger', async () => {
    const clock = new FakeClock();
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: 1 }], clock });
    const c = await rawClient(act.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ');
    await waitFor('the partial head read', () => (act.budget.used > 0 ? true : undefined));
    clock.advance(HEAD_MS - 100);
    await turn();
    expect(c.received()).to.equal('');
    clock.advance(100);
    await c.until(/^HTTP\/1\.1 408 [\s\S]*x-kzero-error: KZERO_REQUEST_TIMEOUT\r\n[\s\S]*request head not received within 60s\n$/);
    clock.advance(LINGER_MS);
    await waitFor('the connection gone', () => (act.proxy.connections === 0 ? true : undefined));
    expect(act.budget.used).to.equal(0);
  });

  it('an idle keep-alive connection is ended after 65 s and destroyed after the linger', async () => {
    const clock = new FakeClock();
    const pod = await lengthPod();
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }], clock });
    const c = await rawClient(act.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    await c.until(/got 0$/);
    clock.advance(KEEP_ALIVE_MS - 100);
    await turn();
    expect(c.ended()).to.equal(false);
    clock.advance(100);
    await waitFor('the activator\'s FIN', () => c.ended() || undefined);
    expect(act.proxy.connections).to.equal(1);
    clock.advance(LINGER_MS);
    await waitFor('the connection gone', () => (act.proxy.connections === 0 ? true : undefined));
  });

  it('a request waiting for a pod is not read further: its body stays with the client until a pod is there, then goes whole', async () => {
    const pod = await lengthPod();
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }], gated: true });
    const max = peak(act.budget);
    const c = await rawClient(act.port);
    const size = 8 * 1024 * 1024;
    c.socket.write(`POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: ${size}\r\n\r\n`);
    c.socket.write(Buffer.alloc(size, 0x62));
    await waitFor('the request waiting', () => (act.acquired() === 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300)); // time in which reading on would take megabytes
    expect(max()).to.be.at.most(128 * 1024);
    expect(c.socket.writableLength).to.be.above(4 * 1024 * 1024);
    act.admit();
    await c.until(new RegExp(`got ${size}$`), 8000);
    expect(act.budget.used).to.equal(0);
  });

  it('past the byte budget, a request that would wait holding bytes gets 503 KZERO_OVERLOADED; one holding none still waits', async () => {
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: 1 }], gated: true, budget: 50 * 1024 });
    const upload = (): string => `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(30 * 1024)}`;
    const a = await rawClient(act.port);
    a.socket.write(upload());
    await waitFor('the first upload held', () => (act.budget.used >= 30 * 1024 ? true : undefined));
    const b = await rawClient(act.port);
    b.socket.write(upload());
    const out = await b.until(/\n$/);
    expect(out).to.match(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*x-kzero-error: KZERO_OVERLOADED\r\n[\s\S]*connection: close\r\n\r\nrequest for host "h" refused: requests waiting for pods hold \d+ bytes, over the activator's limit of 51200 \(--max-pending-body-bytes\)\n$/);
    const g = await rawClient(act.port);
    g.socket.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    await waitFor('the GET waiting', () => (act.acquired() === 3 ? true : undefined));
    await turn();
    expect([a.received(), g.received(), act.done.map((d) => d.error?.code)]).to.deep.equal(['', '', ['KZERO_OVERLOADED']]);
    await waitFor('the refused connection gone', () => (act.proxy.connections === 2 ? true : undefined), 5000);
    expect(act.budget.used).to.be.within(30 * 1024, 64 * 1024);
    // A paused socket does not see its client go away: the waits end (502, no pod listens) and the sockets close.
    act.admit();
  });

  it('pipelined bytes past the request under way are read ahead by one read at most, and counted', async () => {
    let answer: (() => void) | undefined;
    const pod = await listen((_req, res) => (answer = () => res.end('first')));
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }] });
    const max = peak(act.budget);
    const c = await rawClient(act.port);
    c.socket.write('GET /1 HTTP/1.1\r\nHost: h\r\n\r\n' + 'GET /2 HTTP/1.1\r\nHost: h\r\n\r\n'.repeat(100_000));
    await waitFor('the first request at the pod', () => answer);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(max()).to.be.within(1, 128 * 1024);
    expect(act.budget.used).to.equal(max());
  });
});
