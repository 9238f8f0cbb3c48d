/**
 * A pod that records every request it receives (image kzero.dev/testing/recorder), for the adversarial e2e
 * suite of the activator. A plain node:http server on $PORT, as a typical pod is (llhttp, strict): every
 * request it parses and every parse error goes into the record, which a second server on $RECORD_PORT
 * (default $PORT+1) serves, so a test reads what the pod saw without going through the proxy under test:
 *   GET /record     the record, as JSON (RecordSnapshot)
 *   DELETE /record  the same, and clears it
 * Requests on $PORT are answered 200 with "<method> <url>\n", except:
 *   /__respond/<name>  the raw bytes of SCRIPTS[name] (a misbehaving pod)
 *   an upgrade request to /__upgrade: 101, then every byte is echoed; any other upgrade request is
 *   answered 200 and the connection goes on as HTTP/1.1, like a server that does not speak the protocol.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { RecordLog } from './recorder-log.js';
import { scriptFor, UPGRADE_PATH, type Script } from './recorder-scripts.js';
import { exitWith, portFromEnv, serve } from './serve.js';

const MAX_EVENTS = 1000;
const MAX_BODY_BYTES = 64 * 1024;
/** How long a 'keep' script's connection stays open before the pod drops it. */
const KEEP_MS = 3000;
/** The pause before a script's `later` bytes. */
const LATER_MS = 100;

let recordPort: number;
try {
  recordPort = portFromEnv('recorder', 'RECORD_PORT', portFromEnv('recorder') + 1);
} catch (err) {
  exitWith(err);
}

const log = new RecordLog(MAX_EVENTS, MAX_BODY_BYTES);
const connIds = new WeakMap<Socket, number>();
let conns = 0;
const connOf = (socket: Socket): number => {
  let id = connIds.get(socket);
  if (id === undefined) connIds.set(socket, (id = ++conns));
  return id;
};

const answer = (req: http.IncomingMessage): string => `${req.method} ${req.url}\n`;
const headOf = (req: http.IncomingMessage, upgrade: boolean) => ({
  method: req.method ?? '',
  url: req.url ?? '',
  version: req.httpVersion,
  headers: req.rawHeaders,
  upgrade,
});

function play(socket: Socket, script: Script): void {
  // Stop reading: whatever a proxy sends after this must not show up in the record as a request.
  socket.pause();
  if (script.after === 'reset') return void socket.destroy();
  socket.write(script.bytes, 'latin1');
  const finish = (): void => {
    if (script.after === 'close') socket.end(() => socket.destroy());
    else setTimeout(() => socket.destroy(), KEEP_MS).unref();
  };
  const later = script.later;
  if (later === undefined) return finish();
  setTimeout(() => {
    if (socket.writable) socket.write(later, 'latin1');
    finish();
  }, LATER_MS).unref();
}

const server = serve('recorder', (req, res) => {
  const open = log.request(connOf(req.socket), headOf(req, false));
  req.on('data', (d: Buffer) => log.body(open, d));
  req.on('end', () => {
    log.end(open, req.rawTrailers);
    const script = scriptFor(req.url ?? '');
    if (script) return play(req.socket, script);
    const body = answer(req);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
  });
});

server.on('connection', (socket: Socket) => void connOf(socket));

server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
  log.error(connOf(socket), err.code ?? 'ERR');
  // What node answers without a clientError listener, plus a field that says the pod answered.
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nx-recorder-error: ${err.code ?? 'ERR'}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  socket.destroy();
});

server.on('upgrade', (req: http.IncomingMessage, socket: Socket, rest: Buffer) => {
  log.request(connOf(socket), headOf(req, true));
  socket.on('error', () => socket.destroy());
  if (req.url === UPGRADE_PATH) {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${req.headers.upgrade ?? ''}\r\nconnection: Upgrade\r\n\r\n`);
    if (rest.length) socket.write(rest);
    socket.on('data', (d: Buffer) => socket.write(d));
    return;
  }
  const body = answer(req);
  socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  // Back to the HTTP server, with what followed the head, to be parsed as the next request.
  if (rest.length) socket.unshift(rest);
  server.emit('connection', socket);
});

const records = http.createServer((req, res) => {
  if (req.url !== '/record' || (req.method !== 'GET' && req.method !== 'DELETE')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('GET or DELETE /record\n');
    return;
  }
  const body = JSON.stringify(log.snapshot());
  if (req.method === 'DELETE') log.clear();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
});
records.on('error', (err) => exitWith(new Error(`recorder: record server on port ${recordPort}: ${err.message}`)));
records.listen(recordPort, '0.0.0.0', () => console.log(JSON.stringify({ msg: 'recorder: record listening', port: recordPort })));
