import { connect } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ActivatorError } from '../errors.js';
import type { RevisionState } from '../revisions.js';
import { upstreamHeaders } from './forward.js';
import { acquirePod, type ProxyDeps } from './proxy.js';
import { resolveRevision, type RouteDeps } from './route.js';
import { normalizeHost } from '../routing/hosts.js';

/** WebSocket (and any HTTP/1.1 upgrade): the handshake to a pod, then bytes both ways until either side closes. */
export function tunnel(req: IncomingMessage, client: Duplex, head: Buffer, ip: string, rev: RevisionState, host: string, release: () => void): void {
  const upstream = connect({ host: ip, port: rev.port });
  const headers = { ...upstreamHeaders(req.headers, req.socket.remoteAddress ?? '', host), connection: 'Upgrade', upgrade: req.headers.upgrade ?? 'websocket' };
  upstream.once('connect', () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (const [k, v] of Object.entries(headers)) for (const value of Array.isArray(v) ? v : [v]) if (value !== undefined) lines.push(`${k}: ${value}`);
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  let done = false;
  const close = (): void => {
    if (done) return;
    done = true;
    release();
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', close);
  upstream.on('close', close);
  client.on('error', close);
  client.on('close', close);
}

export function upgradeError(client: Duplex, err: unknown): void {
  const e = err instanceof ActivatorError ? err : new ActivatorError('UPSTREAM', String(err));
  client.end(`HTTP/1.1 ${e.status} ${e.code}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${e.message}\n`);
}

/** The server's 'upgrade' handler: the same routing and pod acquisition as plain requests, then a tunnel. */
export function upgradeHandler(route: RouteDeps, proxy: ProxyDeps): (req: IncomingMessage, client: Duplex, head: Buffer) => void {
  return (req, client, head) => {
    void (async () => {
      const host = normalizeHost(req.headers.host);
      const { revision } = resolveRevision(route, host);
      const got = await acquirePod(revision, proxy, proxy.clock.now(), client);
      if (got) tunnel(req, client, head, got.slot.ip, revision, host, got.slot.release);
    })().catch((err: unknown) => upgradeError(client, err));
  };
}
