import { expect } from 'chai';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { FakeClock } from '../../testing/fake-clock.js';
import { CONNECT_MS } from './exchange.js';
import { activator, cleanup, closedPort, listen, rawClient, send } from './testing/harness.js';
import type { Dial } from './upstreams.js';

// The pod side's failures: a connect that is refused or never completes goes to another ready pod; a
// request is sent again only when that cannot run it twice.

/** Connects as usual, except to `stuck`, whose connect never completes (its address lookup never answers). */
const dialWithStuck = (stuck: string): Dial => (ip, port) => (ip === stuck ? connect({ host: 'stuck.invalid', port, lookup: () => undefined }) : connect({ host: ip, port, noDelay: true }));

/** Response timeouts longer than the connect timeout. */
const SLOW = { responseStartMs: 20_000, totalMs: 30_000, idleMs: 0 };

describe('activator/http1 pod connections (real servers on 127.0.0.1)', () => {
  afterEach(cleanup);

  describe('sending again after the pod closed a reused connection unanswered', () => {
    /** A pod that answers the first request and drops the connection, unanswered, on the ones in `drop`. */
    async function droppingPod(drop: number[]): Promise<{ port: number; seen: string[] }> {
      const seen: string[] = [];
      const pod = await listen((req, res) => {
        seen.push(req.method ?? '');
        if (drop.includes(seen.length)) req.socket.destroy();
        else res.end(`n=${seen.length}`);
      });
      return { port: pod.port, seen };
    }

    it('a bodiless POST is not sent twice: 502', async () => {
      const pod = await droppingPod([2]);
      const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }] });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      expect((await send(act.port, { method: 'GET', agent })).body).to.equal('n=1');
      const got = await send(act.port, { method: 'POST', agent });
      agent.destroy();
      expect([got.status, got.headers['x-kzero-error'], pod.seen]).to.deep.equal([502, 'KZERO_UPSTREAM_ERROR', ['GET', 'POST']]);
    });

    for (const method of ['GET', 'DELETE']) {
      it(`a ${method} goes again once, on a new connection, and only once`, async () => {
        const pod = await droppingPod([2, 3]);
        const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }] });
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        expect((await send(act.port, { method: 'GET', agent })).body).to.equal('n=1');
        const got = await send(act.port, { method, agent });
        agent.destroy();
        expect([got.status, pod.seen]).to.deep.equal([502, ['GET', method, method]]);
        expect(act.inflight()).to.equal(0);
      });
    }
  });

  describe('connect failover', () => {
    it('a refused connect goes to another ready pod, the first one\'s slot released', async () => {
      const pod = await listen((req, res) => res.end(`served by ${req.socket.localAddress}`));
      // Nothing listens on 127.0.0.2 at that port: the connect is refused.
      const act = await activator({ pods: [{ ip: '127.0.0.2', port: pod.port }, { ip: '127.0.0.1', port: pod.port }] });
      const got = await send(act.port, { method: 'POST', chunks: ['a body that must arrive whole'] });
      expect([got.status, got.body]).to.deep.equal([200, 'served by 127.0.0.1']);
      expect([(await act.next()).status, act.inflight()]).to.deep.equal([200, 0]);
    });

    it('a body that came with the head goes whole to the pod that took the connection', async () => {
      const pod = await listen((req, res) => {
        let body = '';
        req.setEncoding('latin1');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => res.end(`got:${body}`));
      });
      const act = await activator({ pods: [{ ip: '127.0.0.2', port: pod.port }, { ip: '127.0.0.1', port: pod.port }] });
      const c = await rawClient(act.port);
      c.socket.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789');
      await c.until(/got:0123456789$/);
    });

    it('three pods refused: 502 naming the revision and every pod tried', async () => {
      const port = await closedPort();
      const act = await activator({ pods: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.1'].map((ip) => ({ ip, port })) });
      const got = await send(act.port, { method: 'GET' });
      const refused = (ip: string): string => `${ip} (connect ECONNREFUSED ${ip}:${port})`;
      expect([got.status, got.body]).to.deep.equal([502, `revision "hello-00001": could not connect to pods ${refused('127.0.0.2')}, ${refused('127.0.0.3')}, ${refused('127.0.0.4')}\n`]);
      expect(act.inflight()).to.equal(0);
    });

    it('a connect that does not complete within 3 s goes to another ready pod', async () => {
      const clock = new FakeClock();
      const pod = await listen((_req, res) => res.end('second pod'));
      const act = await activator({ pods: [{ ip: '127.0.0.9', port: pod.port }, { ip: '127.0.0.1', port: pod.port }], clock, dial: dialWithStuck('127.0.0.9'), limits: SLOW });
      const c = await rawClient(act.port);
      c.socket.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      clock.advance(CONNECT_MS - 100);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect([c.received(), act.inflight()]).to.deep.equal(['', 1]);
      clock.advance(100);
      await c.until(/second pod$/);
      expect([(await act.next()).status, act.inflight()]).to.deep.equal([200, 0]);
    });

    it('a connect that does not complete, with no other pod: 502 after 3 s naming the pod', async () => {
      const clock = new FakeClock();
      const act = await activator({ pods: [{ ip: '127.0.0.9', port: 8080 }], clock, dial: dialWithStuck('127.0.0.9'), limits: SLOW });
      const c = await rawClient(act.port);
      c.socket.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      clock.advance(CONNECT_MS);
      const out = await c.until(/\n$/);
      expect(out).to.match(/^HTTP\/1\.1 502 [\s\S]*\r\n\r\nrevision "hello-00001": could not connect to pod 127\.0\.0\.9 \(no connection within 3s\)\n$/);
      expect(act.inflight()).to.equal(0);
    });
  });
});
