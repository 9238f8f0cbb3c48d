import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { FakeClock } from '../../testing/fake-clock.js';
import { activator, cleanup, listen, rawClient, waitFor } from './testing/harness.js';
import { TUNNEL_IDLE_MS } from './tunnel.js';

// Upgrades: a tunnel opens only on the pod's 101 to a request that asked for one; any other answer is an
// ordinary response and the connection goes on as HTTP/1.1.

const UPGRADE = 'GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';

/** A pod that switches to an echo protocol on upgrade, reporting bytes that came with the handshake. */
async function echoPod(): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const pod = await listen((_req, res) => res.end('plain'));
  pod.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.push(socket);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\nX-Forwarded-For: ${req.headers['x-forwarded-for']}\r\n\r\n`);
    if (head.length) socket.write(`early:${head.toString()};`);
    socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()};`));
    socket.on('end', () => socket.end());
  });
  return { port: pod.port, sockets };
}

describe('activator/http1 upgrades (real servers on 127.0.0.1)', () => {
  afterEach(cleanup);

  it('an upgrade the pod answers with 200 is an ordinary response: the pipelined request after it is parsed, forwarded and answered', async () => {
    const seen: string[] = [];
    const pod = await listen((req, res) => {
      seen.push(`${req.method} ${req.url} xff=${req.headers['x-forwarded-for']} upgrade=${req.headers.upgrade}`);
      res.end(`path=${req.url}`);
    });
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }] });
    const c = await rawClient(act.port);
    c.socket.write(`${UPGRADE}GET /next HTTP/1.1\r\nHost: h\r\n\r\n`);
    await c.until(/path=\/ws[\s\S]*path=\/next$/);
    expect(c.received().match(/HTTP\/1\.1 200 OK/g)).to.have.length(2);
    // The second request went through the activator (its head rewritten), not down a raw pipe.
    expect(seen).to.deep.equal(['GET /ws xff=127.0.0.1 upgrade=websocket', 'GET /next xff=127.0.0.1 upgrade=undefined']);
    expect([(await act.next()).status, (await act.next()).status, act.inflight()]).to.deep.equal([200, 200, 0]);
    expect(c.ended()).to.equal(false);
  });

  it('tunnels after a 101 both ways, bytes sent before it included; the switch is announced by the activator; closing releases the slot', async () => {
    const pod = await echoPod();
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }], waitMs: 100 });
    const c = await rawClient(act.port);
    c.socket.write(`${UPGRADE}hi`);
    await c.until(/(early|echo):hi;$/);
    c.socket.write('again');
    const out = await c.until(/echo:again;$/);
    expect(out).to.match(/^HTTP\/1\.1 101 Switching Protocols\r\nX-Forwarded-For: 127\.0\.0\.1\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n(early|echo):hi;echo:again;$/);
    expect([act.inflight(), act.done.length]).to.deep.equal([1, 0]);
    c.socket.end();
    expect(await act.next()).to.deep.equal({ status: 101, error: undefined });
    expect(act.inflight()).to.equal(0);
    await waitFor('the client socket closed', () => c.closed() || undefined);
  });

  for (const [name, idleMs, idle] of [['1 h when the revision sets no idleTimeoutSeconds', 0, TUNNEL_IDLE_MS], ['the revision\'s idleTimeoutSeconds when set', 30_000, 30_000]] as const) {
    it(`a tunnel quiet both ways for its idle timeout (${name}) is closed at both ends and its slot released`, async () => {
      const clock = new FakeClock();
      const pod = await echoPod();
      const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }], clock, limits: { responseStartMs: 2000, totalMs: 5000, idleMs } });
      const c = await rawClient(act.port);
      c.socket.write(UPGRADE);
      await c.until(/^HTTP\/1\.1 101 /);
      clock.advance(idle - 1000);
      c.socket.write('ping'); // traffic one way restarts the count
      await c.until(/echo:ping;$/);
      clock.advance(idle - 1000);
      await new Promise((resolve) => setImmediate(resolve));
      expect([c.closed(), act.inflight(), act.done.length]).to.deep.equal([false, 1, 0]);
      clock.advance(1000);
      expect(await act.next()).to.deep.equal({ status: 101, error: undefined });
      await waitFor('the activator\'s FIN', () => c.ended() || undefined);
      await waitFor('the pod socket closed', () => pod.sockets[0]!.destroyed || undefined);
      expect([act.inflight(), act.proxy.connections]).to.deep.equal([0, 0]);
    });
  }

  it('applies backpressure in a tunnel: a client that does not read stops the activator reading the pod', async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    let podSocket: Socket | undefined;
    const pod = await listen(() => undefined);
    pod.server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      podSocket = socket;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
      socket.write(big);
    });
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }] });
    const c = await rawClient(act.port);
    c.socket.pause();
    c.socket.write('GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n');
    await waitFor('the pod switched', () => podSocket);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Most of it is still in the pod's own buffer: the activator took only what the client's socket could.
    expect(podSocket!.writableLength).to.be.above(16 * 1024 * 1024);
    let got = 0;
    c.socket.removeAllListeners('data');
    c.socket.on('data', (d: string) => (got += d.length));
    c.socket.resume();
    await waitFor('all of it', () => (got >= big.length ? true : undefined), 8000);
  });

  it('a 101 to a request that did not ask to upgrade is the pod\'s error: 502, no tunnel', async () => {
    const pod = await listen((req) => {
      req.socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    const act = await activator({ pods: [{ ip: '127.0.0.1', port: pod.port }] });
    const c = await rawClient(act.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    await c.until(/^HTTP\/1\.1 502 [\s\S]*switched protocols without being asked to\n$/);
    expect([(await act.next()).status, act.inflight()]).to.deep.equal([502, 0]);
  });
});
