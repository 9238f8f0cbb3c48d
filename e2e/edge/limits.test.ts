import { expect } from 'chai';
import { activatorRssKiB, activatorSocket } from './support/activator-process.js';
import { answered, BAD_REQUEST, expectOutcome, freshRecords, refused, runCases, TOO_LARGE } from './support/cases.js';
import { fill } from './support/expect.js';
import { RawConnection, WAIT_MS } from './support/raw.js';
import { get, head, manyFields } from './support/requests.js';
import { edge } from './support/suite.js';

// Limits on what one client can make the activator hold: a head over 16 KiB or over 100 fields (431),
// a flood of empty lines before a request (400 once they pass the head limit, memory flat), a head that
// never ends (cut at the 60 s head timeout, without taking a pod slot), a connection after an error reply.

/** The request head timeout (Node's headersTimeout, as the activator's HEAD_MS). */
const HEAD_TIMEOUT_MS = 60_000;
const CRLF_FLOOD_BYTES = 1024 * 1024;
/** What a 1 MiB flood may add to the activator's resident memory. */
const FLOOD_RSS_GROWTH_KIB = 4 * 1024;
/** After an error reply, the activator's socket is gone this soon even if the client never closes. */
const GONE_AFTER_ERROR_MS = 5000;

describe('edge: limits', function () {
  // The slow head starts first and runs while the other cases do; its own case waits for the timeout.
  let slow: { conn: RawConnection; startedAt: number; drip: NodeJS.Timeout } | undefined;
  before(async () => {
    const e = await edge();
    const conn = await RawConnection.open();
    const startedAt = performance.now();
    await conn.write(fill('GET /slow HTTP/1.1\r\nHost: {B}\r\nX-Slow: ', e.hosts));
    // A byte every half second: never a whole head, always some traffic.
    const drip = setInterval(() => void (conn.ended ? clearInterval(drip) : conn.write('a')), 500);
    slow = { conn, startedAt, drip };
  });
  after(() => {
    if (!slow) return;
    clearInterval(slow.drip);
    slow.conn.destroy();
  });

  it('a slow head does not hold a pod slot: B (containerConcurrency 1) answers another client at once', async () => {
    const e = await edge();
    await freshRecords(e);
    const conn = await RawConnection.open();
    try {
      await conn.write(fill(head('GET /meanwhile HTTP/1.1', 'Host: {B}'), e.hosts));
      await conn.responses(1);
      await expectOutcome(e, conn, { replies: [answered('GET', '/meanwhile')], closed: false, pod: [], podB: [{ method: 'GET', target: '/meanwhile' }] });
    } finally {
      conn.destroy();
    }
  });

  runCases([
    refused('a head over 16 KiB', get('/', `X-Big: ${'a'.repeat(17 * 1024)}`), TOO_LARGE),
    refused('a head over 16 KiB that has not ended yet', `GET / HTTP/1.1\r\nHost: {A}\r\nX-Big: ${'a'.repeat(17 * 1024)}`, TOO_LARGE),
    refused('a request line over 16 KiB', `GET /${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: {A}\r\n\r\n`, TOO_LARGE),
    refused('101 header fields', get('/', ...manyFields(100)), TOO_LARGE),
    { name: '100 header fields are forwarded', send: get('/100', ...manyFields(99)), replies: [answered('GET', '/100')], closed: false, pod: [{ method: 'GET', target: '/100', also: { 'x-f0': ['v'], 'x-f98': ['v'] } }] },
    { name: 'a 15 KiB head is forwarded', send: get('/15k', `X-Big: ${'a'.repeat(15 * 1024)}`), replies: [answered('GET', '/15k')], closed: false, pod: [{ method: 'GET', target: '/15k', also: { 'x-big': ['a'.repeat(15 * 1024)] } }] },
  ]);

  it('a 1 MiB flood of CRLF before a request line: 400 and closed, the activator\'s memory flat', async () => {
    const e = await edge();
    await freshRecords(e);
    const before = await activatorRssKiB();
    const conn = await RawConnection.open();
    try {
      const piece = Buffer.from('\r\n'.repeat(32 * 1024), 'latin1');
      let sent = 0;
      // Every write waits for the last one to flush; the activator closing ends the flood.
      const flood = (async (): Promise<void> => {
        while (sent < CRLF_FLOOD_BYTES && !conn.ended) {
          await conn.write(piece);
          sent += piece.length;
        }
        if (!conn.ended) await conn.write(fill(get('/after-flood'), e.hosts));
      })();
      await Promise.race([flood, conn.closed(WAIT_MS * 2)]);
      const growth = (await activatorRssKiB()) - before;
      expect(growth, `RSS grew by ${growth} KiB after ${sent} bytes of CRLF`).to.be.below(FLOOD_RSS_GROWTH_KIB);
      await expectOutcome(e, conn, { replies: [BAD_REQUEST], closed: true, pod: [] });
    } finally {
      conn.destroy();
    }
  });

  it('after a 400 the activator lets go of the socket within 5 s, though the client never closes its side', async () => {
    const e = await edge();
    await freshRecords(e);
    const conn = await RawConnection.open();
    try {
      await conn.write('GET / HTTP/1.1\r\n\r\n');
      const answeredAt = performance.now();
      await expectOutcome(e, conn, { replies: [BAD_REQUEST], closed: true, pod: [] });
      let state = await activatorSocket(conn.localPort);
      while (state === 'held' && performance.now() - answeredAt < GONE_AFTER_ERROR_MS) {
        await new Promise((r) => setTimeout(r, 100)); // polling the kernel's table: no event says when it changes
        state = await activatorSocket(conn.localPort);
      }
      expect(state, `the activator's socket ${Math.round(performance.now() - answeredAt)} ms after its 400`).to.not.equal('held');
    } finally {
      conn.destroy();
    }
  });

  it('a head sent a byte at a time is cut at the 60 s head timeout: 408, closed, nothing forwarded', async function () {
    this.timeout(HEAD_TIMEOUT_MS + 30_000);
    const e = await edge();
    const { conn, startedAt } = slow!;
    await freshRecords(e);
    await conn.closed(HEAD_TIMEOUT_MS + 10_000 - (performance.now() - startedAt));
    const after = performance.now() - startedAt;
    expect(after, 'ms from the first byte to the close').to.be.within(HEAD_TIMEOUT_MS - 1000, HEAD_TIMEOUT_MS + 5000);
    await expectOutcome(e, conn, { replies: [{ status: 408, code: 'KZERO_REQUEST_TIMEOUT' }], closed: true, pod: [] });
  });
});
