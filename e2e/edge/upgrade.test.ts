import { expect } from 'chai';
import { UPGRADE_PATH } from '../../local/images/apps/recorder-scripts.js';
import { answered, expectOutcome, freshRecords, runCases, type EdgeCase } from './support/cases.js';
import { fill, type Saw } from './support/expect.js';
import { RawConnection } from './support/raw.js';
import { get, head } from './support/requests.js';
import { edge } from './support/suite.js';

// Upgrades (RFC 9110 7.8): the connection becomes a tunnel only when the pod answers 101 to a request that
// asked for it. Any other answer is an ordinary response, and the client's next request on the connection
// is parsed and routed like any other (here: to namespace B, so a tunnel to A's pod would show in A's record).

const UPGRADE = ['Connection: Upgrade', 'Upgrade: websocket'];
const upgraded = (target: string): Saw => ({ method: 'GET', target, upgrade: true, also: { upgrade: ['websocket'] } });
const nextOnB = { send: head('GET /next HTTP/1.1', 'Host: {B}'), replies: 1 };

/** An ordinary first request, then a request for B on the same connection. */
const thenB = (name: string, first: string, target: string, saw: Saw): EdgeCase => ({
  name,
  send: [{ send: first, replies: 1 }, nextOnB],
  replies: [answered('GET', target), answered('GET', '/next')],
  closed: false,
  pod: [saw],
  podB: [{ method: 'GET', target: '/next' }],
});

describe('edge: upgrades', function () {
  runCases([
    thenB('an upgrade the pod answers 200: the next request is parsed as HTTP/1.1', get('/plain', ...UPGRADE), '/plain', upgraded('/plain')),
    thenB('Connection: upgrade without Upgrade is an ordinary request', get('/ordinary', 'Connection: upgrade'), '/ordinary', { method: 'GET', target: '/ordinary' }),
    thenB('Upgrade without Connection: upgrade is an ordinary request, Upgrade not forwarded', get('/ordinary', 'Upgrade: websocket'), '/ordinary', { method: 'GET', target: '/ordinary', also: { upgrade: [] } }),
    {
      name: 'an upgrade in HTTP/1.0 is an ordinary request',
      send: head('GET /old HTTP/1.0', 'Host: {A}', ...UPGRADE),
      replies: [answered('GET', '/old')],
      closed: true,
      pod: [{ method: 'GET', target: '/old', also: { upgrade: [] } }],
    },
  ]);

  /** Opens a tunnel to A's pod (its 101), with `early` sent right behind the head. */
  async function tunnel(early = ''): Promise<RawConnection> {
    const e = await edge();
    const conn = await RawConnection.open();
    await conn.write(fill(get(UPGRADE_PATH, ...UPGRADE), e.hosts) + early);
    await conn.until(() => conn.read().upgraded || conn.ended);
    const read = conn.read();
    expect(read.responses.map((r) => r.status), 'the pod switched protocols').to.deep.equal([101]);
    return conn;
  }

  /** Writes `data` into the tunnel and waits for the pod's echo to complete `want` (all bytes after the 101). */
  async function echoes(conn: RawConnection, data: string, want: string): Promise<void> {
    await conn.write(data);
    await conn.until(() => conn.read().rest.toString('latin1') === want || conn.ended);
    expect(conn.read().rest.toString('latin1')).to.equal(want);
  }

  it('an upgrade the pod answers 101: bytes flow both ways', async () => {
    const e = await edge();
    await freshRecords(e);
    const conn = await tunnel();
    try {
      await echoes(conn, 'ping', 'ping');
      await echoes(conn, 'pong\x00\xff', 'pingpong\x00\xff');
      expect(conn.ended).to.equal(false);
      await expectOutcome(e, conn, { replies: [{ status: 101, headers: { upgrade: ['websocket'] } }], closed: false, pod: [upgraded(UPGRADE_PATH)] });
    } finally {
      conn.destroy();
    }
  });

  it('bytes sent right behind the upgrade head reach the pod once it switched', async () => {
    const e = await edge();
    await freshRecords(e);
    const conn = await tunnel('early');
    try {
      await conn.until(() => conn.read().rest.toString('latin1') === 'early' || conn.ended);
      expect(conn.read().rest.toString('latin1')).to.equal('early');
      await echoes(conn, '+late', 'early+late');
      await expectOutcome(e, conn, { replies: [{ status: 101 }], closed: false, pod: [upgraded(UPGRADE_PATH)] });
    } finally {
      conn.destroy();
    }
  });

  it('an upgrade the pod answers 200 releases its pod slot: B (containerConcurrency 1) serves the next client', async () => {
    const e = await edge();
    await freshRecords(e);
    const first = await RawConnection.open();
    const second = await RawConnection.open();
    try {
      await first.write(fill(head('GET /plain HTTP/1.1', 'Host: {B}', ...UPGRADE), e.hosts));
      expect((await first.responses(1)).responses.map((r) => r.status)).to.deep.equal([200]);
      // The first connection stays open; its exchange is over, so the only slot is free again.
      await second.write(fill(head('GET /second HTTP/1.1', 'Host: {B}'), e.hosts));
      await second.responses(1);
      await expectOutcome(e, second, { replies: [answered('GET', '/second')], closed: false, pod: [], podB: [{ ...upgraded('/plain'), host: ['{B}'] }, { method: 'GET', target: '/second' }] });
    } finally {
      first.destroy();
      second.destroy();
    }
  });
});
