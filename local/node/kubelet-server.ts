import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../lib/log.js';
import { messageOf } from '../../lib/errors.js';
import { parseLogQuery, pickLogFile, tailLines, type LogQuery } from './logs.js';

export interface KubeletServerDeps {
  log: Logger;
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  /** The log directory of a pod bound to this node, if there is one. */
  podLogDir(namespace: string, name: string): string | undefined;
}

/**
 * The part of the kubelet API that `kubectl logs` needs (the API server proxies to it). Mutual TLS: apart
 * from /healthz, only clients with a certificate from the cluster CA, in the system:masters group or the
 * API server's own kubelet-client identity, get in.
 */
export function kubeletServer(deps: KubeletServerDeps): Server {
  return createServer({ cert: deps.cert, key: deps.key, ca: deps.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void handle(deps, req, res).catch((err: unknown) => {
      deps.log.warn('kubelet: request failed', { path: req.url, error: err });
      if (!res.headersSent) send(res, 500, messageOf(err));
      else res.destroy();
    });
  });
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body.endsWith('\n') ? body : body + '\n');
}

function authorized(req: IncomingMessage): boolean {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return false; // no certificate, or not from the cluster CA
  const cert = socket.getPeerCertificate();
  const org = cert?.subject?.O;
  const orgs = Array.isArray(org) ? org : org ? [org] : [];
  return orgs.includes('system:masters') || cert?.subject?.CN === 'kube-apiserver-kubelet-client';
}

async function handle(deps: KubeletServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://node');
  if (url.pathname === '/healthz') return send(res, 200, 'ok');
  if (!authorized(req)) return send(res, 403, 'forbidden: client certificate is not allowed to use the kubelet API');
  const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (!m || req.method !== 'GET') return send(res, 404, `not found: ${url.pathname}`);
  const [, namespace = '', pod = '', container = ''] = m.map(decodeURIComponent);
  const podDir = deps.podLogDir(namespace, pod);
  if (!podDir) return send(res, 404, `pod ${namespace}/${pod} is not on this node`);
  let query: LogQuery;
  try {
    query = parseLogQuery(url.searchParams);
  } catch (err) {
    return send(res, 400, messageOf(err));
  }
  const dir = join(podDir, container);
  const files = await readdir(dir).catch(() => [] as string[]);
  const file = pickLogFile(files, query.previous);
  if (!file) {
    const what = query.previous ? 'previous terminated container' : 'container';
    return send(res, 400, `${what} "${container}" in pod "${pod}" has no logs (not started yet, or no such container)`);
  }
  const path = join(dir, file);
  let text = tailLines(await readFile(path, 'utf8'), query.tailLines);
  if (query.limitBytes !== undefined) text = text.slice(0, query.limitBytes);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
  res.write(text);
  if (!query.follow || query.previous) return void res.end();
  await follow(path, dir, file, res);
}

/** Streams what is appended to `path` until the client goes away or the container restarts (new file). */
async function follow(path: string, dir: string, file: string, res: ServerResponse): Promise<void> {
  let offset = (await stat(path)).size;
  let closed = false;
  res.on('close', () => (closed = true));
  const handle = await open(path, 'r');
  try {
    while (!closed) {
      const size = (await stat(path)).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        await handle.read(buf, 0, buf.length, offset);
        offset = size;
        res.write(buf);
        continue;
      }
      const current = pickLogFile(await readdir(dir).catch(() => [] as string[]), false);
      if (current !== file) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch {
    // the pod was deleted and its logs with it
  } finally {
    await handle.close();
    res.end();
  }
}
