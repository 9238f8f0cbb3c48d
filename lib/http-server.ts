import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** The admin endpoints every component serves: /metrics (prom-client), /healthz, /readyz. */
export function adminServer(registry: Registry, ready: () => boolean): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    if (path === '/healthz') return void res.writeHead(200).end('ok\n');
    if (path === '/readyz') return void (ready() ? res.writeHead(200).end('ok\n') : res.writeHead(503).end('not ready\n'));
    res.writeHead(404).end('not found\n');
  });
}

/** host:port -> listen options; port 0 picks a free port. */
export function parseListen(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid listen address ${JSON.stringify(addr)}: want host:port`);
  return { host: addr.slice(0, i) || '0.0.0.0', port };
}

/** A request body over the reader's limit. */
export class BodyTooLarge extends Error {}

/** A request's whole body; rejects with BodyTooLarge past `max` bytes (the rest is drained, not kept). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): BodyTooLarge => new BodyTooLarge(`body larger than ${max} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > max) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
