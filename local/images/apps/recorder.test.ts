/** The recorder app as a real process: what it answers on $PORT, and what its record port says it saw. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { RecordedEvent, RecordSnapshot } from './recorder-log.js';
import { SCRIPTS } from './recorder-scripts.js';
import { freePort, start, type App } from './testing/launch.js';

const RECORDER = fileURLToPath(new URL('./recorder.js', import.meta.url));
const WAIT_MS = 3000;

/** Writes `bytes` on a new connection; resolves with what came back once `until` holds or the pod closed. */
function raw(port: number, bytes: string, until: (got: string) => boolean = () => false): Promise<{ got: string; closed: boolean; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => finish(false), WAIT_MS);
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      resolve({ got, closed, socket });
    };
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (until(got)) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', (err) => (got ? undefined : reject(err)));
    socket.write(bytes, 'latin1');
  });
}

async function record(port: number, method: 'GET' | 'DELETE' = 'GET'): Promise<RecordSnapshot> {
  const res = await fetch(`http://127.0.0.1:${port}/record`, { method });
  expect(res.status).to.equal(200);
  return (await res.json()) as RecordSnapshot;
}

/** Only what the tests compare: a request's method, url and decoded body, or an error's code. */
const brief = (e: RecordedEvent): Record<string, unknown> =>
  e.kind === 'error' ? { error: e.code } : { method: e.method, url: e.url, body: Buffer.from(e.body, 'base64').toString('latin1'), complete: e.complete, upgrade: e.upgrade };

const answered = (n: number) => (got: string): boolean => got.split('HTTP/1.1 ').length - 1 >= n && got.endsWith('\n');

describe('recorder app', function () {
  this.timeout(15_000);
  let app: App;
  let recordPort: number;
  before(async () => {
    recordPort = await freePort();
    app = await start(RECORDER, { RECORD_PORT: String(recordPort) }, [recordPort]);
  });
  after(() => app.child.kill('SIGKILL'));
  beforeEach(async () => void (await record(recordPort, 'DELETE')));

  it('answers "<method> <url>" and records each request with its raw head, on the connection it came', async () => {
    const { got, socket } = await raw(app.port, 'GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Case: One\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n', answered(2));
    socket.destroy();
    expect(got).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/a\?x=1\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/b\n$/);
    const { events } = await record(recordPort);
    expect(events.map(brief)).to.deep.equal([
      { method: 'GET', url: '/a?x=1', body: '', complete: true, upgrade: false },
      { method: 'GET', url: '/b', body: '', complete: true, upgrade: false },
    ]);
    expect(events[0]).to.deep.include({ version: '1.1', headers: ['Host', 'h', 'X-Case', 'One'], trailers: [] });
    expect(events[0]!.conn).to.equal(events[1]!.conn);
  });

  it('records a chunked body decoded, with its trailers', async () => {
    const { socket } = await raw(app.port, 'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: v\r\n\r\n', answered(1));
    socket.destroy();
    const [e] = (await record(recordPort)).events;
    expect(e).to.deep.include({ method: 'POST', url: '/c', trailers: ['X-T', 'v'], body: Buffer.from('hello').toString('base64'), bodyBytes: 5, complete: true });
  });

  it('records what its parser rejects and answers 400 saying so, then closes', async () => {
    const { got, closed } = await raw(app.port, 'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    expect(closed).to.equal(true);
    expect(got).to.match(/^HTTP\/1\.1 400 Bad Request\r\nx-recorder-error: HPE_INVALID_CHUNK_SIZE\r\n/);
    const { events } = await record(recordPort);
    expect(events.map(brief)).to.deep.equal([
      { method: 'POST', url: '/c', body: '', complete: false, upgrade: false },
      { error: 'HPE_INVALID_CHUNK_SIZE' },
    ]);
    expect(events[0]!.conn).to.equal(events[1]!.conn);
  });

  it('answers /__respond/<name> with exactly the script bytes, then closes for a "close" script', async () => {
    const { got, closed } = await raw(app.port, 'GET /__respond/close-delimited HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(closed).to.equal(true);
    expect(got).to.equal(SCRIPTS['close-delimited'].bytes);
  });

  it('keeps the connection open after a "keep" script, and reads nothing more from it', async () => {
    const want = SCRIPTS['trailing-bytes'].bytes;
    const { got, closed, socket } = await raw(app.port, 'GET /__respond/trailing-bytes HTTP/1.1\r\nHost: h\r\n\r\n', (g) => g.length >= want.length);
    expect(closed).to.equal(false);
    expect(got).to.equal(want);
    // A proxy that took this connection back for another request: the pod never reads it.
    socket.write('GET /after HTTP/1.1\r\nHost: h\r\n\r\n');
    const more = await new Promise<string>((resolve) => {
      let extra = '';
      socket.on('data', (d: Buffer) => (extra += d.toString('latin1')));
      socket.once('close', () => resolve(extra));
    });
    expect(more).to.equal('');
    expect((await record(recordPort)).events.map((e) => (e.kind === 'request' ? e.url : e.code))).to.deep.equal(['/__respond/trailing-bytes']);
  });

  it('writes a script\'s later bytes a moment after the first ones', async () => {
    const { bytes, later } = SCRIPTS['bad-chunk'];
    const first = await raw(app.port, 'GET /__respond/bad-chunk HTTP/1.1\r\nHost: h\r\n\r\n', (g) => g.length >= bytes.length);
    expect(first.got).to.equal(bytes);
    const got = await new Promise<string>((resolve) => first.socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    first.socket.destroy();
    expect(got).to.equal(later);
  });

  it('hangs up on /__respond/hangup after recording the request', async () => {
    const { got, closed } = await raw(app.port, 'POST /__respond/hangup HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi');
    expect({ got, closed }).to.deep.equal({ got: '', closed: true });
    expect((await record(recordPort)).events.map(brief)).to.deep.equal([{ method: 'POST', url: '/__respond/hangup', body: 'hi', complete: true, upgrade: false }]);
  });

  it('switches protocols for an upgrade to /__upgrade and echoes, bytes sent with the head included', async () => {
    const { got, socket } = await raw(app.port, 'GET /__upgrade HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nearly', (g) => g.endsWith('early'));
    expect(got).to.equal('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\nearly');
    const echoed = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    socket.write('ping');
    expect(await echoed).to.equal('ping');
    socket.destroy();
    expect((await record(recordPort)).events.map(brief)).to.deep.equal([{ method: 'GET', url: '/__upgrade', body: '', complete: true, upgrade: true }]);
  });

  it('answers any other upgrade request 200 and parses the next request on the same connection', async () => {
    const { got, socket } = await raw(app.port, 'GET /plain HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n', answered(2));
    socket.destroy();
    expect(got).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/plain\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/next\n$/);
    const { events } = await record(recordPort);
    expect(events.map(brief).map((e) => [e.url, e.upgrade])).to.deep.equal([['/plain', true], ['/next', false]]);
    expect(events[0]!.conn).to.equal(events[1]!.conn);
  });

  it('serves only GET and DELETE /record on the record port', async () => {
    expect((await fetch(`http://127.0.0.1:${recordPort}/other`)).status).to.equal(404);
    expect((await fetch(`http://127.0.0.1:${recordPort}/record`, { method: 'POST' })).status).to.equal(404);
  });

  it('exits 1 naming RECORD_PORT when it is invalid', async () => {
    const child = spawn(process.execPath, [RECORDER], { env: { ...process.env, PORT: '0', RECORD_PORT: 'x' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(err).to.match(/RECORD_PORT must be an integer 0-65535, got .*x/);
  });
});
