/**
 * Local stand-in for Knative's autoscale-go sample: each request can sleep,
 * burn CPU or hold memory, so autoscaling can be exercised with
 * `?sleep=<ms>&prime=<n>&bloat=<mb>`.
 */
import { constants as bufferConstants } from 'node:buffer';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { reply, serve } from './serve.js';

// Limits are what the runtime can represent, not policy: larger values would
// only fail deeper down with a less helpful error.
const MAX_SLEEP_MS = 2 ** 31 - 1; // setTimeout's maximum
const MAX_PRIME = bufferConstants.MAX_LENGTH; // the sieve is one byte per number
const MAX_BLOAT_MB = Math.floor(bufferConstants.MAX_LENGTH / (1024 * 1024));
const PAGE = 4096;

class BadParam extends Error {}

/** The param as a non-negative integer, undefined when absent; BadParam otherwise. */
function intParam(query: URLSearchParams, name: string, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^[0-9]+$/.test(raw)) throw new BadParam(`param ${name} must be a non-negative integer, got ${JSON.stringify(raw)}\n`);
  const value = Number(raw);
  if (value > max) throw new BadParam(`param ${name} must be at most ${max}, got ${raw}\n`);
  return value;
}

async function sleep(ms: number): Promise<string> {
  const start = process.hrtime.bigint();
  await sleepFor(ms);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  return `Slept for ${elapsed.toFixed(2)} milliseconds.`;
}

/** Sieve of Eratosthenes, as in the Go sample: CPU (and memory) grow with n. */
function prime(n: number): string {
  const composite = new Uint8Array(n);
  let largest = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i] === 1) continue;
    largest = i;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return largest > 0 ? `The largest prime less than ${n} is ${largest}.` : `There are no primes smaller than ${n}.`;
}

function bloat(mb: number): string {
  const bytes = Buffer.allocUnsafeSlow(mb * 1024 * 1024);
  // Write every page so the memory is really resident, not just reserved.
  for (let i = 0; i < bytes.length; i += PAGE) bytes[i] = 1;
  return `Allocated ${mb} Mb of memory.`;
}

// Requests this process is serving right now; each response reports the count it saw on arrival
// (X-Inflight), so that tests can check a concurrency limit from outside.
let inflight = 0;

const server = serve('autoscale', async (req, res) => {
  inflight++;
  res.setHeader('X-Inflight', String(inflight));
  res.setHeader('X-Pod', process.env.HOSTNAME ?? '');
  res.once('close', () => inflight--);
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  let ms: number | undefined, n: number | undefined, mb: number | undefined;
  try {
    ms = intParam(query, 'sleep', MAX_SLEEP_MS);
    n = intParam(query, 'prime', MAX_PRIME);
    mb = intParam(query, 'bloat', MAX_BLOAT_MB);
  } catch (err) {
    if (err instanceof BadParam) return reply(res, 400, err.message);
    throw err;
  }
  const lines: string[] = [];
  if (ms !== undefined) lines.push(await sleep(ms));
  if (n !== undefined) lines.push(prime(n));
  if (mb !== undefined) lines.push(bloat(mb));
  if (lines.length === 0) lines.push('Hello from autoscale! Try ?sleep=100&prime=10000&bloat=5');
  reply(res, 200, lines.join('\n') + '\n');
});

// Any HTTP/1.1 upgrade (e.g. a WebSocket handshake) is accepted and the connection echoes what it gets:
// enough to check that a proxy tunnels upgraded connections both ways.
server.on('upgrade', (req, socket) => {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade ?? 'websocket'}\r\nConnection: Upgrade\r\n\r\n`);
  socket.on('data', (d: Buffer) => socket.write(d));
  socket.on('error', () => socket.destroy());
});
